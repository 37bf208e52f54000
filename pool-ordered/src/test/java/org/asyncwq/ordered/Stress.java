package org.asyncwq.ordered;

/**
 * Sizes stress loops: {@code base * asyncwq.stress} (1 in the default build, 50 under {@code
 * -Pstress}). The same rule as pool-core's test fixture of that name, which is not exported to
 * other modules' tests.
 */
final class Stress {
  private Stress() {}

  static int factor() {
    return Math.max(1, Integer.getInteger("asyncwq.stress", 1));
  }

  static int rounds(int base) {
    return base * factor();
  }
}
