package org.asyncwq.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.asyncwq.bench.BenchmarkReport.Target;
import org.asyncwq.bench.storage.HangScenarios;
import org.asyncwq.bench.storage.StorageColdGetBenchmark;
import org.asyncwq.bench.storage.StorageContender;
import org.asyncwq.bench.storage.StorageGetBenchmark;
import org.asyncwq.bench.storage.StoragePutBenchmark;
import org.asyncwq.bench.storage.StorageScrubBenchmark;
import org.asyncwq.bench.storage.StreamingRun;
import org.asyncwq.storage.StoreWiring;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Section 7 of docs/BENCHMARKS.md, the storage benchmarks: put, get and scrub tables with the
 * issue's targets, the streaming case in a {@code -Xmx256m} child JVM, and the hang scenarios on
 * both wirings. {@link BenchmarkReport} renders it with the rest, or alone with {@code --only
 * storage}, when it replaces only this section of the page.
 */
final class StorageReport {

  /**
   * How long each JMH row runs: a smoke or quick mode, or the full mode with the forks and
   * measured iterations {@code bench/run --forks N --iterations N} asks for (default 2 and 5).
   */
  record Length(Mode mode, int forks, int iterations) {
    enum Mode { SMOKE, QUICK, FULL }

    static final Length SMOKE = new Length(Mode.SMOKE, 1, 1);
    static final Length QUICK = new Length(Mode.QUICK, 1, 3);

    static Length full(int forks, int iterations) {
      return new Length(Mode.FULL, forks, iterations);
    }

    boolean isFull() {
      return mode == Mode.FULL;
    }
  }

  private StorageReport() {}

  /** The issue sets no target against RocksDB at 4 KiB, only that the ratio be reported. */
  private static final List<Target> ROCKSDB_4K =
      List.of(new Target("ROCKSDB", Double.NaN, "size=4096"));

  /** The storage tables, each replaceable alone with {@code bench/run --only <part>}. */
  static final List<String> PARTS = List.of("storage-put", "storage-get", "storage-cold-get",
      "storage-scrub", "storage-stream", "storage-hangs");

  /** The storage tables {@code keys} asks for: all of them for {@code storage}. */
  static Set<String> partsOf(Set<String> keys) {
    if (keys.contains("storage")) {
      return new LinkedHashSet<>(PARTS);
    }
    Set<String> parts = new LinkedHashSet<>(PARTS);
    parts.retainAll(keys);
    return parts;
  }

  /**
   * Renders the storage tables in {@code parts}: the whole section 7 under the key {@code storage}
   * when every part is asked for, else each part under its own key, to replace that table alone.
   */
  static Map<String, String> render(Length length, long streamBytes, String run,
      Set<String> parts) throws Exception {
    String note = run + ' ' + lengthNote(length);
    Map<String, String> blocks = new LinkedHashMap<>();
    for (String part : parts) {
      blocks.put(part, renderPart(part, length, streamBytes, note));
    }
    if (!parts.containsAll(PARTS)) {
      return blocks;
    }
    StringBuilder md = new StringBuilder();
    md.append("## 7. Storage: the store against raw file IO, RocksDB, and itself on JDK")
        .append(" executors\n\n")
        .append("Real files in a fresh directory under ")
        .append(filesUnder(baseDir(), Path.of("").toAbsolutePath())).append(" (file system: ")
        .append(fileSystem()).append("), removed afterwards. The store: 2 mirrors, CRC32C,")
        .append(" a put returns once its commit is durable on both. ASYNCWQ is the store on")
        .append(" its asyncwq queues; JDK_EXECUTORS the same store with every storage queue on a")
        .append(" fixed ThreadPoolExecutor of the same size (JdkExecutorQueuesModule);")
        .append(" RAW_FILECHANNEL the same bytes written to 2 files with positional writes and")
        .append(" force(false) on both before a put returns, read from one; ROCKSDB rocksdbjni")
        .append(" 10.10.1.1 with sync writes and its default block checksums, same objects, same")
        .append(" threads. Page cache warm for every get and scrub. Each table names the run")
        .append(" that produced it.\n\n");
    blocks.forEach((key, body) -> md.append(Page.wrap(key, body)).append('\n'));
    return Map.of("storage", md.toString());
  }

  private static String renderPart(String part, Length length, long streamBytes, String note)
      throws Exception {
    StringBuilder md = new StringBuilder();
    switch (part) {
      case "storage-put":
        md.append("### 7a. Put (durable on return), puts per second\n\n").append(note)
            .append("\n\n");
        ScoreTable.render(md, run(StoragePutBenchmark.class, length), List.of(
            new Target("RAW_FILECHANNEL", 0.8, "size=1048576"),
            new Target("ROCKSDB", 1.5, "size=1048576"),
            new Target("ROCKSDB", 1.0, "size=65536"),
            new Target("JDK_EXECUTORS", 1.0, "")), ROCKSDB_4K);
        break;
      case "storage-get":
        md.append("### 7b. Verified get (page cache warm), gets per second\n\n").append(note)
            .append("\n\n");
        ScoreTable.render(md, run(StorageGetBenchmark.class, length), List.of(
            new Target("RAW_FILECHANNEL", 0.85, ""),
            new Target("ROCKSDB", 1.0, "size=1048576"),
            new Target("ROCKSDB", 1.0, "size=65536"),
            new Target("JDK_EXECUTORS", 1.0, "")), ROCKSDB_4K);
        break;
      case "storage-cold-get":
        md.append("### 7b'. Cold get (O_DIRECT reads, one reader), gets per second\n\n")
            .append(note).append("\n\n").append("Cold get: ").append(directIo())
            .append("\n\n");
        if (directIoWorks()) {
          ScoreTable.render(md, run(StorageColdGetBenchmark.class, length), List.of(
              new Target("RAW_FILECHANNEL", 0.85, "")));
        }
        break;
      case "storage-scrub":
        md.append("### 7c. Scrub of a 2-mirror store (64 objects of 1 MiB), scrubs per second")
            .append("\n\n").append(note).append("\n\n");
        ScoreTable.render(md, run(StorageScrubBenchmark.class, length), List.of(
            new Target("RAW_FILECHANNEL", 0.7, ""),
            new Target("JDK_EXECUTORS", 1.0, "")));
        break;
      case "storage-stream":
        renderStreaming(md, length, streamBytes, note);
        break;
      case "storage-hangs":
        renderHangs(md, length.isFull() ? 5000 : 2000, note);
        break;
      default:
        throw new IllegalArgumentException("no storage table '" + part + "'");
    }
    return md.toString();
  }

  /** {@code 1G}, {@code 256M}, {@code 4096}: a byte count with an optional K, M or G suffix. */
  static long bytes(String s) {
    String t = s.trim().toUpperCase(Locale.ROOT);
    long unit = t.endsWith("G") ? 1L << 30 : t.endsWith("M") ? 1L << 20 : t.endsWith("K") ? 1024 : 1;
    String digits = unit == 1 ? t : t.substring(0, t.length() - 1);
    try {
      long n = Long.parseLong(digits);
      if (n <= 0) {
        throw new NumberFormatException();
      }
      return n * unit;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--stream-size must be a positive byte count such as"
          + " 1G or 256M, got '" + s + "'");
    }
  }

  static String lengthNote(Length length) {
    switch (length.mode()) {
      case SMOKE:
        return "Smoke mode: 1 fork, no warm-up, one measured iteration of 0.5 s per row;"
            + " it shows the harness works, its numbers are not measurements.";
      case QUICK:
        return "Quick mode: 1 fork, 1 warm-up and 3 measured iterations of 1 s per row: too"
            + " short to decide a target.";
      default:
        return "Full mode: " + length.forks() + " forks, 3 warm-up iterations of 1 s and "
            + length.iterations() + " measured of 2 s per row.";
    }
  }

  private static Collection<RunResult> run(Class<?> benchmark, Length length)
      throws RunnerException {
    ChainedOptionsBuilder o = new OptionsBuilder().shouldFailOnError(true)
        .include(benchmark.getName() + "\\.")
        .jvmArgsAppend("-Dasyncwq.bench.dir=" + baseDir());
    switch (length.mode()) {
      case SMOKE:
        o.forks(1).warmupIterations(0).measurementIterations(1)
            .measurementTime(TimeValue.milliseconds(500));
        break;
      case QUICK:
        o.forks(1).warmupIterations(1).warmupTime(TimeValue.seconds(1))
            .measurementIterations(3).measurementTime(TimeValue.seconds(1));
        break;
      default:
        o.forks(length.forks()).warmupIterations(3).warmupTime(TimeValue.seconds(1))
            .measurementIterations(length.iterations()).measurementTime(TimeValue.seconds(2));
    }
    return new Runner(o.build()).run();
  }

  private static void renderStreaming(StringBuilder md, Length length, long bytes, String note)
      throws IOException, InterruptedException {
    int warmups = length.mode() == Length.Mode.SMOKE ? 0 : 1;
    int rounds = length.isFull() ? Math.max(5, length.iterations())
        : length.mode() == Length.Mode.QUICK ? 3 : 2;
    md.append("### 7d. Streaming put and get of ").append(size(bytes)).append(" with ")
        .append(StreamingRun.HEAP).append("\n\n").append(note).append("\n\n")
        .append("One object put as a stream (never whole in memory) and got back to a sink, in")
        .append(" a child JVM per contender with ").append(StreamingRun.HEAP).append(": ")
        .append(warmups).append(" warm-up and ").append(rounds).append(" measured rounds;")
        .append(" MiB/s mean ± 99.9% error; CPU is the process's user + sys time")
        .append(" (OperatingSystemMXBean.getProcessCpuTime, GC and every thread included) per")
        .append(" GiB; peak RSS is VmHWM of /proc/self/status at the end.\n\n")
        .append("| contender | completes | put MiB/s | get MiB/s | put CPU s/GiB |")
        .append(" get CPU s/GiB | peak RSS MiB |\n|---|---|---:|---:|---:|---:|---:|\n");
    boolean allComplete = true;
    StreamingRun.Result asyncwq = null;
    StreamingRun.Result jdk = null;
    StreamingRun.Result raw = null;
    for (StorageContender c : List.of(StorageContender.ASYNCWQ, StorageContender.JDK_EXECUTORS,
        StorageContender.RAW_FILECHANNEL)) {
      StreamingRun.Result r = StreamingRun.run(c, bytes, warmups, rounds);
      if (r.failure() != null) {
        allComplete &= c == StorageContender.RAW_FILECHANNEL;
        md.append("| ").append(c).append(" | **no**: ").append(r.failure().replace('|', '/'))
            .append(" | | | | | |\n");
        continue;
      }
      md.append(String.format(Locale.ROOT,
          "| %s | yes | %,.1f ± %,.1f | %,.1f ± %,.1f | %.2f | %.2f | %,.1f |%n", c,
          r.putMibPerSec(), r.putError(), r.getMibPerSec(), r.getError(), r.putCpuPerGib(),
          r.getCpuPerGib(), r.peakRssKib() / 1024.0));
      if (c == StorageContender.ASYNCWQ) {
        asyncwq = r;
      } else if (c == StorageContender.JDK_EXECUTORS) {
        jdk = r;
      } else {
        raw = r;
      }
    }
    md.append('\n').append("- target: streaming put and get of ").append(size(bytes))
        .append(" with ").append(StreamingRun.HEAP).append(" complete, peak RSS reported: ")
        .append(allComplete ? "**met**" : "**missed**").append('\n');
    if (asyncwq != null && jdk != null) {
      md.append(streamingVerdict(asyncwq, jdk)).append('\n');
    }
    if (asyncwq != null && raw != null) {
      md.append(String.format(Locale.ROOT,
          "- streaming ratios against RAW_FILECHANNEL (no target): put %.2f×, get %.2f×%n",
          asyncwq.putMibPerSec() / raw.putMibPerSec(),
          asyncwq.getMibPerSec() / raw.getMibPerSec()));
    }
    md.append('\n');
  }

  /**
   * The streaming rows against the same store on JDK executors, judged as the JMH rows are: met
   * when put and get both reach 1.0× with errors under a fifth of their scores.
   */
  static String streamingVerdict(StreamingRun.Result asyncwq, StreamingRun.Result jdk) {
    double put = asyncwq.putMibPerSec() / jdk.putMibPerSec();
    double get = asyncwq.getMibPerSec() / jdk.getMibPerSec();
    boolean putDecides = ScoreTable.decides(asyncwq.putMibPerSec(), asyncwq.putError())
        && ScoreTable.decides(jdk.putMibPerSec(), jdk.putError());
    boolean getDecides = ScoreTable.decides(asyncwq.getMibPerSec(), asyncwq.getError())
        && ScoreTable.decides(jdk.getMibPerSec(), jdk.getError());
    String verdict;
    if ((putDecides && put < 1.0) || (getDecides && get < 1.0)) {
      verdict = "**missed**";
    } else if (!putDecides || !getDecides) {
      verdict = "**not decided** (errors over a fifth of a score)";
    } else {
      verdict = "**met**";
    }
    return String.format(Locale.ROOT,
        "- target ≥ 1.00× JDK_EXECUTORS (streaming): put %.2f×%s, get %.2f×%s: %s", put,
        putDecides ? "" : " †", get, getDecides ? "" : " †", verdict);
  }

  private static void renderHangs(StringBuilder md, long bound, String note) throws Exception {
    md.append("### 7e. Seed 002 and 003 hang scenarios on both wirings\n\n").append(note)
        .append("\n\n")
        .append("Each scenario runs on device files with a bound of ").append(bound)
        .append(" ms; a run that has not completed by then is reported as hanging, then")
        .append(" cleaned up (waits released, queues drained and stopped, the waiting threads")
        .append(" joined, files closed). The \"one queue\" rows are the seeds' naive shapes,")
        .append(" the \"split\" rows the seeds' fixes with the same waits, the volume rows the")
        .append(" storage stack itself (its works never wait).\n\n")
        .append("| scenario | ASYNCWQ_QUEUES | JDK_EXECUTORS |\n|---|---|---|\n");
    Path dir = Files.createTempDirectory(baseDir(), ".storage-bench-hang-");
    List<HangScenarios.Outcome> ours;
    List<HangScenarios.Outcome> jdk;
    try {
      ours = HangScenarios.all(StoreWiring.ASYNCWQ_QUEUES, dir.resolve("asyncwq"), bound);
      jdk = HangScenarios.all(StoreWiring.JDK_EXECUTORS, dir.resolve("jdk"), bound);
    } finally {
      deleteTree(dir);
    }
    boolean met = true;
    for (int i = 0; i < ours.size(); i++) {
      md.append("| ").append(ours.get(i).scenario()).append(" | ").append(ours.get(i).verdict())
          .append(" | ").append(jdk.get(i).verdict()).append(" |\n");
      if (ours.get(i).scenario().contains("volume")) {
        met &= !(jdk.get(i).hung() && ours.get(i).hung()) && !ours.get(i).hung();
      }
    }
    md.append("\n- target: the storage stack (volume rows) does not hang on asyncwq queues, and not")
        .append(" where the JDK wiring hangs: ").append(met ? "**met**" : "**missed**")
        .append(". The one-queue rows hang on both wirings: an executor cannot fix a work that")
        .append(" waits for a work queued behind it on its own queue; the split queues do.\n\n");
  }

  /** Whether O_DIRECT reads work here, through com.sun.nio.file.ExtendedOpenOption.DIRECT. */
  static String directIo() {
    Path f = null;
    try {
      f = Files.createTempFile(baseDir(), ".storage-bench-direct-", ".bin");
      Files.write(f, new byte[1 << 16]);
      try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ,
          com.sun.nio.file.ExtendedOpenOption.DIRECT)) {
        int align = (int) Files.getFileStore(f).getBlockSize();
        ByteBuffer b = ByteBuffer.allocateDirect(align * 2).alignedSlice(align);
        ch.read(b, 0);
      }
      return "O_DIRECT reads (ExtendedOpenOption.DIRECT) work on this file system: the table"
          + " below reads the store's data from the disk (FileBlockDevice.openDirectReads) and"
          + " the same bytes from a plain file with O_DIRECT (StorageColdGetBenchmark).";
    } catch (IOException | UnsupportedOperationException e) {
      return "O_DIRECT reads (ExtendedOpenOption.DIRECT) do not work on this file system ("
          + e + "), so no cold get is measured; the gets above are warm.";
    } finally {
      try {
        if (f != null) {
          Files.deleteIfExists(f);
        }
      } catch (IOException ignored) {
        // a leftover probe file of 64 KiB in the benchmark directory
      }
    }
  }

  static boolean directIoWorks() {
    return directIo().contains(" work on ");
  }

  /**
   * Where the storage files went, as the page says it: "the checkout" for bench/run's default (the
   * working directory it runs in), so the page never carries this machine's absolute path; the
   * directory itself when {@code -Dasyncwq.bench.dir} named another.
   */
  static String filesUnder(Path base, Path workingDirectory) {
    Path b = base.toAbsolutePath().normalize();
    return b.equals(workingDirectory.toAbsolutePath().normalize()) ? "the checkout"
        : "`" + b + "` (-Dasyncwq.bench.dir)";
  }

  private static Path baseDir() {
    return Path.of(System.getProperty("asyncwq.bench.dir", ".")).toAbsolutePath().normalize();
  }

  private static String fileSystem() {
    try {
      return Files.getFileStore(baseDir()).type();
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  static String size(long bytes) {
    return bytes % (1L << 30) == 0 ? bytes / (1L << 30) + " GiB" : bytes / (1 << 20) + " MiB";
  }
}
