package org.asyncwq.storage.block;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.asyncwq.pool.WorkerPool;
import org.asyncwq.priority.WorkQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seed 002, btrfs' first worker pools: "Two worker pools are created, one for writes and one for
 * endio processing. The two could deadlock if we tried to service both from a single pool."
 *
 * <p>The naive shape: checksum-submit and end-IO share one queue of N threads; each write's
 * checksum-submit work writes the block and then waits for its end-IO work, queued on the same
 * queue. Under N+1 concurrent writes every thread waits for a work queued behind it: none completes
 * within the bound. The test then fails the waits and closes the queue. With the storage queues
 * (checksum-submit on {@code submit}, end-IO on {@code endio-write}) the same shape completes, and
 * so do N+1 concurrent {@link MirroredVolume} writes with {@code csum} and {@code submit} at N.
 */
@Timeout(60)
class SharedPoolHangTest {
  private static final long BOUND_MS = 2000;
  private static final int N = 2;

  /** N+1 writes whose checksum-submit work waits for its end-IO work. */
  private static CountDownLatch writesWaitingForEndio(Executor csumSubmit, Executor endio,
      BlockDevice device, List<CompletableFuture<Void>> waits) {
    CountDownLatch done = new CountDownLatch(N + 1);
    for (int i = 0; i <= N; i++) {
      long block = i;
      CompletableFuture<Void> ended = new CompletableFuture<>();
      waits.add(ended);
      csumSubmit.execute(() -> {
        ByteBuffer data = Fixtures.data(1, block);
        Checksum.of(ChecksumType.CRC32C, data);
        try {
          device.write(block, data);
        } catch (IOException e) {
          ended.completeExceptionally(e);
        }
        endio.execute(() -> ended.complete(null));
        try {
          ended.join(); // the submitter waits for its completion
          done.countDown();
        } catch (RuntimeException released) {
          // the test let go of the wait after the bound
        }
      });
    }
    return done;
  }

  @Test
  void naiveOnePoolForChecksumSubmitAndEndioDeadlocksUnderNPlusOneWrites() throws Exception {
    List<CompletableFuture<Void>> waits = new ArrayList<>();
    WorkerPool starter = WorkerPool.starter("starter");
    WorkQueue shared = WorkQueue.builder("csum-submit-endio").limitActive(N).threshold(1)
        .starter(starter).build();
    try {
      Executor one = new QueueExecutor(shared);
      CountDownLatch done = writesWaitingForEndio(one, one, new MemoryBlockDevice(N + 1), waits);

      assertThat(done.await(BOUND_MS, TimeUnit.MILLISECONDS))
          .as("the shared pool completed the writes; the hang did not reproduce").isFalse();
      assertThat(done.getCount()).isEqualTo(N + 1);
      assertThat(shared.pending()).isGreaterThan(0);
    } finally {
      waits.forEach(w -> w.completeExceptionally(new IllegalStateException("hang test bound")));
      shared.close();
      starter.close();
    }
    assertThat(shared.stats().normal().pool().workers()).isZero();
  }

  @Test
  void separateSubmitAndEndioWriteQueuesCompleteTheSameShape() throws Exception {
    try (StorageQueues q = StorageQueues.builder()
        .limitActive(StorageQueues.CSUM, N).limitActive(StorageQueues.SUBMIT, N).build()) {
      CountDownLatch done = writesWaitingForEndio(q.executor(StorageQueues.SUBMIT),
          q.executor(StorageQueues.ENDIO_WRITE), new MemoryBlockDevice(N + 1), new ArrayList<>());
      assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void oursNPlusOneConcurrentVolumeWritesCompleteWithCsumAndSubmitAtN() throws Exception {
    int writes = (N + 1) * 10 * Fixtures.stress();
    try (StorageQueues q = StorageQueues.builder()
            .limitActive(StorageQueues.CSUM, N).limitActive(StorageQueues.SUBMIT, N).build();
         MirroredVolume v = MirroredVolume.builder(
             Fixtures.devices(Fixtures.faultyMirrors(2, writes * 4L))).queues(q).build()) {
      List<CompletableFuture<List<Checksum>>> all = new ArrayList<>();
      for (int i = 0; i < writes; i++) {
        all.add(v.write(4L * i, Fixtures.data(4, i)));
      }
      CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
      for (int i = 0; i < writes; i++) {
        assertThat(v.read(4L * i, all.get(i).join()).join()).isEqualTo(Fixtures.data(4, i));
      }
    }
  }
}
