package org.asyncwq.bench.storage;

import java.io.FileInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.asyncwq.priority.WorkQueueStats;
import org.asyncwq.storage.Store;

/**
 * A driver for counting what a durable put costs (run it under {@code strace -f} or a profiler):
 * opens {@code CONTENDER} (default {@code ASYNCWQ}; any of {@link StorageContender}, set up as
 * {@link StoragePutBenchmark} sets it up) in a new directory, makes 50 warm-up puts, then times
 * {@code PUTS} one-producer puts of {@code SIZE} bytes into 64 slots round-robin. It prints the
 * time per put and, per timed put, the threads the JVM started and, for the store, the commits and
 * each storage queue's works, thread starts and retirements. The timed puts are bracketed by two
 * failed opens of {@code DIR/PUTPROBE-BEGIN} and {@code DIR/PUTPROBE-END}, so a trace can be cut
 * to them. Usage: {@code PutProbe DIR SIZE PUTS [CONTENDER]}.
 */
public final class PutProbe {
  private static final int WARM_UP = 50;

  private PutProbe() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 3 || args.length > 4) {
      System.err.println("usage: PutProbe DIR SIZE PUTS [CONTENDER] (DIR must not exist;"
          + " CONTENDER one of ASYNCWQ, JDK_EXECUTORS, RAW_FILECHANNEL, ROCKSDB)");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    int size = Integer.parseInt(args[1]);
    int puts = Integer.parseInt(args[2]);
    StorageContender contender =
        args.length == 4 ? StorageContender.valueOf(args[3]) : StorageContender.ASYNCWQ;
    byte[] data = new byte[size];
    new Random(size).nextBytes(data);
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    try (Subject s = Subject.open(contender, dir, size)) {
      Store store = s instanceof StoreSubject ss ? ss.store() : null;
      for (int i = 0; i < WARM_UP; i++) {
        s.put(i % StoragePutBenchmark.SLOTS, data);
      }
      Map<String, WorkQueueStats> q0 = store == null ? Map.of() : store.stats().queues();
      long commits0 = store == null ? 0 : store.stats().commits();
      long started0 = threads.getTotalStartedThreadCount();
      marker(dir, "PUTPROBE-BEGIN");
      long t0 = System.nanoTime();
      for (int i = 0; i < puts; i++) {
        s.put(i % StoragePutBenchmark.SLOTS, data);
      }
      long t = System.nanoTime() - t0;
      marker(dir, "PUTPROBE-END");
      long started = threads.getTotalStartedThreadCount() - started0;
      System.out.printf("%s: %d puts of %d B: %.3f ms per put; JVM threads started per put %.3f%n",
          contender, puts, size, t / 1e6 / puts, (double) started / puts);
      if (store != null) {
        System.out.printf("  commits per put %.3f%n",
            (double) (store.stats().commits() - commits0) / puts);
        store.stats().queues().forEach((name, q) -> {
          var a = q0.get(name).normal().pool();
          var b = q.normal().pool();
          System.out.printf("  queue %-12s per put: works %.3f, threads spawned %.3f, retired %.3f"
                  + "; live workers %d%n", name, (double) (b.executed() - a.executed()) / puts,
              (double) (b.spawned() - a.spawned()) / puts,
              (double) (b.retired() - a.retired()) / puts, b.workers());
        });
      }
    }
  }

  /** A failed open of {@code dir/name}: a line in a syscall trace, nothing else. */
  private static void marker(Path dir, String name) {
    try (FileInputStream ignored = new FileInputStream(dir.resolve(name).toFile())) {
      throw new IllegalStateException(name + " exists");
    } catch (IOException expected) {
      // the trace shows the failed openat
    }
  }
}
