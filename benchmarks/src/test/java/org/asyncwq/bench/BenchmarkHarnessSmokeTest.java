package org.asyncwq.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * CI's check that the benchmark harness still runs: one benchmark, one short iteration, in this
 * JVM. It asserts that a score came back, never what the score is.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class BenchmarkHarnessSmokeTest {

  @Test
  void oneShortBurstIterationProducesAScorePerContender() throws Exception {
    Options options =
        new OptionsBuilder()
            .include(BurstBenchmark.class.getName() + ".oneProducer")
            .param("burst", "10")
            .forks(0)
            .warmupIterations(0)
            .measurementIterations(1)
            .measurementTime(TimeValue.milliseconds(200))
            .shouldFailOnError(true)
            .build();
    Collection<RunResult> results = new Runner(options).run();
    assertThat(results).hasSize(Contender.values().length);
    assertThat(results)
        .allSatisfy(r -> assertThat(r.getPrimaryResult().getScore()).isPositive());
  }

  @Test
  void oneShortOrderedIterationKeepsOrderAndProducesAScorePerContender() throws Exception {
    Options options =
        new OptionsBuilder()
            .include(OrderedBenchmark.class.getName() + ".batch")
            .param("n", "10")
            .forks(0)
            .warmupIterations(0)
            .measurementIterations(1)
            .measurementTime(TimeValue.milliseconds(200))
            .shouldFailOnError(true) // an ordered step out of queue order fails the iteration
            .build();
    Collection<RunResult> results = new Runner(options).run();
    assertThat(results).hasSize(OrderedBenchmark.Ordering.values().length);
    assertThat(results)
        .allSatisfy(r -> assertThat(r.getPrimaryResult().getScore()).isPositive());
  }
}
