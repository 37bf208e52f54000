package org.asyncwq.examples.migration;

import static org.asyncwq.examples.migration.Checksums.crc32;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.asyncwq.pool.WorkerPool;

/** Stage 1, after: the same code on a {@link WorkerPool} seen as an {@link ExecutorService}. */
public final class Stage1After {
  private Stage1After() {}

  /** The sum of the blocks' checksums, computed on a pool of at most four threads. */
  public static long sumOfChecksums(List<byte[]> blocks) throws Exception {
    // tag::after[]
    WorkerPool pool = WorkerPool.builder("csum").maxWorkers(4).build();
    ExecutorService executor = pool.asExecutorService();
    try {
      List<Future<Long>> crcs = new ArrayList<>();
      for (byte[] block : blocks) crcs.add(executor.submit(() -> crc32(block)));
      long sum = 0;
      for (Future<Long> crc : crcs) sum += crc.get();
      return sum;
    } finally {
      executor.shutdown();
      executor.awaitTermination(10, TimeUnit.SECONDS);
    }
    // end::after[]
  }
}
