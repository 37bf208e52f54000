package org.asyncwq.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.asyncwq.ordered.OrderedWork;
import org.asyncwq.priority.WorkQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The README's pool-priority example, compiled against the public API only. */
@Timeout(30)
class PriorityReadmeExampleTest {

  /** A block write: checksummed concurrently, submitted in queue order. */
  static final class Submit extends OrderedWork {
    private final int block;
    private final List<Integer> device;

    Submit(int block, List<Integer> device) {
      this.block = block;
      this.device = device;
    }

    @Override
    protected void work() {
      // checksum the block, concurrently with other blocks
    }

    @Override
    protected void ordered() {
      device.add(block); // in the order the blocks were queued, per lane
    }
  }

  @Test
  void readmeExampleRunsBothLanesInOrder() throws Exception {
    List<Integer> device = Collections.synchronizedList(new ArrayList<>());
    try (WorkQueue submit =
        WorkQueue.builder("submit")
            .limitActive(8) // at most 8 works at once...
            .threshold(32) // ...starting at 1, rising while more than 32 wait
            .highPriority(true) // plus an independent lane with its own threads
            .build()) {
      for (int block = 0; block < 1000; block++) {
        submit.queue(new Submit(block, device));
      }
      submit.queueHigh(new Submit(-1, device)); // metadata: never waits behind the data
      submit.flush(); // both lanes
      assertThat(submit.currentActive()).isBetween(1, submit.limitActive());
      assertThat(submit.isCongested()).isFalse();
    }
    List<Integer> data = new ArrayList<>(device);
    data.remove(Integer.valueOf(-1));
    assertThat(data).isSorted().hasSize(1000);
    assertThat(device).contains(-1);
  }
}
