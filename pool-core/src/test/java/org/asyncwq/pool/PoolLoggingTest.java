package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue point 11: the pool logs through log4j-api its creation and destruction with name and
 * settings (seed 003's alloc/destroy trace), worker starts and retirements, spawn failures and
 * cancellations, and nothing per work item above TRACE.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PoolLoggingTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @RegisterExtension final PoolsToClose pools = new PoolsToClose();

  private CapturingAppender log;

  @BeforeEach
  void capture() {
    log = CapturingAppender.attach();
  }

  @AfterEach
  void release() {
    log.close();
  }

  @Test
  void poolCreatedAndDestroyedLinesCarryNameAndSettings() {
    WorkerPool pool =
        pools.add(
            WorkerPool.builder("log-life")
                .minWorkers(1)
                .maxWorkers(3)
                .boredThreshold(7)
                .idleTimeout(Duration.ofMillis(250))
                .maydayTimeout(Duration.ofMillis(20))
                .spawner(new ScriptedSpawner())
                .build());
    pool.close();

    List<String> info = log.messages("log-life", Level.INFO);
    assertThat(info)
        .anySatisfy(
            m ->
                assertThat(m)
                    .contains("pool log-life created")
                    .contains("minWorkers=1")
                    .contains("maxWorkers=3")
                    .doesNotContain("boredThreshold") // a deprecated no-op since issue 8
                    .contains("idleTimeout=PT0.25S")
                    .contains("rescuer=false")
                    .contains("maydayTimeout=PT0.02S"));
    assertThat(info)
        .anySatisfy(
            m -> assertThat(m).contains("pool log-life destroyed").contains("name=log-life"));
    assertThat(log.of("log-life"))
        .filteredOn(e -> e.getMessage().getFormattedMessage().contains("created"))
        .allMatch(e -> e.getLevel() == Level.INFO);
  }

  @Test
  void workerStartedAndRetiredAreLogged() {
    WorkerPool pool =
        pools.add(
            WorkerPool.builder("log-worker")
                .maxWorkers(1)
                .idleTimeout(Duration.ofMillis(10))
                .spawner(new ScriptedSpawner())
                .build());
    CountingWork w = new CountingWork();
    pool.queue(w);
    await().atMost(WAIT).until(() -> pool.stats().retired() == 1);

    List<String> debug = log.messages("log-worker", Level.DEBUG);
    assertThat(debug).anyMatch(m -> m.contains("worker log-worker-1 started"));
    assertThat(debug).anyMatch(m -> m.contains("worker log-worker-1 retired"));
  }

  @Test
  void spawnFailuresGiveUpsAndTheCancellationsTheyCauseAreLoggedAsWarnings() {
    WorkerPool pool =
        pools.add(
            WorkerPool.builder("log-spawn")
                .maxWorkers(1)
                .spawnAttempts(2)
                .spawnBackoff(Duration.ofMillis(1))
                .spawner(new ScriptedSpawner().fail(2, true))
                .build());
    CountingWork w = new CountingWork();
    pool.queue(w);
    await().atMost(WAIT).until(() -> w.cancels() == 1);

    List<String> warn = log.messages("log-spawn", Level.WARN);
    assertThat(warn).anyMatch(m -> m.contains("could not start a worker (attempt 1 of 2)"));
    assertThat(warn).anyMatch(m -> m.contains("gave up starting a worker after 2 attempt(s)"));
    assertThat(warn).anyMatch(m -> m.contains("cancelled 1 waiting works"));
  }

  @Test
  void stopNowCancellationsAreLogged() {
    WorkerPool pool =
        pools.add(WorkerPool.builder("log-stopnow").minWorkers(1).maxWorkers(1).build());
    pool.freeze();
    for (int i = 0; i < 5; i++) {
      pool.queue(new CountingWork());
    }
    int n = pool.stopNow();
    assertThat(pool.awaitTermination(WAIT)).isTrue();

    assertThat(log.messages("log-stopnow", Level.INFO))
        .anyMatch(m -> m.contains("stopNow cancelled " + n + " waiting works"));
  }

  @Test
  void queueingAndRunningManyWorksLogsNothingAboveTracePerWorkItem() {
    WorkerPool pool =
        pools.add(
            WorkerPool.builder("log-quiet")
                .maxWorkers(3)
                .boredThreshold(2)
                .idleTimeout(Duration.ofSeconds(30))
                .spawner(new ScriptedSpawner())
                .build());
    int before = log.of("log-quiet").size();
    List<CountingWork> works = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      CountingWork w = new CountingWork(i % 10 == 0 ? () -> {} : () -> Thread.yield());
      works.add(w);
      pool.queue(w);
    }
    await().atMost(WAIT).until(() -> works.stream().allMatch(w -> w.runs() == 1));

    List<String> aboveTrace =
        log.of("log-quiet").stream()
            .skip(before)
            .filter(e -> e.getLevel().isMoreSpecificThan(Level.DEBUG))
            .map(e -> e.getMessage().getFormattedMessage())
            .toList();
    // At most one line per thread start; nothing that grows with the 2000 works.
    assertThat(aboveTrace).hasSizeLessThanOrEqualTo(3).allMatch(m -> m.contains("started"));
  }

  @Test
  void worksRunByTheRescuerLogNothingAboveTracePerWorkItem() throws Exception {
    CountDownLatch spawnGate = pools.gate();
    ScriptedSpawner spawner =
        new ScriptedSpawner()
            .then(n -> {}) // the rescuer
            .then(ScriptedSpawner.awaiting(spawnGate));
    WorkerPool starter = pools.add(WorkerPool.starter("log-rescue-starter"));
    WorkerPool pool =
        pools.add(
            WorkerPool.builder("log-rescue")
                .maxWorkers(1)
                .rescuer(true)
                .maydayTimeout(Duration.ofMillis(1))
                .starter(starter)
                .spawner(spawner)
                .build());
    int before = log.of("log-rescue").size();
    List<CountingWork> works = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      CountingWork w = new CountingWork();
      works.add(w);
      pool.queue(w);
    }
    await().atMost(WAIT).until(() -> works.stream().allMatch(w -> w.runs() == 1));
    assertThat(pool.stats().rescued()).isEqualTo(50);

    List<String> aboveTrace =
        log.of("log-rescue").stream()
            .skip(before)
            .filter(e -> e.getLevel().isMoreSpecificThan(Level.DEBUG))
            .map(e -> e.getMessage().getFormattedMessage())
            .toList();
    assertThat(aboveTrace).as("per-work lines above TRACE").isEmpty();
    spawnGate.countDown();
  }
}
