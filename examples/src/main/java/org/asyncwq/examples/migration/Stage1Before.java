package org.asyncwq.examples.migration;

import static org.asyncwq.examples.migration.Checksums.crc32;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Stage 1, before: a fixed JDK thread pool. */
public final class Stage1Before {
  private Stage1Before() {}

  /** The sum of the blocks' checksums, computed on a pool of four threads. */
  public static long sumOfChecksums(List<byte[]> blocks) throws Exception {
    // tag::before[]
    ExecutorService executor = Executors.newFixedThreadPool(4);
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
    // end::before[]
  }
}
