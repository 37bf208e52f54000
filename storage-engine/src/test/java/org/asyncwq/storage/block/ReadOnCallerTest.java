package org.asyncwq.storage.block;

import static org.asyncwq.storage.block.BlockDevice.BLOCK_SIZE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13: {@link MirroredVolume#readOnCaller} reads and verifies a healthy range on the calling
 * thread (complete on return, no queue work), and repairs exactly as {@code read} does otherwise.
 */
@Timeout(60)
class ReadOnCallerTest {
  private static final int STRIPE = MirrorSet.STRIPE_BLOCKS;
  @TempDir Path dir;

  private static long completed(StorageQueues q, String name) {
    return q.stats().get(name).normal().queue().completed();
  }

  @Test
  void aHealthyReadIsCompleteOnReturnAndQueuesNoWork() throws Exception {
    List<FaultyBlockDevice> m = Fixtures.faultyMirrors(2, 2L * STRIPE);
    try (StorageQueues q = StorageQueues.create();
         MirroredVolume v = MirroredVolume.builder(Fixtures.devices(m)).queues(q).build()) {
      ByteBuffer data = Fixtures.data(32, 5);
      List<Checksum> sums = v.write(0, data).join();
      List<Checksum> sums1 = v.write(STRIPE, data).join();
      long submit = completed(q, StorageQueues.SUBMIT);
      long endio = completed(q, StorageQueues.ENDIO);

      for (int i = 0; i < 4; i++) { // block 0 is read from mirror 0, block STRIPE from mirror 1
        CompletableFuture<ByteBuffer> f = i % 2 == 0 ? v.readOnCaller(0, sums)
            : v.readOnCaller(STRIPE, sums1);
        assertThat(f).isDone();
        assertThat(f.join()).isEqualTo(data);
      }

      assertThat(completed(q, StorageQueues.SUBMIT)).isEqualTo(submit);
      assertThat(completed(q, StorageQueues.ENDIO)).isEqualTo(endio);
      assertThat(m.get(0).reads(0)).isEqualTo(2);
      assertThat(m.get(1).reads(STRIPE)).isEqualTo(2);
      assertThat(m.get(1).reads(0) + m.get(0).reads(STRIPE)).isZero();
    }
  }

  @Test
  void badCopiesOnBothMirrorsInOneRangeAreRepairedOnEndioRepairAndOnlyVerifiedBytesReturned()
      throws Exception {
    List<FaultyBlockDevice> m = Fixtures.faultyMirrors(2, 2L * STRIPE);
    try (StorageQueues q = StorageQueues.create();
         MirroredVolume v = MirroredVolume.builder(Fixtures.devices(m)).queues(q).build()) {
      ByteBuffer data = Fixtures.data(16, 9);
      // The same range twice: at block 0 it is read from mirror 0, at block STRIPE from mirror 1.
      for (long base : new long[] {0, STRIPE}) {
        List<Checksum> sums = v.write(base, data).join();
        m.get(0).corrupt(base + 3, 100);
        m.get(1).corrupt(base + 3, 100); // block 3 has no good copy
        m.get(0).corrupt(base + 7, 5);   // block 7 bad on mirror 0 only
        m.get(1).corrupt(base + 9, 5);   // block 9 bad on mirror 1 only
        assertThatThrownBy(() -> v.readOnCaller(base, sums).get(30, TimeUnit.SECONDS))
            .hasCauseInstanceOf(UncorrectableDataException.class)
            .hasMessageContaining("block " + (base + 3));
        // the bad copies the read met on its mirror were repaired
        assertThat(v.readOnCaller(base + 4, sums.subList(4, 16)).get(30, TimeUnit.SECONDS))
            .isEqualTo(data.duplicate().position(4 * BLOCK_SIZE).slice());
      }
      assertThat(v.stats().corrected()).isEqualTo(2); // block 7 on mirror 0, STRIPE + 9 on 1
      assertThat(completed(q, StorageQueues.ENDIO_REPAIR)).isPositive();
      assertThat(v.stats().uncorrectable()).isEqualTo(2);
    }
  }

  @Test
  void anUnreadableRangeIsReadFromTheOtherMirror() throws Exception {
    List<FaultyBlockDevice> m = Fixtures.faultyMirrors(2, 2L * STRIPE);
    try (MirroredVolume v = MirroredVolume.builder(Fixtures.devices(m)).build()) {
      ByteBuffer data = Fixtures.data(4, 2);
      List<Checksum> sums = v.write(0, data).join(); // read from mirror 0
      List<Checksum> sums1 = v.write(STRIPE, data).join(); // read from mirror 1
      m.get(0).failReads(2);
      m.get(1).failReads(STRIPE + 2);
      assertThat(v.readOnCaller(0, sums).get(30, TimeUnit.SECONDS)).isEqualTo(data);
      assertThat(v.readOnCaller(STRIPE, sums1).get(30, TimeUnit.SECONDS)).isEqualTo(data);
      assertThat(v.deviceStats().get(0).readErrors()).isEqualTo(1);
      assertThat(v.deviceStats().get(1).readErrors()).isEqualTo(1);
    }
  }

  @Test
  void anInterruptedCallerReadsThroughTheQueuesAndKeepsTheChannelOpen() throws Exception {
    BlockDevice a = FileBlockDevice.create(dir.resolve("a"), 16);
    BlockDevice b = FileBlockDevice.create(dir.resolve("b"), 16);
    try (StorageQueues q = StorageQueues.create();
         MirroredVolume v = MirroredVolume.builder(List.of(a, b)).queues(q).build()) {
      ByteBuffer data = Fixtures.data(4, 3);
      List<Checksum> sums = v.write(0, data).join();
      long submit = completed(q, StorageQueues.SUBMIT);
      CompletableFuture<ByteBuffer> f;
      Thread.currentThread().interrupt();
      try {
        f = v.readOnCaller(0, sums);
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
      } finally {
        Thread.interrupted();
      }
      assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(data);
      assertThat(completed(q, StorageQueues.SUBMIT)).isGreaterThan(submit);
      for (int i = 0; i < 2; i++) { // both channels still open: a read of each succeeds
        assertThat(v.read(0, sums, i).join()).isEqualTo(data);
      }
      assertThat(v.readOnCaller(0, sums).join()).isEqualTo(data);
      assertThat(v.deviceStats()).allSatisfy(s -> assertThat(s.readErrors()).isZero());
    }
  }

  @Test
  void badInputIsRefusedBeforeAnyRead() throws Exception {
    List<FaultyBlockDevice> m = Fixtures.faultyMirrors(2, 8);
    try (MirroredVolume v = MirroredVolume.builder(Fixtures.devices(m)).build()) {
      List<Checksum> sums = v.write(0, Fixtures.data(1, 1)).join();
      assertThatThrownBy(() -> v.readOnCaller(0, List.of()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no checksums");
      assertThatThrownBy(() -> v.readOnCaller(8, sums))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(m.get(0).reads(0) + m.get(1).reads(0)).isZero();
    }
  }
  @Test
  void aReadIntoTheCallersBufferLandsAtItsPositionAndQueuesNoWork() throws Exception {
    List<FaultyBlockDevice> m = Fixtures.faultyMirrors(2, 64);
    try (StorageQueues q = StorageQueues.create();
         MirroredVolume v = MirroredVolume.builder(Fixtures.devices(m)).queues(q).build()) {
      ByteBuffer data = Fixtures.data(8, 4);
      List<Checksum> sums = v.write(0, data).join();
      long submit = completed(q, StorageQueues.SUBMIT);
      for (ByteBuffer whole : List.of(ByteBuffer.allocate(10 * BLOCK_SIZE),
          ByteBuffer.allocateDirect(10 * BLOCK_SIZE))) {
        ByteBuffer dst = whole.duplicate().position(BLOCK_SIZE).limit(9 * BLOCK_SIZE);
        CompletableFuture<ByteBuffer> f = v.readOnCaller(0, sums, dst);
        assertThat(f).isDone();
        assertThat(f.join()).isEqualTo(data);
        assertThat(dst.position()).isEqualTo(BLOCK_SIZE);
        assertThat(dst.limit()).isEqualTo(9 * BLOCK_SIZE);
        assertThat(whole.duplicate().position(BLOCK_SIZE).limit(9 * BLOCK_SIZE)).isEqualTo(data);
        assertThat(whole.duplicate().limit(BLOCK_SIZE)).isEqualTo(ByteBuffer.allocate(BLOCK_SIZE));
      }
      assertThat(completed(q, StorageQueues.SUBMIT)).isEqualTo(submit);
    }
  }

  @Test
  void aBadCopyIsRepairedInTheCallersBufferAndOneWithNoGoodCopyLeavesItZeroed() throws Exception {
    List<FaultyBlockDevice> m = Fixtures.faultyMirrors(2, 64);
    try (MirroredVolume v = MirroredVolume.builder(Fixtures.devices(m)).build()) {
      ByteBuffer data = Fixtures.data(8, 6);
      List<Checksum> sums = v.write(0, data).join();
      m.get(0).corrupt(2, 7); // block 2 bad on mirror 0 only, which block 0's reads go to
      for (int i = 0; i < 2; i++) { // the second read meets the rewritten copy
        ByteBuffer dst = ByteBuffer.allocate(8 * BLOCK_SIZE);
        assertThat(v.readOnCaller(0, sums, dst).get(30, TimeUnit.SECONDS)).isEqualTo(data);
        assertThat(dst).isEqualTo(data);
      }
      assertThat(v.stats().corrected()).isEqualTo(1);

      m.get(0).corrupt(5, 1);
      m.get(1).corrupt(5, 1); // block 5 has no good copy
      ByteBuffer dst = ByteBuffer.allocate(8 * BLOCK_SIZE);
      assertThatThrownBy(() -> v.readOnCaller(0, sums, dst).get(30, TimeUnit.SECONDS))
          .hasCauseInstanceOf(UncorrectableDataException.class).hasMessageContaining("block 5");
      assertThat(dst).isEqualTo(ByteBuffer.allocate(8 * BLOCK_SIZE)); // no byte kept
    }
  }

  @Test
  void aDestinationOfTheWrongSizeOrReadOnlyIsRefusedBeforeAnyRead() throws Exception {
    List<FaultyBlockDevice> m = Fixtures.faultyMirrors(2, 8);
    try (MirroredVolume v = MirroredVolume.builder(Fixtures.devices(m)).build()) {
      List<Checksum> sums = v.write(0, Fixtures.data(2, 1)).join();
      assertThatThrownBy(() -> v.readOnCaller(0, sums, ByteBuffer.allocate(BLOCK_SIZE)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exactly 8192");
      assertThatThrownBy(() -> v.readOnCaller(0, sums, ByteBuffer.allocate(3 * BLOCK_SIZE)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("12288 bytes left");
      assertThatThrownBy(() -> v.readOnCaller(0, sums,
          ByteBuffer.allocate(2 * BLOCK_SIZE).asReadOnlyBuffer()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("read-only");
      assertThat(m.get(0).reads(0) + m.get(1).reads(0)).isZero();
    }
  }
}
