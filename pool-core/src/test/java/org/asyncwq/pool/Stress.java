package org.asyncwq.pool;

/**
 * Sizes stress loops. The default build runs a short version of every stress test; {@code mvn
 * verify -Pstress} sets {@code asyncwq.stress} and multiplies the rounds for a soak run.
 */
public final class Stress {
  private Stress() {}

  /** The scale factor: 1 in the default build, larger under {@code -Pstress}. */
  public static int factor() {
    return Math.max(1, Integer.getInteger("asyncwq.stress", 1));
  }

  /** {@code base} rounds, scaled by {@link #factor()}. */
  public static int rounds(int base) {
    return base * factor();
  }
}
