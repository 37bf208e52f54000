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
 * Both lanes of a pool-priority {@link WorkQueue} (issue 9: "0 bytes allocated per queued work on
 * every queue"): bursts of {@value #BURST} works on the normal lane ({@link WorkQueue#queue}) or
 * on the high-priority one ({@link WorkQueue#queueHigh}) of a default queue built with {@code
 * highPriority(true)}, parked until all have run. Score: bursts per second. The report runs it
 * with JMH's GC profiler for the bytes allocated per queued work; the works are created once and
 * queued again for every burst, so any allocation is the queue's.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class LaneBenchmark {
  static final int BURST = 1000;

  /** Which lane the burst goes to. */
  public enum Lane {
    NORMAL,
    HIGH
  }

  @Param({"NORMAL", "HIGH"})
  public Lane lane;

  private WorkQueue queue;
  private Consumer<OrderedWork> toLane;
  private final OrderedBurst burst = new OrderedBurst(BURST);

  @Setup(Level.Trial)
  public void start() {
    queue = WorkQueue.builder("lane-bench").highPriority(true).build();
    toLane = lane == Lane.HIGH ? queue::queueHigh : queue::queue;
  }

  @TearDown(Level.Trial)
  public void stop() throws InterruptedException {
    queue.close();
  }

  @Benchmark
  public void burst() {
    burst.run(BURST, toLane);
  }
}
