package org.asyncwq.bench.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.asyncwq.storage.StoreWiring;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.Checksum;
import org.asyncwq.storage.block.ChecksumType;
import org.asyncwq.storage.block.FaultyBlockDevice;
import org.asyncwq.storage.block.FileBlockDevice;
import org.asyncwq.storage.block.JdkExecutorQueuesModule;
import org.asyncwq.storage.block.MirroredVolume;
import org.asyncwq.storage.block.StorageQueues;

/**
 * The seed 002 and 003 hang scenarios, run with a bound on either wiring of the storage queues
 * ({@link StoreWiring}), on device files in a given directory. Each run says whether the scenario
 * completed within the bound or hung; a hung run is cleaned up (its waits released, the queues
 * drained and stopped, every thread that waited has ended, the files closed) before it returns.
 *
 * <ul>
 *   <li>seed 002 "one pool": each write's checksum-submit work waits for its end-IO work, both on
 *       the {@code submit} queue of N threads, N+1 writes at once (the naive shape);
 *   <li>seed 002 "split": the same waits with end-IO on {@code endio-write} (the seed's fix);
 *   <li>seed 002 "stack": (N+1)×10 concurrent {@link MirroredVolume} writes, csum and submit at N;
 *   <li>seed 003 "one pool": the end-IO work of a bad block waits for the repair read whose
 *       completion is queued on {@code endio} itself, endio at 1 (the naive shape);
 *   <li>seed 003 "split": the same wait, completion on {@code endio-repair} (the seed's fix);
 *   <li>seed 003 "stack": 1,000 concurrent volume reads of blocks bad on mirror 0, endio at 1.
 * </ul>
 */
public final class HangScenarios {
  static final int N = 2;
  static final int BAD_READS = 8;
  static final int STACK_READS = 1000;

  /** What one scenario did on one wiring within {@code boundMillis}. */
  public record Outcome(String scenario, StoreWiring wiring, boolean hung, long boundMillis,
      boolean cleanedUp) {
    public String verdict() {
      return (hung ? "hangs" : "does not hang") + " (bound " + boundMillis + " ms)"
          + (cleanedUp ? "" : ", NOT cleaned up");
    }
  }

  private HangScenarios() {}

  /** Every scenario on {@code wiring}, in the order of the class comment. */
  public static List<Outcome> all(StoreWiring wiring, Path dir, long boundMillis)
      throws Exception {
    List<Outcome> out = new ArrayList<>();
    out.add(seed002Waits(wiring, dir.resolve("002-one"), boundMillis, true));
    out.add(seed002Waits(wiring, dir.resolve("002-split"), boundMillis, false));
    out.add(seed002Stack(wiring, dir.resolve("002-stack"), boundMillis));
    out.add(seed003Waits(wiring, dir.resolve("003-one"), boundMillis, true));
    out.add(seed003Waits(wiring, dir.resolve("003-split"), boundMillis, false));
    out.add(seed003Stack(wiring, dir.resolve("003-stack"), boundMillis));
    return out;
  }

  static StorageQueues queues(StoreWiring wiring, Map<String, Integer> limits) {
    if (wiring == StoreWiring.JDK_EXECUTORS) {
      return JdkExecutorQueuesModule.threadPoolQueues(limits);
    }
    StorageQueues.Builder b = StorageQueues.builder();
    limits.forEach(b::limitActive);
    return b.build();
  }

  private static List<BlockDevice> files(Path dir, int mirrors, long blocks) throws IOException {
    Files.createDirectories(dir);
    List<BlockDevice> devices = new ArrayList<>();
    for (int m = 0; m < mirrors; m++) {
      devices.add(FileBlockDevice.create(dir.resolve("mirror-" + m + ".img"), blocks));
    }
    return devices;
  }

  private static void closeAll(List<? extends BlockDevice> devices) throws IOException {
    for (BlockDevice d : devices) {
      d.close();
    }
  }

  private static ByteBuffer data(int blocks, long seed) {
    byte[] b = new byte[blocks * BlockDevice.BLOCK_SIZE];
    new Random(seed).nextBytes(b);
    return ByteBuffer.wrap(b);
  }

  /** Joins every thread that waited; whether all have ended. */
  private static boolean ended(Set<Thread> waited) throws InterruptedException {
    for (Thread t : waited) {
      t.join(TimeUnit.SECONDS.toMillis(10));
    }
    return waited.stream().noneMatch(Thread::isAlive);
  }

  static Outcome seed002Waits(StoreWiring wiring, Path dir, long bound, boolean onePool)
      throws Exception {
    List<BlockDevice> devices = files(dir, 1, N + 1);
    StorageQueues q = queues(wiring, Map.of(StorageQueues.SUBMIT, N));
    List<CompletableFuture<Void>> waits = new ArrayList<>();
    Set<Thread> waited = ConcurrentHashMap.newKeySet();
    boolean done;
    try {
      Executor submit = q.executor(StorageQueues.SUBMIT);
      Executor endio = onePool ? submit : q.executor(StorageQueues.ENDIO_WRITE);
      CountDownLatch writes = new CountDownLatch(N + 1);
      for (int i = 0; i <= N; i++) {
        long block = i;
        CompletableFuture<Void> ended = new CompletableFuture<>();
        waits.add(ended);
        submit.execute(() -> {
          waited.add(Thread.currentThread());
          ByteBuffer d = data(1, block);
          Checksum.of(ChecksumType.CRC32C, d);
          try {
            devices.get(0).write(block, d);
          } catch (IOException e) {
            ended.completeExceptionally(e);
          }
          endio.execute(() -> ended.complete(null));
          try {
            ended.join(); // the submitter waits for its completion
            writes.countDown();
          } catch (RuntimeException released) {
            // released after the bound
          }
        });
      }
      done = writes.await(bound, TimeUnit.MILLISECONDS);
    } finally {
      waits.forEach(w -> w.completeExceptionally(new IllegalStateException("hang bound")));
      q.close();
      closeAll(devices);
    }
    return new Outcome("seed 002, checksum-submit waits for end-IO, "
        + (onePool ? "both on one queue of " + N + " threads" : "end-IO on endio-write") + ", "
        + (N + 1) + " writes", wiring, !done, bound, ended(waited));
  }

  static Outcome seed002Stack(StoreWiring wiring, Path dir, long bound) throws Exception {
    int writes = (N + 1) * 10;
    List<BlockDevice> devices = files(dir, 2, writes * 4L);
    StorageQueues q = queues(wiring, Map.of(StorageQueues.CSUM, N, StorageQueues.SUBMIT, N));
    boolean done;
    try (MirroredVolume v = MirroredVolume.builder(devices).queues(q).build()) {
      List<CompletableFuture<List<Checksum>>> all = new ArrayList<>();
      for (int i = 0; i < writes; i++) {
        all.add(v.write(4L * i, data(4, i)));
      }
      done = completes(all, bound);
    } finally {
      q.close();
      closeAll(devices);
    }
    return new Outcome("seed 002, " + writes + " concurrent mirrored volume writes, csum and"
        + " submit at " + N, wiring, !done, bound, true);
  }

  static Outcome seed003Waits(StoreWiring wiring, Path dir, long bound, boolean onePool)
      throws Exception {
    List<FaultyBlockDevice> mirrors = new ArrayList<>();
    for (BlockDevice d : files(dir, 2, BAD_READS)) {
      mirrors.add(new FaultyBlockDevice(d));
    }
    List<Checksum> sums = new ArrayList<>();
    for (int b = 0; b < BAD_READS; b++) {
      ByteBuffer d = data(1, b);
      sums.add(Checksum.of(ChecksumType.CRC32C, d));
      for (FaultyBlockDevice m : mirrors) {
        m.write(b, d.duplicate());
      }
      mirrors.get(0).corrupt(b, 1);
    }
    StorageQueues q = queues(wiring, Map.of(StorageQueues.ENDIO, 1));
    List<CompletableFuture<ByteBuffer>> waits = new ArrayList<>();
    Set<Thread> waited = ConcurrentHashMap.newKeySet();
    boolean done;
    try {
      Executor submit = q.executor(StorageQueues.SUBMIT);
      Executor endio = q.executor(StorageQueues.ENDIO);
      Executor completion = onePool ? endio : q.executor(StorageQueues.ENDIO_REPAIR);
      CountDownLatch reads = new CountDownLatch(BAD_READS);
      for (int b = 0; b < BAD_READS; b++) {
        long block = b;
        CompletableFuture<ByteBuffer> repaired = new CompletableFuture<>();
        waits.add(repaired);
        submit.execute(() -> {
          ByteBuffer first = read(mirrors.get(0), block);
          endio.execute(() -> {
            if (sums.get((int) block).matches(first)) {
              reads.countDown();
              return;
            }
            try {
              submit.execute(() -> {
                ByteBuffer copy = read(mirrors.get(1), block);
                completion.execute(() -> repaired.complete(copy));
              });
            } catch (RejectedExecutionException closing) {
              return; // the bound passed and the queues are closing: this read stays undone
            }
            waited.add(Thread.currentThread());
            try {
              if (sums.get((int) block).matches(repaired.join())) { // waits for the repair
                reads.countDown();
              }
            } catch (RuntimeException released) {
              // released after the bound
            }
          });
        });
      }
      done = reads.await(bound, TimeUnit.MILLISECONDS);
    } finally {
      waits.forEach(w -> w.completeExceptionally(new IllegalStateException("hang bound")));
      q.close();
      closeAll(mirrors);
    }
    return new Outcome("seed 003, end-IO waits for the repair read, its completion on "
        + (onePool ? "endio itself (endio at 1)" : "endio-repair") + ", " + BAD_READS
        + " bad blocks", wiring, !done, bound, ended(waited));
  }

  static Outcome seed003Stack(StoreWiring wiring, Path dir, long bound) throws Exception {
    List<FaultyBlockDevice> mirrors = new ArrayList<>();
    for (BlockDevice d : files(dir, 2, STACK_READS)) {
      mirrors.add(new FaultyBlockDevice(d));
    }
    StorageQueues q = queues(wiring, Map.of(StorageQueues.ENDIO, 1));
    boolean done;
    try (MirroredVolume v = MirroredVolume.builder(mirrors).queues(q).build()) {
      List<Checksum> sums = v.write(0, data(STACK_READS, 3)).get(bound, TimeUnit.MILLISECONDS);
      for (int b = 0; b < STACK_READS; b++) {
        mirrors.get(0).corrupt(b, b % BlockDevice.BLOCK_SIZE);
      }
      List<CompletableFuture<ByteBuffer>> all = new ArrayList<>();
      for (int b = 0; b < STACK_READS; b++) {
        all.add(v.read(b, sums.subList(b, b + 1), 0));
      }
      done = completes(all, bound) && v.stats().corrected() == STACK_READS;
    } finally {
      q.close();
      closeAll(mirrors);
    }
    return new Outcome("seed 003, " + STACK_READS + " concurrent volume reads of blocks bad on"
        + " mirror 0, endio at 1", wiring, !done, bound, true);
  }

  private static boolean completes(List<? extends CompletableFuture<?>> all, long bound)
      throws Exception {
    try {
      CompletableFuture.allOf(all.toArray(new CompletableFuture[0]))
          .get(bound, TimeUnit.MILLISECONDS);
      return true;
    } catch (java.util.concurrent.TimeoutException e) {
      return false;
    }
  }

  private static ByteBuffer read(BlockDevice dev, long block) {
    ByteBuffer buf = ByteBuffer.allocate(BlockDevice.BLOCK_SIZE);
    try {
      dev.read(block, buf);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buf.flip();
  }
}
