package org.asyncwq.examples.readme;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.CRC32;
import org.asyncwq.pool.PoolStats;
import org.asyncwq.pool.WorkerPool;
import org.asyncwq.priority.WorkQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The README's three examples run as shown there and do what the README says they do. */
@Timeout(60)
class ReadmeExamplesTest {

  @Test
  void poolCoreExampleRunsTheWorkAndTheRunnableAndClosesCleanly() {
    WorkerPool csum = PoolCoreExample.run();
    PoolStats stats = csum.stats();
    assertThat(csum.isTerminated()).isTrue();
    assertThat(stats.executed()).isEqualTo(2);
    assertThat(stats.cancelled()).isZero();
    assertThat(stats.workers()).isZero();
  }

  @Test
  void orderedExampleLogsChecksumsInQueueOrder() throws Exception {
    List<byte[]> blocks = new ArrayList<>();
    List<Long> expected = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      byte[] b = ("block-" + i).getBytes(StandardCharsets.UTF_8);
      blocks.add(b);
      CRC32 c = new CRC32();
      c.update(b);
      expected.add(c.getValue());
    }
    assertThat(new OrderedExample().checksumInOrder(blocks)).containsExactlyElementsOf(expected);
  }

  @Test
  void priorityExampleWritesEveryBlockInOrderPerLane() throws Exception {
    List<Integer> device = Collections.synchronizedList(new ArrayList<>());
    WorkQueue submit = new PriorityExample().write(device);
    List<Integer> data = new ArrayList<>(device);
    data.remove(Integer.valueOf(-1));
    assertThat(data).hasSize(1000).isSorted();
    assertThat(device).contains(-1).hasSize(1001);
    assertThat(submit.hasHighPriority()).isTrue();
    assertThat(submit.limitActive()).isEqualTo(8);
    assertThat(submit.currentActive()).isBetween(1, submit.limitActive());
    assertThat(submit.isCongested()).isFalse();
  }
}
