package org.asyncwq.pool;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import org.junit.jupiter.api.function.Executable;

/**
 * The hang bound of a stress loop, scaled like its rounds: {@code base} in the default build,
 * {@code base * asyncwq.stress} under {@code -Pstress}. A stress test method carries a generous
 * {@code @Timeout} as a backstop and runs its loop inside {@link #within}, so that the default build
 * still fails within {@code base} when a round hangs.
 */
final class StressBound {
  private StressBound() {}

  static void within(Duration base, Executable loop) {
    assertTimeoutPreemptively(base.multipliedBy(Stress.factor()), loop);
  }
}
