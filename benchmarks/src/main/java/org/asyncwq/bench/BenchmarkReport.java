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
import java.util.TreeMap;
import org.openjdk.jmh.infra.BenchmarkParams;
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
  record Section(
      String title, Class<?> benchmark, String what, List<Target> targets, String... quickParams) {}

  /**
   * A minimum ratio of asyncwq against {@code peer}, checked on the rows whose label contains
   * {@code rows} (every row when it is empty).
   */
  record Target(String peer, double min, String rows) {}

  private static final List<Section> SECTIONS =
      List.of(
          new Section(
              "1. Burst throughput of small tasks",
              BurstBenchmark.class,
              "Each producer submits a burst of empty tasks, waits until all have run, repeats;"
                  + " between bursts the threads go back to sleep. Worker count = cores."
                  + " Score: bursts per second.",
              List.of(new Target("TPE", 1.5, ""), new Target("FJP", 1.0, ""))),
          new Section(
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
              "4. Elasticity: idle pool (no thread) to first completed task",
              ElasticityBenchmark.class,
              "A fresh pool with no thread gets one task; time until it has run, including"
                  + " creating the first thread.",
              List.of()),
          new Section(
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
      + " `--only storage` or `--storage` (section 7 alone, the rest of this page kept),"
      + " `--smoke` (storage rows of 0.5 s: checks the harness, numbers meaningless),"
      + " `--stream-size SIZE` (streaming case, default 1G); the storage files go under"
      + " `-Dasyncwq.bench.dir` (in `JAVA_OPTS`; default: the checkout)\n";

  /** Everything from this line on in docs/BENCHMARKS.md is kept by the next run. */
  static final String ANALYSIS_MARKER = "<!-- analysis: kept by bench/run -->";

  private BenchmarkReport() {}

  public static void main(String[] args) throws Exception {
    List<String> argv = Arrays.asList(args);
    boolean quick = argv.contains("--quick");
    Path out = Path.of(value(argv, "--out", "docs/BENCHMARKS.md"));
    String command = "bench/run" + (quick ? " --quick" : "");
    boolean storageOnly = argv.contains("--storage") || "storage".equals(value(argv, "--only", ""));
    StorageReport.Length storageLength = argv.contains("--smoke") ? StorageReport.Length.SMOKE
        : quick ? StorageReport.Length.QUICK : StorageReport.Length.FULL;
    long streamBytes = StorageReport.bytes(value(argv, "--stream-size", "1G"));
    String storageCommand = "bench/run" + (storageOnly ? " --only storage" : "")
        + (quick ? " --quick" : "") + (argv.contains("--smoke") ? " --smoke" : "")
        + (argv.contains("--stream-size") ? " --stream-size " + value(argv, "--stream-size", "")
            : "");
    if (storageOnly) {
      StorageReport.writeAlone(out, storageLength, streamBytes, storageCommand);
      return;
    }

    StringBuilder md = new StringBuilder();
    md.append("# asyncwq benchmarks\n\n")
        .append("Generated by `").append(command).append("` on ").append(LocalDate.now())
        .append(". Every number on this page comes from that one run; re-run the command to")
        .append(" reproduce it (numbers move between machines and runs, the ratios much less).\n\n")
        .append("- machine: ").append(Runtime.getRuntime().availableProcessors())
        .append(" cores, ").append(System.getProperty("os.name")).append(' ')
        .append(System.getProperty("os.arch")).append('\n')
        .append("- JDK: ").append(System.getProperty("java.vm.name")).append(' ')
        .append(System.getProperty("java.runtime.version")).append('\n')
        .append("- JMH 1.37, ").append(quick ? "quick mode: 1 fork, 1 warm-up and 3 measured"
            + " iterations of 1 s" : "full mode: 2 forks, 3 warm-up and 5 measured iterations of"
            + " 2 s").append('\n')
        .append("- ratio: how many times better asyncwq did than the peer (>1 = asyncwq ahead);"
            + " ± is JMH's 99.9% error\n")
        .append(FLAGS).append('\n');

    for (Section s : SECTIONS) {
      Collection<RunResult> results =
          run(s.benchmark(), null, quick, false, quick ? s.quickParams() : new String[0]);
      md.append("## ").append(s.title()).append("\n\n").append(s.what()).append("\n\n");
      renderTable(md, results, s.targets());
      if (s.benchmark() == ElasticityBenchmark.class) {
        renderElasticityProbe(md);
      }
      if (s.benchmark() == ThresholdBenchmark.class) {
        renderThresholdThreads(md);
      }
    }

    md.append("## 6. Allocation on the queue path\n\n")
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
    allocationRows(md, "burst", run(BurstBenchmark.class, "oneProducer", quick, true,
        "burst=1000"));
    allocationRows(md, "ordered", run(OrderedBenchmark.class, "batch", quick, true, "n=1000"));
    allocationRows(md, "hashed", run(HashedBenchmark.class, "batch", quick, true,
        "distribution=UNIFORM"));
    allocationRows(md, "WorkQueue", "lane", run(LaneBenchmark.class, "burst", quick, true));
    md.append('\n');
    StorageReport.render(md, storageLength, streamBytes, storageCommand);
    md.append('\n');

    // The analysis under the marker is written by hand from a run's numbers; keep it across runs
    // (the person re-running updates it if the numbers moved).
    if (Files.exists(out)) {
      String old = Files.readString(out);
      int at = old.indexOf(ANALYSIS_MARKER);
      if (at >= 0) {
        md.append(old.substring(at));
      }
    }
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, md);
    System.out.println("wrote " + out.toAbsolutePath());
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
      Class<?> benchmark, String method, boolean quick, boolean gc, String... params)
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
    if (quick) {
      o.forks(1);
      if (singleShot) {
        o.warmupIterations(20).measurementIterations(60);
      } else {
        o.warmupIterations(1).warmupTime(TimeValue.seconds(1))
            .measurementIterations(3).measurementTime(TimeValue.seconds(1));
      }
    } else {
      o.forks(2);
      if (!singleShot) {
        o.warmupIterations(3).warmupTime(TimeValue.seconds(1))
            .measurementIterations(5).measurementTime(TimeValue.seconds(2));
      }
    }
    return new Runner(o.build()).run();
  }

  static void renderTable(
      StringBuilder md, Collection<RunResult> results, List<Target> targets) {
    // rows keyed by method + the parameters other than the contender, in run order
    Map<String, Map<String, Result>> rows = new LinkedHashMap<>();
    List<String> contenders = new ArrayList<>();
    String unit = "";
    boolean higherIsBetter = true;
    for (RunResult r : results) {
      BenchmarkParams p = r.getParams();
      String method = p.getBenchmark().substring(p.getBenchmark().lastIndexOf('.') + 1);
      Map<String, String> others = new TreeMap<>();
      for (String key : p.getParamsKeys()) {
        if (!key.equals("contender")) {
          others.put(key, p.getParam(key));
        }
      }
      String row = method + (others.isEmpty() ? "" : " " + others);
      String contender = p.getParam("contender");
      if (!contenders.contains(contender)) {
        contenders.add(contender);
      }
      rows.computeIfAbsent(row, k -> new LinkedHashMap<>()).put(contender, r.getPrimaryResult());
      unit = r.getPrimaryResult().getScoreUnit();
      higherIsBetter = p.getMode().shortLabel().equals("thrpt");
    }
    String ours = contenders.get(0);
    List<String> peers = contenders.subList(1, contenders.size());

    md.append("| benchmark |");
    for (String c : contenders) {
      md.append(' ').append(c).append(" (").append(unit).append(") |");
    }
    peers.forEach(c -> md.append(" × ").append(c).append(" |"));
    md.append("\n|---|");
    contenders.forEach(c -> md.append("---:|"));
    peers.forEach(c -> md.append("---:|"));
    md.append('\n');

    // per target, the lowest ratio over the rows it applies to
    Map<Target, Double> worst = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, Result>> row : rows.entrySet()) {
      md.append("| ").append(row.getKey()).append(" |");
      for (String c : contenders) {
        Result r = row.getValue().get(c);
        md.append(' ').append(r == null ? "-" : String.format(Locale.ROOT, "%,.1f ± %,.1f",
            r.getScore(), r.getScoreError())).append(" |");
      }
      Result mine = row.getValue().get(ours);
      for (String peer : peers) {
        Result theirs = row.getValue().get(peer);
        double ratio = higherIsBetter
            ? mine.getScore() / theirs.getScore()
            : theirs.getScore() / mine.getScore();
        for (Target t : targets) {
          if (t.peer().equals(peer) && row.getKey().contains(t.rows())) {
            worst.merge(t, ratio, Math::min);
          }
        }
        md.append(String.format(Locale.ROOT, " %.2f× |", ratio));
      }
      md.append('\n');
    }
    md.append('\n');
    for (Target t : targets) {
      double low = worst.getOrDefault(t, Double.NaN);
      String where = t.rows().isEmpty() ? "" : " (rows with " + t.rows() + ")";
      md.append(String.format(Locale.ROOT,
          "- target ≥ %.2f× %s%s: %s (lowest ratio %.2f×)%n", t.min(), t.peer(), where,
          low >= t.min() ? "**met** in every row" : "**missed**", low));
    }
    md.append('\n');
  }

  private static String value(List<String> argv, String flag, String fallback) {
    int i = argv.indexOf(flag);
    return i >= 0 && i + 1 < argv.size() ? argv.get(i + 1) : fallback;
  }
}
