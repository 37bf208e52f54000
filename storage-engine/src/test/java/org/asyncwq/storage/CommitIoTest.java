package org.asyncwq.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.asyncwq.storage.block.MemoryBlockDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The IO one durable put costs, counted on each mirror: the minimum a copy-on-write commit needs
 * (data, pages and the superblock written, then one flush: format version 2's one round), the two
 * mirrors flushed at the same time, and no page the previous commit wrote read back.
 */
@Timeout(60)
class CommitIoTest {
  private static final long BLOCKS = 4096;

  /** Counts a device's calls; a flush that follows a superblock write may wait for a latch. */
  private static final class CountingDevice extends ForwardingBlockDevice<MemoryBlockDevice> {
    final AtomicInteger reads = new AtomicInteger();
    final AtomicInteger writes = new AtomicInteger();
    final AtomicInteger flushes = new AtomicInteger();
    final AtomicInteger superblockFlushesAlone = new AtomicInteger();
    final AtomicInteger flushesWithoutSuperblock = new AtomicInteger();
    volatile CountDownLatch superblockFlushes;
    private volatile boolean superblockWritten;

    CountingDevice() {
      super(new MemoryBlockDevice(BLOCKS));
    }

    @Override
    public void read(long firstBlock, ByteBuffer dst) throws IOException {
      reads.incrementAndGet();
      inner.read(firstBlock, dst);
    }

    @Override
    public void write(long firstBlock, ByteBuffer src) throws IOException {
      writes.incrementAndGet();
      superblockWritten = firstBlock < Superblock.SLOTS;
      inner.write(firstBlock, src);
    }

    @Override
    public void flush() throws IOException {
      flushes.incrementAndGet();
      if (!superblockWritten) {
        flushesWithoutSuperblock.incrementAndGet();
      }
      CountDownLatch both = superblockFlushes;
      if (superblockWritten && both != null) {
        both.countDown();
        try {
          // Bounded: flushed one mirror after the other, this waits out the bound and counts.
          if (!both.await(2, TimeUnit.SECONDS)) {
            superblockFlushesAlone.incrementAndGet();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      inner.flush();
    }
  }

  @Test
  void aPutFlushesEachMirrorOnceRightAfterItsSuperblockAndReadsNothingTheLastCommitWrote()
      throws Exception {
    CountingDevice m0 = new CountingDevice();
    CountingDevice m1 = new CountingDevice();
    try (Store s = Store.create(List.of(m0, m1), StoreOptions.builder().build())) {
      s.put("first", new ByteArrayInputStream(new byte[100]));
      int reads = m0.reads.get() + m1.reads.get();
      int flushes = m0.flushes.get();
      int alone = m0.flushesWithoutSuperblock.get() + m1.flushesWithoutSuperblock.get();
      int puts = 20;
      for (int i = 0; i < puts; i++) {
        s.put("object-" + i, new ByteArrayInputStream(StoreRoundTripTest.random(i, 5000)));
      }
      // New names in a one-page directory: the only page a commit needs is the one it wrote.
      assertThat(m0.reads.get() + m1.reads.get() - reads).isZero();
      assertThat(m0.flushes.get() - flushes).isEqualTo(puts);
      assertThat(m1.flushes.get()).isEqualTo(m0.flushes.get());
      // The one round: data, pages, then the superblock, and only then the flush.
      assertThat(m0.flushesWithoutSuperblock.get() + m1.flushesWithoutSuperblock.get() - alone)
          .isZero();
      assertThat(s.read("object-7")).isEqualTo(StoreRoundTripTest.random(7, 5000));
    }
  }

  @Test
  void theSuperblocksOfBothMirrorsAreFlushedAtTheSameTime() throws Exception {
    CountingDevice m0 = new CountingDevice();
    CountingDevice m1 = new CountingDevice();
    try (Store s = Store.create(List.of(m0, m1), StoreOptions.builder().build())) {
      for (int i = 0; i < 3; i++) {
        CountDownLatch both = new CountDownLatch(2);
        m0.superblockFlushes = both;
        m1.superblockFlushes = both;
        s.put("object-" + i, new ByteArrayInputStream(new byte[4096]));
        assertThat(both.getCount()).isZero();
      }
      assertThat(m0.superblockFlushesAlone.get() + m1.superblockFlushesAlone.get()).isZero();
    }
  }
}
