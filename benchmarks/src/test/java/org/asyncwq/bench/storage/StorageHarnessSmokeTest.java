package org.asyncwq.bench.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * CI's check that the storage benchmarks run: one short iteration of the smallest put, get, cold
 * get and scrub rows for every contender, in this JVM, on files under target/; and the streaming probe's
 * figures parsed. It asserts that scores came back and nothing was left on disk, never what they
 * are.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class StorageHarnessSmokeTest {
  private static String before;

  @BeforeAll
  static void underTarget() throws Exception {
    before = System.getProperty("asyncwq.bench.dir");
    Files.createDirectories(Path.of("target/storage-smoke"));
    System.setProperty("asyncwq.bench.dir", "target/storage-smoke");
  }

  @AfterAll
  static void restore() {
    if (before == null) {
      System.clearProperty("asyncwq.bench.dir");
    } else {
      System.setProperty("asyncwq.bench.dir", before);
    }
  }

  private static Collection<RunResult> once(String include, String... params) throws Exception {
    OptionsBuilder o = new OptionsBuilder();
    o.include(include).forks(0).warmupIterations(0).measurementIterations(1)
        .measurementTime(TimeValue.milliseconds(200)).shouldFailOnError(true);
    for (int i = 0; i < params.length; i += 2) {
      o.param(params[i], params[i + 1]);
    }
    return new Runner(o.build()).run();
  }

  @Test
  void smallestPutAndGetRowsScoreForEveryContenderAndLeaveNoFiles() throws Exception {
    Collection<RunResult> put =
        once(StoragePutBenchmark.class.getName() + ".oneProducer", "size", "4096");
    Collection<RunResult> get =
        once(StorageGetBenchmark.class.getName() + ".fourReaders", "size", "65536",
            "objects", "4");
    assertThat(put).hasSize(StorageContender.values().length);
    assertThat(get).hasSize(StorageContender.values().length);
    assertThat(put).allSatisfy(r -> assertThat(r.getPrimaryResult().getScore()).isPositive());
    assertThat(get).allSatisfy(r -> assertThat(r.getPrimaryResult().getScore()).isPositive());
    try (Stream<Path> left = Files.list(Path.of("target/storage-smoke"))) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void scrubRowScoresForTheStoreOnBothWiringsAndRawReads() throws Exception {
    Collection<RunResult> scrub =
        once(StorageScrubBenchmark.class.getName() + ".scrub", "objects", "4");
    assertThat(scrub).hasSize(3);
    assertThat(scrub).allSatisfy(r -> assertThat(r.getPrimaryResult().getScore()).isPositive());
  }

  @Test
  void coldGetRowScoresForTheStoreOnDirectReadsAndRawDirectReadsAndLeavesNoFiles()
      throws Exception {
    Collection<RunResult> cold =
        once(StorageColdGetBenchmark.class.getName() + ".oneReader", "size", "65536",
            "objects", "4");
    assertThat(cold).hasSize(2);
    assertThat(cold).allSatisfy(r -> assertThat(r.getPrimaryResult().getScore()).isPositive());
    try (Stream<Path> left = Files.list(Path.of("target/storage-smoke"))) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void streamingProbeInAChildJvmWithSmallHeapCompletesAndReportsPeakRss() throws Exception {
    StreamingRun.Result r = StreamingRun.run(StorageContender.ASYNCWQ, 4L << 20, 0, 2);
    assertThat(r.failure()).isNull();
    assertThat(r.putMibPerSec()).isPositive();
    assertThat(r.getMibPerSec()).isPositive();
    assertThat(r.putCpuPerGib()).isPositive();
    assertThat(r.peakRssKib()).isPositive();
  }

  @Test
  void aStreamingChildStillRunningAtItsBoundIsKilledReportedAsNotFinishedAndLeavesNoFiles()
      throws Exception {
    StreamingRun.Result r =
        StreamingRun.run(StorageContender.ASYNCWQ, 64L << 20, 0, 1, Duration.ofMillis(1));
    assertThat(r.failure()).isEqualTo("did not finish within 1 ms; killed");
    try (Stream<Path> left = Files.list(Path.of("target/storage-smoke"))) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void streamingFiguresAreParsedPerRoundIntoMeanThroughputAndCpuPerGib() {
    // two rounds of 1 GiB: put 2 s wall and 1 s CPU, get 1 s wall and 0.5 s CPU
    StreamingRun.Result r = StreamingRun.parse(StorageContender.RAW_FILECHANNEL, 1L << 30,
        "streaming round=2000000000,1000000000,1000000000,500000000"
            + " round=2000000000,1000000000,1000000000,500000000 vmhwm_kib=2048");
    assertThat(r.putMibPerSec()).isEqualTo(512.0);
    assertThat(r.getMibPerSec()).isEqualTo(1024.0);
    assertThat(r.putCpuPerGib()).isEqualTo(1.0);
    assertThat(r.getCpuPerGib()).isEqualTo(0.5);
    assertThat(r.peakRssKib()).isEqualTo(2048);
  }
}
