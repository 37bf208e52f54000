package org.asyncwq.bench;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.asyncwq.ordered.OrderedWork;
import org.asyncwq.priority.WorkQueue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Thresholds (issue 5, point 5): throughput of a pool-priority {@link WorkQueue} whose active
 * concurrency follows its backlog (threshold 32: it starts at one active thread and moves between
 * 1 and limitActive) against the same queue fixed at limitActive (threshold 1, below 32, switches
 * the mechanism off). Both use WorkQueue's default limitActive, {@code min(cores + 2, 8)}.
 *
 * <ul>
 *   <li>{@code light}: one work at a time: queue it, park until it has run, repeat. Score: works
 *       per second.
 *   <li>{@code heavy}: bursts of {@value #BURST} works, park until all have run, repeat. Score:
 *       bursts per second. The target: the threshold's bookkeeping (a pending counter per
 *       work, an evaluation every threshold/4 starts) costs at most 5%, THRESHOLD ≥ 0.95× FIXED.
 * </ul>
 *
 * <p>Each work does the small CPU work of {@link CpuWork} and has no ordered step, so only the
 * threshold's cost separates the two. The works are created once and queued again for every burst.
 * The other half of the target, fewer threads under light load, is a count, not a time: {@link
 * ThresholdProbe} measures it and the report prints it beside this table.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ThresholdBenchmark {
  static final int BURST = 1000;

  /** The contenders: asyncwq's thresholded queue first, the fixed one as the reference. */
  public enum Concurrency {
    THRESHOLD,
    FIXED;

    WorkQueue build(String name) {
      return WorkQueue.builder(name).threshold(this == THRESHOLD ? 32 : 1).build();
    }
  }

  @Param({"THRESHOLD", "FIXED"})
  public Concurrency contender;

  private WorkQueue queue;
  private Consumer<OrderedWork> toQueue;
  private final OrderedBurst burst = new OrderedBurst(BURST);

  @Setup(Level.Trial)
  public void start() {
    queue = contender.build("threshold-bench");
    toQueue = queue::queue;
  }

  @TearDown(Level.Trial)
  public void stop() throws InterruptedException {
    queue.close();
  }

  /** One work at a time, queued and waited for. */
  @Benchmark
  public void light() {
    burst.run(1, toQueue);
  }

  /** Bursts of {@value #BURST} works. */
  @Benchmark
  public void heavy() {
    burst.run(BURST, toQueue);
  }
}
