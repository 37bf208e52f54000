package org.asyncwq.examples.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Stage 6's reason: a write that waits for its completion on the pool that must run the completion
 * hangs once every thread of the pool is such a write (the deadlock btrfs avoided in 2008 by
 * giving end-IO its own workers). With one thread the first write is enough. The naive shape is
 * bounded by a timed wait and its threads are interrupted afterwards; the two-queue shape completes
 * the same load.
 */
@Timeout(60)
class Stage6SharedPoolHangTest {

  @Test
  void onePoolForWritesAndTheirCompletionsHangs() {
    assertThatThrownBy(() -> Stage6Before.write(2, 1, Duration.ofMillis(500)))
        .isInstanceOf(TimeoutException.class);
  }

  @Test
  void separateQueuesCompleteTheLoadThatHangsOnePool() throws Exception {
    assertThat(Stage6After.write(2, 1)).containsExactlyInAnyOrder(0, 1);
    assertThat(Stage6After.write(200, 1))
        .isEqualTo(IntStream.range(0, 200).boxed().collect(Collectors.toSet()));
  }
}
