package org.asyncwq.ordered;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The flush colours count with two monotonic counters per colour (entries by producers, exits by
 * the threads that finish works), so the totals the queue's stats report are derived from them:
 * these tests pin that the derivation stays exact across refusals and across the colour wrap.
 */
@Timeout(30)
class FlushColoursTest {

  @Test
  void aCountGivenBackIsNeitherAcceptedNorFinished() throws InterruptedException {
    FlushColours colours = new FlushColours();
    int colour = colours.enter();
    assertThat(colours.inFlight()).isEqualTo(1);
    colours.giveBack(colour);
    assertThat(colours.accepted()).isZero();
    assertThat(colours.finished()).isZero();
    assertThat(colours.inFlight()).isZero();
    assertThat(colours.awaitEmpty(0)).isTrue();
  }

  @Test
  void countsStayExactAcrossTheColourWrap() throws InterruptedException {
    FlushColours colours = new FlushColours();
    for (int i = 0; i < 40; i++) { // 40 epochs: the sixteen slots are reused more than twice
      int colour = colours.enter();
      assertThat(colours.flush(0)).as("round %d: one work in flight", i).isFalse();
      assertThat(colours.awaitEmpty(0)).isFalse();
      colours.exit(colour);
      assertThat(colours.flush(0)).as("round %d: nothing in flight", i).isTrue();
    }
    assertThat(colours.accepted()).isEqualTo(40);
    assertThat(colours.finished()).isEqualTo(40);
    assertThat(colours.inFlight()).isZero();
    assertThat(colours.awaitEmpty(0)).isTrue();
  }

  @Test
  void aFlushWaitingForAWorkReturnsOnceItExits() throws Exception {
    FlushColours colours = new FlushColours();
    int colour = colours.enter();
    CompletableFuture<Boolean> flushed = CompletableFuture.supplyAsync(() -> {
      try {
        return colours.flush(FlushColours.FOREVER);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    });
    int later = colours.enter(); // whichever epoch it lands in, the flush must not wait for it
    colours.exit(colour);
    if (later == colour) {
      colours.exit(later); // counted before the flush closed the epoch: the flush waits for it
    }
    assertThat(flushed.get(20, TimeUnit.SECONDS)).isTrue();
    if (later != colour) {
      colours.exit(later);
    }
    assertThat(colours.awaitEmpty(0)).isTrue();
  }
}
