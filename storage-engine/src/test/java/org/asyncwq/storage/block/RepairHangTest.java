package org.asyncwq.storage.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.asyncwq.storage.block.BlockDevice.BLOCK_SIZE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seed 003, "implement repair function when direct read fails": a repair read's completion must not
 * be queued on the end-IO queue whose work is blocked waiting for it.
 *
 * <p>The naive wiring is reproduced with the real queues and devices: the endio work verifies a
 * block, finds it bad, submits the repair read of the other mirror, and waits for the repair's
 * completion, which the naive wiring queues on {@code endio} itself. With {@code endio} limited to
 * one active work, that work waits for a work queued behind it: the reads do not complete within
 * the bound. The test then fails the waits, lets the queues drain and closes them. The seed's fix
 * (the same wait, the completion on {@code endio-repair}) completes, and so do 1,000 concurrent
 * reads through {@link MirroredVolume}, whose endio work never waits at all.
 */
@Timeout(60)
class RepairHangTest {
  private static final long BOUND_MS = 2000;
  private static final int READS = 8;

  /** One block written to both mirrors and corrupted on mirror 0. */
  private static final class BadOnMirror0 {
    final List<FaultyBlockDevice> mirrors = Fixtures.faultyMirrors(2, READS);
    final List<Checksum> sums = new ArrayList<>();

    BadOnMirror0() throws IOException {
      for (int b = 0; b < READS; b++) {
        ByteBuffer data = Fixtures.data(1, b);
        sums.add(Checksum.of(ChecksumType.CRC32C, data));
        for (FaultyBlockDevice m : mirrors) {
          m.write(b, data.duplicate());
        }
        mirrors.get(0).corrupt(b, 1);
      }
    }
  }

  /**
   * Starts READS reads in the btrfs direct-IO shape: read mirror 0 on submit; on endio verify, and
   * on a bad block submit the repair read of mirror 1 and wait for its completion, which is queued
   * on {@code repairCompletion}.
   */
  private static CountDownLatch readsWaitingForRepair(StorageQueues q, BadOnMirror0 disk,
      Executor repairCompletion, Set<Thread> blockedEndio,
      List<CompletableFuture<ByteBuffer>> waits) {
    Executor submit = q.executor(StorageQueues.SUBMIT);
    Executor endio = q.executor(StorageQueues.ENDIO);
    CountDownLatch done = new CountDownLatch(READS);
    for (int b = 0; b < READS; b++) {
      long block = b;
      CompletableFuture<ByteBuffer> repaired = new CompletableFuture<>();
      waits.add(repaired);
      submit.execute(() -> {
        ByteBuffer first = read(disk.mirrors.get(0), block);
        endio.execute(() -> {
          if (disk.sums.get((int) block).matches(first)) {
            done.countDown();
            return;
          }
          submit.execute(() -> {
            ByteBuffer copy = read(disk.mirrors.get(1), block);
            repairCompletion.execute(() -> repaired.complete(copy));
          });
          blockedEndio.add(Thread.currentThread());
          try {
            ByteBuffer good = repaired.join(); // the endio work waits for the repair
            if (disk.sums.get((int) block).matches(good)) {
              done.countDown();
            }
          } catch (RuntimeException released) {
            // the test let go of the wait after the bound
          } finally {
            blockedEndio.remove(Thread.currentThread());
          }
        });
      });
    }
    return done;
  }

  private static ByteBuffer read(BlockDevice dev, long block) {
    ByteBuffer buf = ByteBuffer.allocate(BLOCK_SIZE);
    try {
      dev.read(block, buf);
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
    return buf.flip();
  }

  @Test
  void naiveWiringRepairCompletionOnTheEndioQueueHangsWithinTheBound() throws Exception {
    BadOnMirror0 disk = new BadOnMirror0();
    Set<Thread> blocked = ConcurrentHashMap.newKeySet();
    List<CompletableFuture<ByteBuffer>> waits = new ArrayList<>();
    StorageQueues q = StorageQueues.builder().limitActive(StorageQueues.ENDIO, 1).build();
    try {
      CountDownLatch done = readsWaitingForRepair(q, disk, q.executor(StorageQueues.ENDIO),
          blocked, waits);

      assertThat(done.await(BOUND_MS, TimeUnit.MILLISECONDS))
          .as("naive wiring completed reads; the hang did not reproduce").isFalse();
      assertThat(done.getCount()).isEqualTo(READS);
      assertThat(blocked).singleElement()
          .satisfies(t -> assertThat(t.getState()).isEqualTo(Thread.State.WAITING));
    } finally {
      // clean up: let go of every wait, then drain and stop the queues and their threads
      waits.forEach(w -> w.completeExceptionally(new IllegalStateException("hang test bound")));
      q.close();
    }
    assertThat(blocked).isEmpty();
  }

  @Test
  void seedFixRepairCompletionOnEndioRepairCompletesWithTheSameWait() throws Exception {
    BadOnMirror0 disk = new BadOnMirror0();
    try (StorageQueues q = StorageQueues.builder().limitActive(StorageQueues.ENDIO, 1).build()) {
      CountDownLatch done = readsWaitingForRepair(q, disk,
          q.executor(StorageQueues.ENDIO_REPAIR), ConcurrentHashMap.newKeySet(), new ArrayList<>());
      assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void oursThousandConcurrentReadsOfBlocksBadOnMirror0AllCompleteWithEndioAtOne()
      throws Exception {
    int reads = 1000;
    List<FaultyBlockDevice> mirrors = Fixtures.faultyMirrors(2, reads);
    try (StorageQueues q = StorageQueues.builder().limitActive(StorageQueues.ENDIO, 1).build();
         MirroredVolume v = MirroredVolume.builder(Fixtures.devices(mirrors)).queues(q).build()) {
      ByteBuffer data = Fixtures.data(reads, 1000);
      List<Checksum> sums = v.write(0, data).join();
      for (int b = 0; b < reads; b++) {
        mirrors.get(0).corrupt(b, b % BLOCK_SIZE);
      }
      List<CompletableFuture<ByteBuffer>> all = new ArrayList<>();
      for (int b = 0; b < reads; b++) {
        all.add(v.read(b, sums.subList(b, b + 1), 0));
      }
      CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
      for (int b = 0; b < reads; b++) {
        assertThat(all.get(b).join())
            .isEqualTo(data.duplicate().position(b * BLOCK_SIZE).limit((b + 1) * BLOCK_SIZE));
      }
      assertThat(v.stats().corrected()).isEqualTo(reads);
      assertThat(v.deviceStats().get(0).corruptionErrors()).isEqualTo(reads);
      assertThat(v.deviceStats().get(0).state()).isEqualTo(DeviceState.HEALTHY);
      assertThat(q.queue(StorageQueues.ENDIO).limitActive()).isEqualTo(1);
    }
  }
}
