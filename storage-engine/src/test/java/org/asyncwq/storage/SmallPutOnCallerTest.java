package org.asyncwq.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.asyncwq.priority.WorkQueueStats;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.MemoryBlockDevice;
import org.asyncwq.storage.block.StorageQueues;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 13, the put's fixed cost: a small put checksums and writes its data and extent map on its
 * own thread and its commit writes its pages and flushes its first mirror on the commit thread, so
 * it hands only the other mirror's one flush to the queues (its one-page extent map is no
 * split, so its block is allocated inline); a large put still checksums and submits its data on
 * {@code csum} and {@code submit} (seed 002's stages). A small put allocates no chunk buffers it
 * does not need, and a stream's {@code available()} only sizes the first buffer: it never decides
 * where the object ends.
 */
@Timeout(60)
class SmallPutOnCallerTest {
  private static Store store() throws Exception {
    return Store.create(List.of(new MemoryBlockDevice(8192), new MemoryBlockDevice(8192)),
        StoreOptions.builder().build());
  }

  private static long works(Store s, String queue) {
    WorkQueueStats q = s.stats().queues().get(queue);
    return q.normal().queue().completed() + (q.high() == null ? 0 : q.high().queue().completed());
  }

  private static Map<String, Long> works(Store s) {
    Map<String, Long> m = new java.util.LinkedHashMap<>();
    for (String name : StorageQueues.NAMES) {
      m.put(name, works(s, name));
    }
    return m;
  }

  @Test
  void aSmallPutHandsOnlyTheOtherMirrorsOneFlushToTheQueues() throws Exception {
    try (Store s = store()) {
      for (int i = 0; i < 4; i++) {
        s.put("o" + i, new ByteArrayInputStream(StoreRoundTripTest.random(i, 4096)));
      }
      Map<String, Long> before = works(s);
      int puts = 20;
      for (int i = 0; i < puts; i++) { // replaces: the commit also walks the old extent map
        s.put("o" + (i % 4), new ByteArrayInputStream(StoreRoundTripTest.random(100 + i, 4096)));
      }
      // A queue counts a work once it has run, which can be just after the put it completed
      // returned: wait (bounded) for the count to settle at what the puts handed over.
      long submitted = before.get(StorageQueues.SUBMIT) + puts;
      Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> works(s, StorageQueues.SUBMIT) >= submitted);
      Map<String, Long> after = works(s);

      assertThat(after.get(StorageQueues.CSUM)).isEqualTo(before.get(StorageQueues.CSUM));
      assertThat(after.get(StorageQueues.ENDIO)).isEqualTo(before.get(StorageQueues.ENDIO));
      assertThat(after.get(StorageQueues.ENDIO_WRITE))
          .isEqualTo(before.get(StorageQueues.ENDIO_WRITE));
      // mirror 1's flush of the commit's one round: data, pages and superblock (the count taken
      // before may still miss the last work of the warm-up's last put)
      assertThat(after.get(StorageQueues.SUBMIT) - before.get(StorageQueues.SUBMIT))
          .isBetween((long) puts, puts + 1L);
      assertThat(after.get(StorageQueues.ALLOC)).isEqualTo(before.get(StorageQueues.ALLOC));
      assertThat(s.read("o3")).isEqualTo(StoreRoundTripTest.random(119, 4096));
    }
  }

  @Test
  void aLargePutStillChecksumsAndSubmitsItsDataOnTheQueues() throws Exception {
    try (Store s = store()) {
      Map<String, Long> before = works(s);
      byte[] data = StoreRoundTripTest.random(7, 1 << 20);

      s.put("big", new ByteArrayInputStream(data));

      Map<String, Long> after = works(s);
      int chunks = (1 << 20) / (PutWriter.CHUNK_BLOCKS * BlockDevice.BLOCK_SIZE);
      assertThat(after.get(StorageQueues.CSUM) - before.get(StorageQueues.CSUM))
          .isGreaterThanOrEqualTo(chunks);
      assertThat(after.get(StorageQueues.SUBMIT) - before.get(StorageQueues.SUBMIT))
          .isGreaterThanOrEqualTo(2L * chunks);
      assertThat(s.read("big")).isEqualTo(data);
    }
  }

  @Test
  void aSmallPutAllocatesNoChunkBuffers() throws Exception {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().getId();
    try (Store s = store()) {
      byte[] data = StoreRoundTripTest.random(3, 4096);
      for (int i = 0; i < 50; i++) {
        s.put("o" + (i % 4), new ByteArrayInputStream(data));
      }
      int puts = 50;
      long allocated = threads.getThreadAllocatedBytes(id);
      for (int i = 0; i < puts; i++) {
        s.put("o" + (i % 4), new ByteArrayInputStream(data));
      }
      long perPut = (threads.getThreadAllocatedBytes(id) - allocated) / puts;
      // one chunk buffer is 256 KiB; a put used to allocate four whatever its size
      assertThat(perPut).isLessThan(PutWriter.CHUNK_BLOCKS * BlockDevice.BLOCK_SIZE / 2);
    }
  }

  /** A stream that reports {@code available} bytes whatever is left. */
  private static InputStream claiming(byte[] data, int available) {
    return new FilterInputStream(new ByteArrayInputStream(data)) {
      @Override
      public int available() {
        return available;
      }
    };
  }

  @Test
  void whatAStreamSaysIsAvailableNeverChangesTheBytesStored() throws Exception {
    try (Store s = store()) {
      byte[] big = StoreRoundTripTest.random(11, (1 << 20) + 3);
      byte[] small = StoreRoundTripTest.random(12, 5);
      byte[] exact = StoreRoundTripTest.random(13, 8192);
      s.put("under", claiming(big, 1));
      s.put("none", claiming(big, 0));
      s.put("over", claiming(small, Integer.MAX_VALUE));
      s.put("exact", claiming(exact, exact.length));
      s.put("empty", claiming(new byte[0], 4096));

      assertThat(s.read("under")).isEqualTo(big);
      assertThat(s.read("none")).isEqualTo(big);
      assertThat(s.read("over")).isEqualTo(small);
      assertThat(s.read("exact")).isEqualTo(exact);
      assertThat(s.read("empty")).isEmpty();
      assertThat(s.stat("under").orElseThrow().size()).isEqualTo(big.length);
    }
  }
}
