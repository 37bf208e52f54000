package org.asyncwq.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.FaultyBlockDevice;
import org.asyncwq.storage.block.MemoryBlockDevice;
import org.asyncwq.storage.block.StorageQueues;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 13, the get path: a warm get reads from the devices only its data, in one positional read
 * per megabyte, with no queue work (tree pages come from the cache of verified pages, data is read
 * and verified on the caller); a cached page is never served for a block that was freed and reused.
 */
@Timeout(60)
class StoreGetPathTest {
  private static final long BLOCKS = 8192; // 32 MiB per mirror

  private static List<FaultyBlockDevice> mirrors() {
    List<FaultyBlockDevice> m = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      m.add(new FaultyBlockDevice(new MemoryBlockDevice(BLOCKS)));
    }
    return m;
  }

  private static long readsOf(List<FaultyBlockDevice> m) {
    long n = 0;
    for (FaultyBlockDevice d : m) {
      for (long b = 0; b < BLOCKS; b++) {
        n += d.reads(b);
      }
    }
    return n;
  }

  private static long completed(Store s, String queue) {
    return s.stats().queues().get(queue).normal().queue().completed();
  }

  private static byte[] get(Store s, String name) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    s.get(name, out);
    return out.toByteArray();
  }

  @Test
  void aWarmGetReadsOnlyItsDataBlocksOnceAndQueuesNoWork() throws Exception {
    List<FaultyBlockDevice> m = mirrors();
    try (Store s = Store.create(new ArrayList<BlockDevice>(m), StoreOptions.defaults())) {
      byte[] big = StoreRoundTripTest.random(1, 1 << 20);
      byte[] small = StoreRoundTripTest.random(2, 4096);
      s.put("big", new ByteArrayInputStream(big));
      s.put("small", new ByteArrayInputStream(small));
      assertThat(get(s, "big")).isEqualTo(big);
      assertThat(get(s, "small")).isEqualTo(small);
      long reads = readsOf(m);
      long submit = completed(s, StorageQueues.SUBMIT);
      long endio = completed(s, StorageQueues.ENDIO);
      long misses = s.pageCache().misses();

      assertThat(get(s, "big")).isEqualTo(big);
      assertThat(get(s, "small")).isEqualTo(small);

      // 256 data blocks, each touched by one read, and one block for the small object
      assertThat(readsOf(m) - reads).isEqualTo(256 + 1);
      assertThat(s.pageCache().misses()).isEqualTo(misses);
      assertThat(s.pageCache().hits()).isPositive();
      assertThat(completed(s, StorageQueues.SUBMIT)).isEqualTo(submit);
      assertThat(completed(s, StorageQueues.ENDIO)).isEqualTo(endio);
    }
  }

  @Test
  void aWarmGetFollowsItsKeptReadPlanWithoutLookingUpItsExtentMap() throws Exception {
    List<FaultyBlockDevice> m = mirrors();
    try (Store s = Store.create(new ArrayList<BlockDevice>(m), StoreOptions.defaults())) {
      byte[] big = StoreRoundTripTest.random(3, 1 << 20);
      s.put("big", new ByteArrayInputStream(big));
      s.put("other", new ByteArrayInputStream(StoreRoundTripTest.random(4, 5000)));
      ByteBuffer dst = ByteBuffer.allocate(big.length);
      s.get("big", dst); // walks the extent map once and keeps the plan
      long hits = s.pageCache().hits();
      long misses = s.pageCache().misses();
      long reads = readsOf(m);

      dst.clear();
      assertThat(s.get("big", dst)).isEqualTo(big.length);

      assertThat(dst.flip()).isEqualTo(ByteBuffer.wrap(big));
      // one page lookup, the directory's only page: none of the extent map's
      assertThat(s.pageCache().hits() - hits).isEqualTo(1);
      assertThat(s.pageCache().misses()).isEqualTo(misses);
      assertThat(readsOf(m) - reads).isEqualTo(256); // every data block is still read
    }
  }

  @Test
  void aReplacedObjectIsReadByItsNewPlanAndBadCopiesAreStillCaught() throws Exception {
    List<FaultyBlockDevice> m = mirrors();
    try (Store s = Store.create(new ArrayList<BlockDevice>(m), StoreOptions.defaults())) {
      byte[] first = StoreRoundTripTest.random(5, 200_000);
      byte[] second = StoreRoundTripTest.random(6, 72 * BlockDevice.BLOCK_SIZE);
      s.put("x", new ByteArrayInputStream(first));
      assertThat(s.read("x")).isEqualTo(first); // keeps the plan of the first version
      s.put("x", new ByteArrayInputStream(second));
      assertThat(s.read("x")).isEqualTo(second);
      assertThat(s.read("x")).isEqualTo(second); // from the kept plan of the second

      // A bad copy on one mirror: whichever mirror a read starts on, the get returns good bytes.
      m.get(0).corrupt(s.locate("x", 70_000).get(0).block(), 17);
      assertThat(s.read("x")).isEqualTo(second);
      assertThat(s.read("x")).isEqualTo(second);

      long block = s.locate("x", 250_000).get(0).block();
      m.get(0).corrupt(block, 18);
      m.get(1).corrupt(block, 18);
      assertThatThrownBy(() -> s.read("x"))
          .isInstanceOf(org.asyncwq.storage.block.UncorrectableDataException.class);
    }
  }

  @Test
  void onlyObjectsUpToTheBoundKeepAPlan() {
    assertThat(ReadPlans.keeps(record(ReadPlans.MAX_PLAN_BLOCKS))).isTrue();
    assertThat(ReadPlans.keeps(record(ReadPlans.MAX_PLAN_BLOCKS + 1))).isFalse();
  }

  private static ObjectRecord record(long blocks) {
    return new ObjectRecord(7, blocks * BlockDevice.BLOCK_SIZE, 1, java.time.Instant.EPOCH,
        org.asyncwq.storage.block.ChecksumType.CRC32C, 1, blocks,
        new org.asyncwq.storage.tree.BlockPointer(10, 1, org.asyncwq.storage.block.Checksum.of(
            org.asyncwq.storage.block.ChecksumType.CRC32C, ByteBuffer.allocate(4))));
  }

  @Test
  void blocksFreedAndReusedNeverServeACachedPage() throws Exception {
    List<FaultyBlockDevice> m = mirrors();
    try (Store s = Store.create(new ArrayList<BlockDevice>(m), StoreOptions.defaults())) {
      s.put("keep", new ByteArrayInputStream(StoreRoundTripTest.random(0, 10_000)));
      for (int round = 1; round <= 20; round++) {
        byte[] a = StoreRoundTripTest.random(round, 300_000 + round);
        byte[] b = StoreRoundTripTest.random(1000 + round, 5_000 + round);
        s.put("a", new ByteArrayInputStream(a));
        s.put("b/" + (round % 3), new ByteArrayInputStream(b));
        assertThat(get(s, "a")).as("round %d", round).isEqualTo(a);
        assertThat(get(s, "b/" + (round % 3))).as("round %d", round).isEqualTo(b);
        if (round % 2 == 0) {
          assertThat(s.delete("a")).isTrue();
        }
      }
      assertThat(get(s, "keep")).isEqualTo(StoreRoundTripTest.random(0, 10_000));
      assertThat(s.check().problems()).isEmpty();
    }
  }
}
