package org.asyncwq.examples.migration;

import static org.asyncwq.examples.migration.Checksums.crc32;

import com.google.common.util.concurrent.MoreExecutors;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Stage 3, before: CompletableFutures chained through a sequential executor to keep order. */
public final class Stage3Before {
  private Stage3Before() {}

  /** The blocks' checksums, computed in parallel, logged in the order of the blocks. */
  public static List<Long> checksumInOrder(List<byte[]> blocks) {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      // tag::before[]
      Executor inOrder = MoreExecutors.newSequentialExecutor(pool);
      List<Long> log = new ArrayList<>();
      CompletableFuture<Void> last = CompletableFuture.completedFuture(null);
      for (byte[] block : blocks) {
        CompletableFuture<Long> crc = CompletableFuture.supplyAsync(() -> crc32(block), pool);
        last = last.thenCombineAsync(crc, (done, c) -> { log.add(c); return null; }, inOrder);
      }
      last.join();   // the chain is as long as the backlog: one future and one lambda per block
      // end::before[]
      return log;
    } finally {
      pool.shutdown();
    }
  }
}
