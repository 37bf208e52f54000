package org.asyncwq.examples.readme;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The README's observability example reads the pool's bean while it lives; it is gone after. */
@Timeout(60)
class ObservabilityExampleTest {
  @Test
  void theBeanIsReadableWhileThePoolLivesAndGoneOnceItClosed() throws Exception {
    ObservabilityExample.Seen seen = ObservabilityExample.run();
    assertThat(seen.pendingOverJmx()).isBetween(0, 1);
    assertThat(seen.registeredAfterClose()).isFalse();
  }
}
