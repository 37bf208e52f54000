package org.asyncwq.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.Map;
import org.asyncwq.priority.LaneStats;
import org.asyncwq.priority.WorkQueueStats;
import org.asyncwq.storage.block.StorageQueues;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15: the storage queues' figures count the work the block layer submits through their
 * executors. After a put and a get on real files, every queue a write or a read passes through
 * reports works completed by its own threads; the repair queue, with nothing to repair, none.
 */
@Timeout(60)
class StoreQueueStatsTest {
  @TempDir Path dir;

  @Test
  void afterAPutAndAGetTheQueuesTheyPassedThroughReportCompletedWork() throws Exception {
    byte[] data = StoreRoundTripTest.random(7, 1 << 20);
    try (Store store =
        Store.create(dir.resolve("s"), StoreOptions.builder().deviceSize(64L << 20).build())) {
      Map<String, WorkQueueStats> before = store.stats().queues();
      store.put("a", new ByteArrayInputStream(data));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      store.get("a", out);
      assertThat(out.toByteArray()).isEqualTo(data);

      Map<String, WorkQueueStats> after = store.stats().queues();
      assertThat(after).containsOnlyKeys(StorageQueues.NAMES);
      for (String name : new String[] {StorageQueues.CSUM, StorageQueues.SUBMIT,
          StorageQueues.ENDIO, StorageQueues.ENDIO_WRITE}) {
        LaneStats lane = after.get(name).normal();
        assertThat(lane.queue().completed())
            .as("%s completed", name)
            .isGreaterThan(before.get(name).normal().queue().completed());
        assertThat(lane.pool().executed()).as("%s pool executed", name)
            .isEqualTo(lane.queue().completed());
        assertThat(lane.pool().spawned()).as("%s threads", name).isPositive();
        assertThat(lane.pending()).as("%s pending", name).isZero();
      }
      assertThat(after.get(StorageQueues.ENDIO_REPAIR).normal().queue().completed()).isZero();
    }
  }
}
