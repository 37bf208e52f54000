package org.asyncwq.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the benchmark suite once and writes {@code docs/BENCHMARKS.md}: per benchmark the raw scores
 * with their error, and the ratio of asyncwq against each peer, all from the same run. {@code
 * bench/run} is the way to call it.
 *
 * <p>Every benchmark class has a {@code contender} parameter whose first value is asyncwq's. A
 * ratio above 1 always means asyncwq did better: score over peer score for throughput, peer time
 * over asyncwq time for time modes.
 */
public final class BenchmarkReport {

  /**
   * One benchmark class in the report, with the minimum ratios the issue asks for, and the
   * parameters quick mode narrows it to ({@code "name=value"}; none to run every value).
   */
  record Section(String key, String title, Class<?> benchmark, String what, List<Target> targets,
      String... quickParams) {}

  /**
   * A minimum ratio of asyncwq against {@code peer}, checked on the rows whose label contains
   * {@code rows} (every row when it is empty).
   */
  record Target(String peer, double min, String rows) {}

  private static final List<Section> SECTIONS =
      List.of(
          new Section(
              "burst",
              "1. Burst throughput of small tasks",
              BurstBenchmark.class,
              "Each producer submits a burst of empty tasks, waits until all have run, repeats;"
                  + " between bursts the threads go back to sleep. Worker count = cores."
                  + " Score: bursts per second.",
              List.of(new Target("TPE", 1.5, ""), new Target("FJP", 1.0, ""))),
          new Section(
              "ordered",
              "2. Ordered completion",
              OrderedBenchmark.class,
              "A batch of n items, each a few hundred ns of CPU work, whose ordered step appends"
                  + " its index to a sequence (checked to come out in queue order); the producer"
                  + " waits for the whole batch and repeats. Score: batches per second."
                  + " ORDERED_QUEUE is asyncwq's OrderedWorkQueue on a WorkerPool of cores"
                  + " threads. UNORDERED_POOL is not a peer but the reference for the price of"
                  + " ordering: the same work on the same pool with no ordered step, so its ratio"
                  + " is ordered / unordered. JDK_GUAVA: CompletableFuture.runAsync per item on a"
                  + " fixed ThreadPoolExecutor of cores threads, the ordered step chained with"
                  + " runAfterBothAsync after the item's future and the previous ordered step, on"
                  + " Guava's newSequentialExecutor over the same executor.",
              List.of(new Target("UNORDERED_POOL", 0.8, ""), new Target("JDK_GUAVA", 1.5, "")),
              "n=1000"),
          new Section(
              "hashed",
              "3. Hashed work",
              HashedBenchmark.class,
              "A batch of " + HashedBenchmark.BATCH + " works (CPU work as above) keyed over "
                  + HashedBenchmark.KEYS + " keys, uniform or Zipf(s = " + HashedBenchmark.ZIPF_S
                  + "); works of one key never run at once. ORDERED_QUEUE_HASHED:"
                  + " OrderedWorkQueue.queue(work, key) on a WorkerPool of cores threads."
                  + " STRIPED_SINGLE_THREADS: BookKeeper's OrderedExecutor from JDK classes, cores"
                  + " single-thread executors, key k on executor k mod cores. Score: batches per"
                  + " second. With CPU-bound works the hashed queue can gain at most the stripes'"
                  + " imbalance, bounded by the hottest key's serial chain; for this batch on this"
                  + " machine: " + HashedBenchmark.skew(Runtime.getRuntime().availableProcessors())
                  + "; on 4 cores: " + HashedBenchmark.skew(4) + ".",
              List.of(new Target("STRIPED_SINGLE_THREADS", 1.0, "UNIFORM"),
                  new Target("STRIPED_SINGLE_THREADS", 1.3, "ZIPF"))),
          new Section(
              "elasticity",
              "4. Elasticity: idle pool (no thread) to first completed task",
              ElasticityBenchmark.class,
              "A fresh pool with no thread gets one task; time until it has run, including"
                  + " creating the first thread.",
              List.of()),
          new Section(
              "thresholds",
              "5. Thresholds: thresholded against fixed WorkQueue",
              ThresholdBenchmark.class,
              "pool-priority WorkQueue with threshold 32 (active concurrency follows the backlog"
                  + " between 1 and limitActive) against threshold 1 (fixed at limitActive), both"
                  + " with the default limitActive min(cores + 2, 8). light: one work at a time,"
                  + " queue and wait (works per second); heavy: bursts of "
                  + ThresholdBenchmark.BURST + " works (bursts per second). Works as above, no"
                  + " ordered step. The ratio is the thresholded queue's over the fixed one's; the"
                  + " issue's 5% bookkeeping budget applies to heavy load. Threads started: table"
                  + " 5b.",
              List.of(new Target("FIXED", 0.95, "heavy"))));

  /** The flags of bench/run, as the page states them. */
  static final String FLAGS = "- `bench/run` flags: `--quick` (1 fork, short iterations),"
      + " `--forks N` and `--iterations N` (full mode's forks, default 2, and measured iterations,"
      + " default 5), `--only KEYS` (a comma list of sections to run, the rest of this page kept:"
      + " " + String.join(", ", Page.KEYS) + ", or one storage table: "
      + String.join(", ", StorageReport.PARTS) + "; `--storage` is `--only storage`),"
      + " `--smoke` (storage rows of 0.5 s: checks the harness, numbers meaningless),"
      + " `--stream-size SIZE` (streaming case, default 1G); the storage files go under"
      + " `-Dasyncwq.bench.dir` (in `JAVA_OPTS`; default: the checkout)\n";

  /** Everything from this line on in docs/BENCHMARKS.md is kept by the next run. */
  static final String ANALYSIS_MARKER = "<!-- analysis: kept by bench/run -->";

  private BenchmarkReport() {}

  /** How long each JMH row of sections 1–6 runs. */
  record Length(boolean quick, int forks, int iterations) {
    String describe() {
      return quick ? "Quick mode: 1 fork, 1 warm-up and 3 measured iterations of 1 s"
          : "Full mode: " + forks + " forks, 3 warm-up and " + iterations
              + " measured iterations of 2 s";
    }
  }

  public static void main(String[] args) throws Exception {
    List<String> argv = Arrays.asList(args);
    boolean quick = argv.contains("--quick");
    Length length = new Length(quick, positive(argv, "--forks", 2),
        positive(argv, "--iterations", 5));
    Path out = Path.of(value(argv, "--out", "docs/BENCHMARKS.md"));
    String only = argv.contains("--storage") ? "storage" : value(argv, "--only", "");
    Set<String> keys = Page.keys(only);
    StorageReport.Length storageLength = argv.contains("--smoke") ? StorageReport.Length.SMOKE
        : quick ? StorageReport.Length.QUICK
        : StorageReport.Length.full(length.forks(), length.iterations());
    long streamBytes = StorageReport.bytes(value(argv, "--stream-size", "1G"));
    String command = commandLine(argv);
    String run = "Run: `" + command + "` on " + LocalDate.now() + ".";

    Map<String, String> blocks = new LinkedHashMap<>();
    for (Section s : SECTIONS) {
      if (!keys.contains(s.key())) {
        continue;
      }
      StringBuilder md = new StringBuilder();
      Collection<RunResult> results =
          run(s.benchmark(), null, length, false, quick ? s.quickParams() : new String[0]);
      md.append("## ").append(s.title()).append("\n\n").append(run).append(' ')
          .append(length.describe()).append(".\n\n").append(s.what()).append("\n\n");
      ScoreTable.render(md, results, s.targets());
      if (s.benchmark() == ElasticityBenchmark.class) {
        renderElasticityProbe(md);
      }
      if (s.benchmark() == ThresholdBenchmark.class) {
        renderThresholdThreads(md);
      }
      blocks.put(s.key(), md.toString());
    }
    if (keys.contains("allocation")) {
      blocks.put("allocation", renderAllocation(length, run));
    }
    Set<String> storageParts = StorageReport.partsOf(keys);
    if (!storageParts.isEmpty()) {
      blocks.putAll(StorageReport.render(storageLength, streamBytes, run, storageParts));
    }

    String old = Files.exists(out) ? Files.readString(out) : "";
    String page = only.isEmpty() ? header(length) + Page.assemble(blocks) + Page.analysisOf(old)
        : Page.replace(old.isEmpty() ? header(length) : old, blocks);
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, page);
    System.out.println("wrote " + String.join(", ", blocks.keySet()) + " in "
        + out.toAbsolutePath());
  }

  /** The page's opening: what it is, the machine, how to read it. */
  private static String header(Length length) {
    return "# asyncwq benchmarks\n\n"
        + "Written by `bench/run`. Each section names the command and the date of the run that"
        + " produced it (a whole run, or `--only` for some sections); re-run the command to"
        + " reproduce it (numbers move between machines and runs, the ratios much less).\n\n"
        + "- machine: " + Runtime.getRuntime().availableProcessors() + " cores, "
        + System.getProperty("os.name") + ' ' + System.getProperty("os.arch") + '\n'
        + "- JDK: " + System.getProperty("java.vm.name") + ' '
        + System.getProperty("java.runtime.version") + '\n'
        + "- JMH 1.37; this page was first written in "
        + length.describe().toLowerCase(Locale.ROOT) + '\n'
        + "- ratio: how many times better asyncwq did than the peer (>1 = asyncwq ahead);"
        + " ± is JMH's 99.9% error. A row decides a target only when both scores' errors are"
        + " under a fifth of the score; a ratio marked † does not, and a target with such rows"
        + " and no decided miss is reported as not decided\n"
        + FLAGS + '\n';
  }

  /** Section 6: bytes allocated per queued work on every queue, from JMH's GC profiler. */
  private static String renderAllocation(Length length, String run) throws RunnerException {
    StringBuilder md = new StringBuilder();
    md.append("## 6. Allocation on the queue path\n\n").append(run).append("\n\n")
        .append("JMH's GC profiler on every queue: the burst benchmark (WorkerPool.queue, one")
        .append(" producer, bursts of 1000), the ordered benchmark (OrderedWorkQueue.queue,")
        .append(" batches of 1000), the hashed benchmark (OrderedWorkQueue.queue(work, hash),")
        .append(" uniform keys, batches of 1000) and both lanes of a pool-priority WorkQueue")
        .append(" (queue and queueHigh, bursts of 1000): bytes allocated per queued work,")
        .append(" everything included (the producer's and the workers' allocations). asyncwq's")
        .append(" target is 0 beyond the user's own object; the works here are reused, so any")
        .append(" figure above 0 is the executor's (JDK_GUAVA allocates its futures per item by")
        .append(" design).\n\n")
        .append("| benchmark | contender | bytes per work |\n|---|---|---:|\n");
    allocationRows(md, "burst", run(BurstBenchmark.class, "oneProducer", length, true,
        "burst=1000"));
    allocationRows(md, "ordered", run(OrderedBenchmark.class, "batch", length, true, "n=1000"));
    allocationRows(md, "hashed", run(HashedBenchmark.class, "batch", length, true,
        "distribution=UNIFORM"));
    allocationRows(md, "WorkQueue", "lane", run(LaneBenchmark.class, "burst", length, true));
    md.append('\n');
    return md.toString();
  }

  /** The command as a person would type it again: {@code bench/run} and its flags. */
  private static String commandLine(List<String> argv) {
    StringBuilder c = new StringBuilder("bench/run");
    for (int i = 0; i < argv.size(); i++) {
      String a = argv.get(i);
      if (a.equals("--out")) {
        i++;
        continue;
      }
      c.append(' ').append(a);
    }
    return c.toString();
  }

  /** Section 4b: threads created over a bursty load and time to shrink, from the probe. */
  private static void renderElasticityProbe(StringBuilder md) throws InterruptedException {
    md.append("### 4b. Elasticity: threads created over a bursty load, time to shrink\n\n")
        .append("Five bursts of 1000 tasks, each followed by an idle pause of twice the idle")
        .append(" timeout (").append(ElasticityProbe.IDLE.toMillis()).append(" ms); then the")
        .append(" time from the end of a last burst until the pool has no thread. Median of 5.\n\n")
        .append("| contender | threads created | ms to shrink to 0 |\n|---|---:|---:|\n");
    for (boolean asyncwq : new boolean[] {true, false}) {
      List<ElasticityProbe.Result> runs = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        runs.add(asyncwq ? ElasticityProbe.asyncwq(5, 1000) : ElasticityProbe.tpe(5, 1000));
      }
      runs.sort((a, b) -> Integer.compare(a.threadsCreated(), b.threadsCreated()));
      int created = runs.get(2).threadsCreated();
      long shrink = runs.stream().mapToLong(ElasticityProbe.Result::shrinkMillis).sorted()
          .toArray()[2];
      md.append("| ").append(runs.get(0).contender()).append(" | ").append(created)
          .append(" | ").append(shrink).append(" |\n");
    }
    md.append('\n');

  }

  /** One row per contender: gc.alloc.rate.norm (bytes per op) over the 1000 works of an op. */
  private static void allocationRows(StringBuilder md, String what, Collection<RunResult> runs) {
    allocationRows(md, what, "contender", runs);
  }

  /** As above, the row named by the benchmark parameter {@code param}. */
  private static void allocationRows(
      StringBuilder md, String what, String param, Collection<RunResult> runs) {
    for (RunResult r : runs) {
      Result norm = r.getSecondaryResults().get("gc.alloc.rate.norm");
      double perWork = norm == null ? Double.NaN : norm.getScore() / 1000.0;
      md.append("| ").append(what).append(" | ").append(r.getParams().getParam(param))
          .append(" | ").append(String.format(Locale.ROOT, "%.2f", perWork)).append(" |\n");
    }
  }

  /** Table 5b: threads each WorkQueue started, from {@link ThresholdProbe}, median of 5. */
  private static void renderThresholdThreads(StringBuilder md) throws InterruptedException {
    md.append("### 5b. Thresholds: threads started\n\n")
        .append("Fresh queues, one per run: light = ").append(ThresholdProbe.LIGHT_WORKS)
        .append(" works one at a time; heavy = ").append(ThresholdProbe.HEAVY_BURSTS)
        .append(" bursts of ").append(ThresholdProbe.BURST).append(" works. Threads started is")
        .append(" the lane pool's spawn count (no thread reaches the idle timeout meanwhile, so")
        .append(" a count above limitActive means threads retired and were started again as the")
        .append(" limit moved). Median of 5 runs after one discarded warm-up run.\n\n")
        .append("| load | contender | threads started | active limit at end |\n")
        .append("|---|---|---:|---:|\n");
    for (String load : new String[] {"light", "heavy"}) {
      for (ThresholdBenchmark.Concurrency c : ThresholdBenchmark.Concurrency.values()) {
        probe(load, c); // warm-up, discarded
        List<ThresholdProbe.Result> runs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
          runs.add(probe(load, c));
        }
        long threads = runs.stream().mapToLong(ThresholdProbe.Result::threadsStarted).sorted()
            .toArray()[2];
        int active = runs.stream().mapToInt(ThresholdProbe.Result::activeAtEnd).sorted()
            .toArray()[2];
        md.append("| ").append(load).append(" | ").append(c).append(" | ").append(threads)
            .append(" | ").append(active).append(" / ").append(runs.get(0).limitActive())
            .append(" |\n");
      }
    }
    md.append('\n');
  }

  private static ThresholdProbe.Result probe(String load, ThresholdBenchmark.Concurrency c)
      throws InterruptedException {
    return load.equals("light") ? ThresholdProbe.light(c) : ThresholdProbe.heavy(c);
  }

  /**
   * Runs one benchmark class (or one {@code method} of it), with the given {@code "name=value"}
   * parameter overrides, and with the GC profiler if {@code gc}.
   */
  private static Collection<RunResult> run(
      Class<?> benchmark, String method, Length length, boolean gc, String... params)
      throws RunnerException {
    ChainedOptionsBuilder o = new OptionsBuilder().shouldFailOnError(true);
    o.include(benchmark.getName() + "\\." + (method == null ? "" : method + "$"));
    for (String p : params) {
      int eq = p.indexOf('=');
      o.param(p.substring(0, eq), p.substring(eq + 1));
    }
    if (gc) {
      o.addProfiler(GCProfiler.class);
    }
    boolean singleShot = benchmark == ElasticityBenchmark.class;
    if (length.quick()) {
      o.forks(1);
      if (singleShot) {
        o.warmupIterations(20).measurementIterations(60);
      } else {
        o.warmupIterations(1).warmupTime(TimeValue.seconds(1))
            .measurementIterations(3).measurementTime(TimeValue.seconds(1));
      }
    } else {
      o.forks(length.forks());
      if (!singleShot) {
        o.warmupIterations(3).warmupTime(TimeValue.seconds(1))
            .measurementIterations(length.iterations()).measurementTime(TimeValue.seconds(2));
      }
    }
    return new Runner(o.build()).run();
  }

  /** A flag's value that must be a positive whole number, or {@code fallback} when absent. */
  private static int positive(List<String> argv, String flag, int fallback) {
    String v = value(argv, flag, null);
    if (v == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(flag + " must be a positive whole number, got '" + v + "'");
  }

  private static String value(List<String> argv, String flag, String fallback) {
    int i = argv.indexOf(flag);
    return i >= 0 && i + 1 < argv.size() ? argv.get(i + 1) : fallback;
  }
}
