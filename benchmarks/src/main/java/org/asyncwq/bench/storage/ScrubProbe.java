package org.asyncwq.bench.storage;

import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.asyncwq.priority.WorkQueueStats;
import org.asyncwq.storage.Store;
import org.asyncwq.storage.StoreOptions;
import org.asyncwq.storage.StoreWiring;
import org.asyncwq.storage.block.ScrubReport;

/**
 * A driver for counting what one scrub of {@link StorageScrubBenchmark}'s store costs (64 objects
 * of 1 MiB, 2 mirrors, page cache warm) on a given wiring: after {@code SCRUBS} warm-up scrubs it
 * times {@code SCRUBS} more and prints per scrub the wall time, the process's CPU time (user +
 * sys, every thread), the voluntary and involuntary context switches of all the process's threads
 * ({@code /proc/self/task/}*{@code /status}, threads that ended meanwhile not counted), and on
 * asyncwq queues each queue's works run, threads started and threads retired. Before the timed
 * scrubs it looks up {@code /tmp/asyncwq-probe-scrub}, a mark for an strace log. Usage: {@code
 * ScrubProbe DIR ASYNCWQ_QUEUES|JDK_EXECUTORS SCRUBS [ROUNDS]}.
 */
public final class ScrubProbe {
  private static final int OBJECTS = 64;

  private ScrubProbe() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: ScrubProbe DIR ASYNCWQ_QUEUES|JDK_EXECUTORS SCRUBS [ROUNDS]");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    StoreWiring wiring = StoreWiring.valueOf(args[1]);
    int scrubs = Integer.parseInt(args[2]);
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 1;
    var os = (com.sun.management.OperatingSystemMXBean)
        ManagementFactory.getOperatingSystemMXBean();
    byte[] data = new byte[StorageScrubBenchmark.OBJECT];
    try (Store s = Store.create(dir, StoreOptions.builder().mirrors(2)
        .deviceSize(StoreSubject.DEVICE_SIZE).build(), wiring)) {
      for (int i = 0; i < OBJECTS; i++) {
        new SplittableRandom(i).nextBytes(data);
        s.put("o" + i, new ByteArrayInputStream(data));
      }
      for (int i = 0; i < scrubs; i++) {
        scrub(s);
      }
      Files.exists(Path.of("/tmp/asyncwq-probe-scrub"));
      for (int r = 0; r < rounds; r++) {
        Map<String, WorkQueueStats> q0 = s.stats().queues();
        long[] cs0 = contextSwitches();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        long blocks = 0;
        for (int i = 0; i < scrubs; i++) {
          blocks += scrub(s);
        }
        long t = System.nanoTime() - t0;
        long cpu = os.getProcessCpuTime() - cpu0;
        long[] cs1 = contextSwitches();
        Map<String, WorkQueueStats> q1 = s.stats().queues();
        StringBuilder queues = new StringBuilder();
        for (String name : q1.keySet()) {
          var a = q0.get(name).normal().pool();
          var b = q1.get(name).normal().pool();
          long works = b.executed() - a.executed();
          if (works != 0 || b.spawned() != a.spawned() || b.retired() != a.retired()) {
            queues.append(String.format(" %s: %.1f works, %d started, %d retired;", name,
                (double) works / scrubs, b.spawned() - a.spawned(), b.retired() - a.retired()));
          }
        }
        System.out.printf("%s: %d scrubs of %d blocks: %.2f ms wall, %.2f ms CPU per scrub"
            + " (%.2f cores); per scrub %.1f voluntary, %.1f involuntary context switches;%s%n",
            wiring, scrubs, blocks / scrubs, t / 1e6 / scrubs, cpu / 1e6 / scrubs,
            (double) cpu / t, (double) (cs1[0] - cs0[0]) / scrubs,
            (double) (cs1[1] - cs0[1]) / scrubs, queues);
      }
    } finally {
      BenchDirectory.delete(dir);
    }
  }

  private static long scrub(Store s) throws Exception {
    ScrubReport r = s.scrub((done, total) -> {}).get();
    if (r.uncorrectable() != 0 || r.csumErrors() != 0) {
      throw new IllegalStateException("scrub found damage: " + r);
    }
    return r.blocks();
  }

  /** Voluntary and involuntary context switches summed over the process's live threads. */
  private static long[] contextSwitches() throws java.io.IOException {
    long[] sum = new long[2];
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        try {
          for (String line : Files.readAllLines(t.resolve("status"))) {
            if (line.startsWith("voluntary_ctxt_switches:")) {
              sum[0] += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
              sum[1] += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
          }
        } catch (java.nio.file.NoSuchFileException gone) {
          // the thread ended meanwhile
        }
      }
    }
    return sum;
  }
}
