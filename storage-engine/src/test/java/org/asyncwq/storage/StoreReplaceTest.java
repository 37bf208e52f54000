package org.asyncwq.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.DeviceState;
import org.asyncwq.storage.block.FaultyBlockDevice;
import org.asyncwq.storage.block.MemoryBlockDevice;
import org.asyncwq.storage.block.ScrubReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 11 point 9: replacing a mirror by a blank device while the store serves reads. */
@Timeout(120)
class StoreReplaceTest {
  @Test
  void aBlankReplacementIsResilveredWhileReadsGoOnAndScrubsClean() throws Exception {
    FaultyBlockDevice m0 = new FaultyBlockDevice(new MemoryBlockDevice(4096));
    FaultyBlockDevice m1 = new FaultyBlockDevice(new MemoryBlockDevice(4096));
    MemoryBlockDevice blank = new MemoryBlockDevice(4096);
    try (Store s = Store.create(List.of(m0, m1), StoreOptions.defaults())) {
      for (int i = 0; i < 20; i++) {
        s.put("o" + i, new ByteArrayInputStream(StoreRoundTripTest.random(i, 7000 * i)));
      }
      s.delete("o3");
      AtomicInteger readsDuring = new AtomicInteger();
      AtomicInteger progress = new AtomicInteger();
      s.replace(0, blank, (done, total) -> {
        progress.set((int) done);
        // The store serves reads (and verifies them) while the mirror is being rebuilt.
        try {
          int i = 1 + (int) (done % 19);
          if (i != 3) {
            assertThat(s.read("o" + i)).isEqualTo(StoreRoundTripTest.random(i, 7000 * i));
            readsDuring.incrementAndGet();
          }
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      });
      assertThat(readsDuring.get()).isPositive();
      assertThat(s.deviceStats().get(0).state()).isEqualTo(DeviceState.HEALTHY);
      s.put("after", new ByteArrayInputStream(StoreRoundTripTest.random(99, 5000)));

      ScrubReport scrub = s.scrub((d, t) -> {}).get();
      assertThat(scrub.csumErrors()).isZero();
      assertThat(scrub.readErrors()).isZero();
      for (int i = 0; i < 20; i++) {
        if (i != 3) {
          assertThat(s.read("o" + i)).isEqualTo(StoreRoundTripTest.random(i, 7000 * i));
        }
      }
      // The new device holds the data itself, not only the old mirror 1.
      long b = s.locate("o7", 100).get(0).block();
      assertThat(read(blank, b)).isEqualTo(read(m1, b));
      assertThat(s.check().problems()).isEmpty();
    }
  }

  private static byte[] read(BlockDevice d, long b) throws Exception {
    ByteBuffer buf = ByteBuffer.allocate(BlockDevice.BLOCK_SIZE);
    d.read(b, buf);
    return buf.array();
  }
}
