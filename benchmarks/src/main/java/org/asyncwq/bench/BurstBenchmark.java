package org.asyncwq.bench;

import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Burst throughput of small tasks (the shape of Netty's BurstCostExecutorsBenchmark): each producer
 * submits a burst of empty tasks, waits until all have run, and repeats. Worker count = cores for
 * every contender. Score: bursts per second per benchmark (all producers together).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class BurstBenchmark {

  @Param({"ASYNCWQ", "TPE", "FJP"})
  public Contender contender;

  @Param({"1", "10", "100", "1000"})
  public int burst;

  private Contender.Running running;

  @Setup(Level.Trial)
  public void start() {
    running = contender.start(Runtime.getRuntime().availableProcessors());
  }

  @TearDown(Level.Trial)
  public void stop() throws InterruptedException {
    running.close();
  }

  /** Each producer thread's own burst. */
  @State(Scope.Thread)
  public static class Producer {
    Burst tasks;

    @Setup(Level.Trial)
    public void setup(BurstBenchmark benchmark) {
      tasks = new Burst(benchmark.burst);
    }
  }

  @Benchmark
  @Threads(1)
  public void oneProducer(Producer producer) {
    running.run(producer.tasks);
  }

  @Benchmark
  @Threads(2)
  public void twoProducers(Producer producer) {
    running.run(producer.tasks);
  }
}
