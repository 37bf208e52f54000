package org.asyncwq.storage.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.asyncwq.storage.block.BlockDevice.BLOCK_SIZE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Writes to real files and to failing mirrors (point 6), flushes, and per-mirror IO. */
@Timeout(60)
class MirroredVolumeWriteTest {
  @TempDir Path dir;

  @Test
  void largeWriteLandsOnEveryFileMirrorWithOneChecksumPerBlockAndReopens() throws Exception {
    ByteBuffer data = Fixtures.data(300, 77);
    List<Checksum> sums;
    List<BlockDevice> files = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      files.add(FileBlockDevice.create(dir.resolve("m" + i), 512));
    }
    try (MirroredVolume v = MirroredVolume.builder(files).checksum(ChecksumType.XXH64).build()) {
      sums = v.write(100, data).join();
      v.flush().join();
      assertThat(data.position()).isZero();
      assertThat(v.stats().writes()).isEqualTo(300);
    }
    assertThat(sums).hasSize(300);
    for (int i = 0; i < 300; i++) {
      ByteBuffer block = data.duplicate().position(i * BLOCK_SIZE).limit((i + 1) * BLOCK_SIZE);
      assertThat(sums.get(i)).isEqualTo(Checksum.of(ChecksumType.XXH64, block));
    }
    for (int i = 0; i < 2; i++) {
      try (FileBlockDevice f = FileBlockDevice.open(dir.resolve("m" + i))) {
        ByteBuffer back = ByteBuffer.allocate(300 * BLOCK_SIZE);
        f.read(100, back);
        assertThat(back.flip()).as("mirror %d", i).isEqualTo(data);
      }
    }
    List<BlockDevice> reopened = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      reopened.add(FileBlockDevice.open(dir.resolve("m" + i)));
    }
    try (MirroredVolume v = MirroredVolume.builder(reopened).build()) {
      assertThat(v.read(100, sums).join()).isEqualTo(data);
    }
  }

  @Test
  void aLargeWriteIsChecksummedInPiecesOnCsumAndWrittenOncePerMirrorOnSubmit() throws Exception {
    try (StorageQueues q = StorageQueues.builder().limitActive(StorageQueues.CSUM, 4).build();
         MirroredVolume v = MirroredVolume.builder(Fixtures.faultyMirrors(2, 256)).queues(q)
             .build()) {
      long csumBefore = q.stats().get(StorageQueues.CSUM).normal().queue().completed();
      long submitBefore = q.stats().get(StorageQueues.SUBMIT).normal().queue().completed();
      List<Checksum> sums = v.write(0, Fixtures.data(256, 1)).join();
      assertThat(sums).hasSize(256);
      q.queue(StorageQueues.CSUM).flush();
      q.queue(StorageQueues.SUBMIT).flush();
      // four pieces of 64 blocks, one per csum thread; one positional write per mirror
      assertThat(q.stats().get(StorageQueues.CSUM).normal().queue().completed() - csumBefore)
          .isEqualTo(4);
      assertThat(q.stats().get(StorageQueues.SUBMIT).normal().queue().completed() - submitBefore)
          .isEqualTo(2);
    }
  }

  @Test
  void manyConcurrentWritesAndReadsAgree() throws Exception {
    int n = 64 * Fixtures.stress();
    List<FaultyBlockDevice> m = Fixtures.faultyMirrors(2, n * 2L);
    try (MirroredVolume v = MirroredVolume.builder(Fixtures.devices(m)).build()) {
      List<CompletableFuture<List<Checksum>>> writes = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        writes.add(v.write(2L * i, Fixtures.data(2, i)));
      }
      List<CompletableFuture<ByteBuffer>> reads = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        reads.add(v.read(2L * i, writes.get(i).join()));
      }
      for (int i = 0; i < n; i++) {
        assertThat(reads.get(i).join()).isEqualTo(Fixtures.data(2, i));
      }
    }
  }

  @Test
  void point6_aWriteFailingOnOneMirrorSucceedsOnTheOthersAndCountsAWriteError() throws Exception {
    List<FaultyBlockDevice> m = Fixtures.faultyMirrors(3, 16);
    try (MirroredVolume v = MirroredVolume.builder(Fixtures.devices(m)).build()) {
      m.get(1).failWrites(4);
      ByteBuffer data = Fixtures.data(2, 5);
      List<Checksum> sums = v.write(3, data).join();

      assertThat(v.deviceStats().get(1).writeErrors()).isEqualTo(1);
      assertThat(v.deviceStats().get(0).writeErrors()).isZero();
      assertThat(v.deviceStats().get(2).writeErrors()).isZero();
      assertThat(v.read(3, sums, 0).join()).isEqualTo(data);
      assertThat(v.read(3, sums, 2).join()).isEqualTo(data);
      // mirror 1 never got the blocks: reading from it repairs them from another mirror
      m.get(1).heal();
      assertThat(v.read(3, sums, 1).join()).isEqualTo(data);
      assertThat(v.stats().corrected()).isEqualTo(2);
    }
  }

  @Test
  void point6_aWriteFailingOnEveryMirrorFails() throws Exception {
    List<FaultyBlockDevice> m = Fixtures.faultyMirrors(2, 16);
    try (MirroredVolume v = MirroredVolume.builder(Fixtures.devices(m)).build()) {
      m.get(0).failWrites(7);
      m.get(1).failWrites(7);
      assertThatThrownBy(() -> v.write(7, Fixtures.data(1, 1)).join())
          .cause().isInstanceOf(IOException.class)
          .hasMessageContaining("failed on every mirror");
      assertThat(v.deviceStats()).allSatisfy(s -> assertThat(s.writeErrors()).isEqualTo(1));
      assertThat(v.stats().writes()).isZero();
    }
  }

  @Test
  void flushSucceedsWhileOneMirrorFlushesAndFailsWhenNoneDoes() throws Exception {
    List<FaultyBlockDevice> m = Fixtures.faultyMirrors(2, 4);
    try (MirroredVolume v = MirroredVolume.builder(Fixtures.devices(m)).build()) {
      m.get(0).failFlushes(true);
      v.flush().join();
      assertThat(v.deviceStats().get(0).flushErrors()).isEqualTo(1);
      m.get(1).failFlushes(true);
      assertThatThrownBy(() -> v.flush().join())
          .cause().isInstanceOf(IOException.class).hasMessageContaining("flush failed");
    }
  }

  @Test
  void perMirrorReadsAndWritesTouchOnlyThatMirror() throws Exception {
    List<FaultyBlockDevice> m = Fixtures.faultyMirrors(2, 4);
    try (MirroredVolume v = MirroredVolume.builder(Fixtures.devices(m)).build()) {
      ByteBuffer data = Fixtures.data(1, 2);
      v.writeMirror(1, 0, data).join();
      assertThat(m.get(0).writes(0)).isZero();
      assertThat(v.readMirror(1, 0, 1).join()).isEqualTo(data);
      assertThat(v.readMirror(0, 0, 1).join()).isEqualTo(ByteBuffer.allocate(BLOCK_SIZE));
    }
  }
}
