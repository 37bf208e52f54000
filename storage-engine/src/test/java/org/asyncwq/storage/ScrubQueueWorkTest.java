package org.asyncwq.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.util.List;
import org.asyncwq.storage.block.MemoryBlockDevice;
import org.asyncwq.storage.block.ScrubListener;
import org.asyncwq.storage.block.ScrubReport;
import org.asyncwq.storage.block.StorageQueues;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a scrub of a healthy store hands to the storage queues: its reference walk reads the tree
 * pages on the calling thread, so no {@code endio} work runs, and the data is read in runs of
 * consecutive blocks, one {@code submit} work per mirror and run, far fewer than the blocks.
 */
@Timeout(60)
class ScrubQueueWorkTest {
  @Test
  void aHealthyScrubRunsNoEndioWorkAndOneSubmitWorkPerMirrorAndRun() throws Exception {
    try (Store s = Store.create(List.of(new MemoryBlockDevice(8192), new MemoryBlockDevice(8192)),
        StoreOptions.defaults())) {
      for (int i = 0; i < 8; i++) {
        s.put("obj" + i, new ByteArrayInputStream(StoreRoundTripTest.random(i, 1 << 20)));
      }
      long endio = executed(s, StorageQueues.ENDIO);
      long repair = executed(s, StorageQueues.ENDIO_REPAIR);
      long submit = executed(s, StorageQueues.SUBMIT);

      ScrubReport r = s.scrub(ScrubListener.NONE).get();

      assertThat(r.blocks()).as("8 objects of 256 blocks and their pages").isGreaterThan(8 * 256);
      assertThat(r.csumErrors() + r.readErrors() + r.uncorrectable()).isZero();
      assertThat(executed(s, StorageQueues.ENDIO) - endio).as("endio works").isZero();
      assertThat(executed(s, StorageQueues.ENDIO_REPAIR) - repair).as("repairs").isZero();
      // Runs of up to 256 blocks on 2 mirrors: the last run's work may still be finishing.
      assertThat(executed(s, StorageQueues.SUBMIT) - submit).as("submit works")
          .isPositive().isLessThanOrEqualTo(2 * (r.blocks() / 8));
    }
  }

  private static long executed(Store s, String queue) {
    return s.stats().queues().get(queue).normal().pool().executed();
  }
}
