package org.asyncwq.storage.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13: {@link MirroredVolume#writeOnCaller} writes every healthy mirror and computes the same
 * checksums as {@code write} on the calling thread (complete on return, no queue work), with the
 * same failure rule; {@link MirroredVolume#flushOnCaller} flushes every mirror at once with one
 * {@code submit} work per mirror beyond the first and no {@code endio-write} work.
 */
@Timeout(60)
class WriteOnCallerTest {
  @TempDir Path dir;

  private static long completed(StorageQueues q, String name) {
    return q.stats().get(name).normal().queue().completed();
  }

  private static long works(StorageQueues q) {
    long n = 0;
    for (String name : StorageQueues.NAMES) {
      n += completed(q, name);
    }
    return n;
  }

  @Test
  void aWriteOnTheCallerIsCompleteOnReturnQueuesNoWorkAndMatchesTheQueuedWrite()
      throws Exception {
    List<FaultyBlockDevice> m = Fixtures.faultyMirrors(2, 64);
    try (StorageQueues q = StorageQueues.create();
         MirroredVolume v = MirroredVolume.builder(Fixtures.devices(m)).queues(q).build()) {
      ByteBuffer data = Fixtures.data(16, 7);
      List<Checksum> queued = v.write(0, data).join();
      long works = works(q);

      CompletableFuture<List<Checksum>> f = v.writeOnCaller(32, data);

      assertThat(f).isDone();
      assertThat(f.join()).isEqualTo(queued);
      assertThat(works(q)).isEqualTo(works);
      assertThat(data.position()).isZero();
      for (FaultyBlockDevice d : m) {
        assertThat(d.writes(32)).isEqualTo(1);
        ByteBuffer back = ByteBuffer.allocate(16 * BlockDevice.BLOCK_SIZE);
        d.read(32, back);
        assertThat(back.flip()).isEqualTo(data);
      }
      assertThat(v.readOnCaller(32, f.join()).join()).isEqualTo(data);
      assertThat(v.stats().writes()).isEqualTo(32);
    }
  }

  @Test
  void aMirrorThatFailsCountsAWriteErrorAndTheOtherTakesTheWrite() throws Exception {
    List<FaultyBlockDevice> m = Fixtures.faultyMirrors(2, 16);
    try (MirroredVolume v = MirroredVolume.builder(Fixtures.devices(m)).build()) {
      ByteBuffer data = Fixtures.data(2, 4);
      m.get(1).failWrites(3);

      List<Checksum> sums = v.writeOnCaller(2, data).join();

      assertThat(v.deviceStats().get(1).writeErrors()).isEqualTo(1);
      assertThat(v.deviceStats().get(0).writeErrors()).isZero();
      assertThat(v.read(2, sums, 0).join()).isEqualTo(data);
    }
  }

  @Test
  void aWriteNoMirrorTookFailsSayingWhichBlocks() throws Exception {
    List<FaultyBlockDevice> m = Fixtures.faultyMirrors(2, 16);
    try (MirroredVolume v = MirroredVolume.builder(Fixtures.devices(m)).build()) {
      m.get(0).failWrites(5);
      m.get(1).failWrites(5);

      CompletableFuture<List<Checksum>> f = v.writeOnCaller(5, Fixtures.data(1, 1));

      assertThat(f).isCompletedExceptionally();
      assertThatThrownBy(f::join).hasCauseInstanceOf(IOException.class)
          .hasMessageContaining("write of blocks [5, 6) failed on every mirror");
      assertThat(v.deviceStats()).allSatisfy(s -> assertThat(s.writeErrors()).isEqualTo(1));
    }
  }

  @Test
  void anInterruptedCallerWritesThroughTheQueuesAndKeepsItsFlag() throws Exception {
    BlockDevice a = FileBlockDevice.create(dir.resolve("a"), 16);
    BlockDevice b = FileBlockDevice.create(dir.resolve("b"), 16);
    try (StorageQueues q = StorageQueues.create();
         MirroredVolume v = MirroredVolume.builder(List.of(a, b)).queues(q).build()) {
      ByteBuffer data = Fixtures.data(4, 3);
      long submit = completed(q, StorageQueues.SUBMIT);
      CompletableFuture<List<Checksum>> f;
      Thread.currentThread().interrupt();
      try {
        f = v.writeOnCaller(0, data);
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
      } finally {
        Thread.interrupted();
      }
      List<Checksum> sums = f.get(30, TimeUnit.SECONDS);
      // the queue counts a work once its body returned, which can be after the future completed
      await().atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(completed(q, StorageQueues.SUBMIT)).isEqualTo(submit + 2));
      assertThat(v.read(0, sums, 0).join()).isEqualTo(data);
      assertThat(v.read(0, sums, 1).join()).isEqualTo(data);
      assertThat(v.deviceStats()).allSatisfy(s -> assertThat(s.writeErrors()).isZero());
    }
  }

  @Test
  void flushOnTheCallerFlushesEveryMirrorWithOneSubmitWorkPerOtherMirror() throws Exception {
    List<FaultyBlockDevice> m = Fixtures.faultyMirrors(3, 16);
    try (StorageQueues q = StorageQueues.create();
         MirroredVolume v = MirroredVolume.builder(Fixtures.devices(m)).queues(q).build()) {
      v.writeOnCaller(1, Fixtures.data(1, 2)).join();
      assertThat(m).allSatisfy(d -> assertThat(d.unsyncedWrites()).isPositive());
      long submit = completed(q, StorageQueues.SUBMIT);
      long endioWrite = completed(q, StorageQueues.ENDIO_WRITE);

      v.flushOnCaller().get(30, TimeUnit.SECONDS);

      assertThat(m).allSatisfy(d -> assertThat(d.unsyncedWrites()).isZero());
      // the queue counts a work once its body returned, which can be after the future completed
      await().atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(completed(q, StorageQueues.SUBMIT)).isEqualTo(submit + 2));
      assertThat(completed(q, StorageQueues.ENDIO_WRITE)).isEqualTo(endioWrite);
    }
  }

  @Test
  void flushOnTheCallerFailsOnlyWhenEveryMirrorFailedAndCountsEachFailure() throws Exception {
    List<FaultyBlockDevice> m = Fixtures.faultyMirrors(2, 16);
    try (MirroredVolume v = MirroredVolume.builder(Fixtures.devices(m)).build()) {
      m.get(0).failFlushes(true);
      v.flushOnCaller().get(30, TimeUnit.SECONDS);
      assertThat(v.deviceStats().get(0).flushErrors()).isEqualTo(1);
      assertThat(v.deviceStats().get(1).flushErrors()).isZero();

      m.get(1).failFlushes(true);
      assertThatThrownBy(() -> v.flushOnCaller().get(30, TimeUnit.SECONDS))
          .hasCauseInstanceOf(IOException.class)
          .hasMessageContaining("flush failed on every mirror");
      assertThat(v.deviceStats()).allSatisfy(s -> assertThat(s.flushErrors()).isPositive());
    }
  }
}
