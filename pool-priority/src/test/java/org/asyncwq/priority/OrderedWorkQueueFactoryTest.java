package org.asyncwq.priority;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** WorkQueue.ordered(): limit 1, no threshold, one work at a time in queue order. */
@Timeout(60)
class OrderedWorkQueueFactoryTest {

  @Test
  void anOrderedWorkQueueRunsOneWorkAtATimeInQueueOrder() throws Exception {
    List<Integer> startOrder = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger running = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    try (WorkQueue queue = WorkQueue.ordered("alloc")) {
      assertThat(queue.limitActive()).isEqualTo(1);
      assertThat(queue.stats().normal().threshold()).isEqualTo(-1);
      for (int i = 0; i < 500; i++) {
        int id = i;
        queue.queue(
            new Step(id, null, new ArrayList<>(), running, peak) {
              @Override
              protected void work() {
                startOrder.add(id);
                super.work();
              }
            });
      }
      queue.flush();
    }
    assertThat(startOrder).containsExactlyElementsOf(IntStream.range(0, 500).boxed().toList());
    assertThat(peak.get()).isEqualTo(1);
  }
}
