package org.asyncwq.bench.storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.util.ListStatistics;

/**
 * Starts {@link StreamingProbe} in a child JVM with {@code -Xmx256m} for one contender and reads
 * back its figures: put and get throughput (MiB/s, mean ± the 99.9% error over the measured rounds,
 * as JMH computes it), CPU seconds per GiB of each, and the child's peak RSS. A child still
 * running after {@link #BOUND} is killed and reported as not finished.
 */
public final class StreamingRun {
  public static final String HEAP = "-Xmx256m";

  /** One contender's streaming figures; {@code failure} is non-null if the child did not finish. */
  public record Result(StorageContender contender, long bytes, double putMibPerSec,
      double putError, double getMibPerSec, double getError, double putCpuPerGib,
      double getCpuPerGib, long peakRssKib, String failure) {}

  private StreamingRun() {}

  /** How long a child may run before it is killed and reported as not finished. */
  static final Duration BOUND = Duration.ofHours(1);

  public static Result run(StorageContender contender, long bytes, int warmups, int rounds)
      throws IOException, InterruptedException {
    return run(contender, bytes, warmups, rounds, BOUND);
  }

  /**
   * {@link #run(StorageContender, long, int, int)} with the child killed after {@code bound}: a
   * child that hangs is reported as not finished, and its files are removed once it has ended.
   */
  static Result run(StorageContender contender, long bytes, int warmups, int rounds,
      Duration bound) throws IOException, InterruptedException {
    Path dir = BenchDirectory.create("stream");
    try {
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.add(HEAP);
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(StreamingProbe.class.getName());
      cmd.add(contender.name());
      cmd.add(Long.toString(bytes));
      cmd.add(Integer.toString(warmups));
      cmd.add(Integer.toString(rounds));
      cmd.add(dir.toString());
      // The child's output goes to a file, so waiting for it is bounded (a pipe read is not).
      Path log = dir.resolve("probe.log");
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
          .start();
      if (!p.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        if (!p.waitFor(1, TimeUnit.MINUTES)) {
          throw new IOException("the streaming child " + p.pid() + " did not end when killed");
        }
        long ms = bound.toMillis();
        return failed(contender, bytes, "did not finish within "
            + (ms >= 60_000 && ms % 60_000 == 0 ? ms / 60_000 + " min" : ms + " ms") + "; killed");
      }
      String out = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
      String line = out.lines().filter(l -> l.startsWith("streaming ")).findFirst().orElse(null);
      if (p.exitValue() != 0 || line == null) {
        String last = out.lines().reduce((a, b) -> b).orElse("no output");
        return failed(contender, bytes, "exit " + p.exitValue() + ": " + last);
      }
      return parse(contender, bytes, line);
    } finally {
      BenchDirectory.delete(dir);
    }
  }

  private static Result failed(StorageContender contender, long bytes, String why) {
    return new Result(contender, bytes, 0, 0, 0, 0, 0, 0, -1, why);
  }

  static Result parse(StorageContender contender, long bytes, String line) {
    ListStatistics put = new ListStatistics();
    ListStatistics get = new ListStatistics();
    double putCpu = 0;
    double getCpu = 0;
    long rss = -1;
    int rounds = 0;
    double mib = bytes / (double) (1 << 20);
    double gib = bytes / (double) (1L << 30);
    for (String field : line.split(" ")) {
      if (field.startsWith("round=")) {
        String[] v = field.substring(6).split(",");
        put.addValue(mib / (Long.parseLong(v[0]) / 1e9));
        putCpu += Long.parseLong(v[1]) / 1e9 / gib;
        get.addValue(mib / (Long.parseLong(v[2]) / 1e9));
        getCpu += Long.parseLong(v[3]) / 1e9 / gib;
        rounds++;
      } else if (field.startsWith("vmhwm_kib=")) {
        rss = Long.parseLong(field.substring(10));
      }
    }
    return new Result(contender, bytes, put.getMean(), error(put), get.getMean(), error(get),
        putCpu / rounds, getCpu / rounds, rss, null);
  }

  private static double error(ListStatistics s) {
    return s.getN() > 1 ? s.getMeanErrorAt(0.999) : Double.NaN;
  }
}
