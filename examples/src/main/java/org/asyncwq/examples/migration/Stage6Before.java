package org.asyncwq.examples.migration;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Stage 6, before: one pool runs both the writes and their completions, and a write waits for its
 * completion. It hangs as soon as the pool's threads are all writes: their completions wait
 * behind them for a thread that never comes.
 */
public final class Stage6Before {
  private Stage6Before() {}

  /**
   * Writes blocks 0..count-1 on a pool of {@code threads} threads and returns the completed blocks.
   *
   * @throws java.util.concurrent.TimeoutException when a write did not complete within {@code
   *     patience}: the hang, once {@code count >= threads}
   */
  public static Set<Integer> write(int count, int threads, Duration patience) throws Exception {
    Set<Integer> completed = ConcurrentHashMap.newKeySet();
    // tag::before[]
    ExecutorService io = Executors.newFixedThreadPool(threads);   // writes and end-IO alike
    try {
      List<Future<Void>> writes = new ArrayList<>();
      for (int block = 0; block < count; block++) {
        int b = block;
        Callable<Void> write = () -> {
          // checksum, submit to the device, then wait for the end-IO work to finish
          CompletableFuture<Void> endio = CompletableFuture.runAsync(() -> completed.add(b), io);
          return endio.get();   // holds a thread of the pool that must run endio
        };
        writes.add(io.submit(write));
      }
      for (Future<Void> w : writes) w.get(patience.toMillis(), TimeUnit.MILLISECONDS);
    } finally {
      io.shutdownNow();   // interrupts writes that wait for an end-IO that never ran
      io.awaitTermination(10, TimeUnit.SECONDS);
    }
    // end::before[]
    return completed;
  }
}
