package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.common.testing.NullPointerTester;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The public API of {@link WorkerPool}: builder validation and defaults, null and rejection
 * handling, requeue, setMaxWorkers, close and awaitTermination from inside and outside, and a
 * throwing work.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerPoolApiTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @RegisterExtension final PoolsToClose pools = new PoolsToClose();

  private static void assertRejected(
      Consumer<WorkerPool.Builder> setting, String... messageParts) {
    assertThatThrownBy(() -> setting.accept(WorkerPool.builder("api-invalid")))
        .isInstanceOf(IllegalArgumentException.class)
        .message()
        .contains(messageParts);
  }

  @Test
  void builderRejectsInvalidSettingsWithClearMessages() {
    assertRejected(b -> b.maxWorkers(0), "maxWorkers must be at least 1, was 0");
    assertRejected(b -> b.maxWorkers(-3), "maxWorkers", "-3");
    assertRejected(b -> b.minWorkers(-1), "minWorkers must not be negative, was -1");
    assertRejected(b -> b.boredThreshold(0), "boredThreshold must be at least 1, was 0");
    assertRejected(b -> b.idleTimeout(Duration.ZERO), "idleTimeout must be positive");
    assertRejected(b -> b.idleTimeout(Duration.ofMillis(-5)), "idleTimeout must be positive");
    assertRejected(b -> b.maydayTimeout(Duration.ZERO), "maydayTimeout must be positive");
    assertRejected(b -> b.spawnAttempts(0), "spawnAttempts must be at least 1, was 0");
    assertRejected(b -> b.spawnBackoff(Duration.ofMillis(-1)), "spawnBackoff must not be negative");
    assertRejected(b -> b.minWorkers(3).maxWorkers(2).build(),
        "pool 'api-invalid'", "minWorkers 3 is above maxWorkers 2");
    assertThatThrownBy(() -> WorkerPool.builder("  "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("non-blank name");
    assertThatThrownBy(() -> WorkerPool.builder(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("non-blank name");
  }

  @Test
  void setMaxWorkersRejectsValuesBelowOneOrBelowMinWorkers() {
    WorkerPool pool = pools.add(WorkerPool.builder("api-setmax-bad").minWorkers(2).maxWorkers(3).build());
    assertThatThrownBy(() -> pool.setMaxWorkers(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxWorkers must be at least 1, was 0");
    assertThatThrownBy(() -> pool.setMaxWorkers(1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxWorkers 1 is below minWorkers 2");
    assertThat(pool.maxWorkers()).isEqualTo(3);
  }

  @Test
  void nullArgumentsAreRejectedWithNullPointerException() {
    WorkerPool pool = pools.add(WorkerPool.builder("api-null").build());
    NullPointerTester tester = new NullPointerTester();
    tester.testAllPublicInstanceMethods(pool);
    tester.testAllPublicInstanceMethods(WorkerPool.builder("api-null-builder"));
    tester.testAllPublicStaticMethods(WorkerPool.class);
    assertThatThrownBy(() -> pool.queue(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("work");
  }

  @Test
  void defaultsAreMaxWorkersMinOfCoresPlusTwoAndEightAndTheDocumentedTimeouts() {
    try (CapturingAppender log = CapturingAppender.attach()) {
      WorkerPool pool = pools.add(WorkerPool.builder("api-defaults").build());
      int expectedMax = Math.min(Runtime.getRuntime().availableProcessors() + 2, 8);
      assertThat(pool.maxWorkers()).isEqualTo(expectedMax);
      assertThat(pool.stats().workers()).as("minWorkers defaults to 0").isZero();
      assertThat(log.messages("api-defaults", Level.INFO))
          .anySatisfy(
              m ->
                  assertThat(m)
                      .contains("minWorkers=0")
                      .contains("maxWorkers=" + expectedMax)
                      .doesNotContain("boredThreshold")
                      .contains("idleTimeout=PT5S")
                      .contains("starter=asyncwq-starter") // the JVM's shared starter
                      .contains("rescuer=false")
                      .contains("maydayTimeout=PT0.01S"));
    }
  }

  /** Issue 8: the default pool has no bored threshold; a work queued behind a busy one gets a thread. */
  @Test
  void defaultPoolStartsAThreadForAWorkQueuedBehindABusyOne() throws Exception {
    ScriptedSpawner spawner = new ScriptedSpawner();
    WorkerPool pool = pools.add(WorkerPool.builder("api-behind").minWorkers(1).maxWorkers(2).spawner(spawner).build());
    CountDownLatch gate = pools.gate();
    CountDownLatch running = new CountDownLatch(1);
    pool.queue(new CountingWork(() -> {
      running.countDown();
      block(gate);
    }));
    assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
    CountingWork behind = new CountingWork();
    pool.queue(behind);
    await().atMost(WAIT).until(() -> behind.runs() == 1);
    assertThat(spawner.calls()).isEqualTo(2);
    gate.countDown();
  }

  private static void block(CountDownLatch gate) {
    try {
      gate.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void queueAfterStopThrowsRejectedExecutionExceptionAndLeavesTheWorkUnpending() {
    WorkerPool pool = pools.add(WorkerPool.builder("api-reject").build());
    pool.stop();
    CountingWork w = new CountingWork();
    assertThatThrownBy(() -> pool.queue(w))
        .isInstanceOf(RejectedExecutionException.class)
        .hasMessageContaining("api-reject");
    assertThatThrownBy(() -> pool.execute(() -> {})).isInstanceOf(RejectedExecutionException.class);
    assertThat(w.isPending()).isFalse();
    assertThat(pool.isStopped()).isTrue();

    WorkerPool other = pools.add(WorkerPool.builder("api-reject-other").build());
    assertThat(other.queue(w)).as("a rejected work can go elsewhere").isTrue();
    await().atMost(WAIT).until(() -> w.runs() == 1);
  }

  @Test
  void requeueRunsTheWorkAgainAtTheTailOfTheSameWorkerThread() throws Exception {
    WorkerPool pool = pools.add(WorkerPool.builder("api-requeue").minWorkers(1).maxWorkers(1).build());
    ConcurrentLinkedQueue<String> order = new ConcurrentLinkedQueue<>();
    List<Thread> threads = new ArrayList<>();
    CountDownLatch othersQueued = new CountDownLatch(1);
    CountDownLatch firstRunning = new CountDownLatch(1);
    AtomicBoolean requeued = new AtomicBoolean();
    Work[] self = new Work[1];
    self[0] =
        new CountingWork(
            () -> {
              order.add("R");
              threads.add(Thread.currentThread());
              if (!requeued.getAndSet(true)) {
                firstRunning.countDown();
                block(othersQueued);
                assertThat(pool.requeue(self[0])).isTrue();
                assertThat(pool.requeue(self[0])).as("already pending again").isFalse();
              }
            });
    pool.queue(self[0]);
    assertThat(firstRunning.await(10, TimeUnit.SECONDS)).isTrue();
    // One thread (issue 8: there is no per-worker placement left to pin): these go behind R.
    for (String name : List.of("X1", "X2")) {
      pool.queue(
          new CountingWork(
              () -> {
                order.add(name);
                threads.add(Thread.currentThread());
              }));
    }
    othersQueued.countDown();
    await().atMost(WAIT).until(() -> order.size() == 4);
    assertThat(order).containsExactly("R", "X1", "X2", "R");
    assertThat(threads).as("all on R's worker").allMatch(t -> t == threads.get(0));
    assertThat(((CountingWork) self[0]).runs()).isEqualTo(2);
  }

  @Test
  void requeueIsAcceptedWhileStoppingAndRejectedAfterStopNow() throws Exception {
    WorkerPool pool = pools.add(WorkerPool.builder("api-requeue-stop").minWorkers(1).maxWorkers(1).build());
    AtomicReference<Object> afterStop = new AtomicReference<>();
    CountingWork[] w = new CountingWork[1];
    w[0] =
        new CountingWork(
            () -> {
              if (w[0].runs() == 1) {
                pool.stop();
                afterStop.set(pool.requeue(w[0]));
              }
            });
    pool.queue(w[0]);
    assertThat(pool.awaitTermination(WAIT)).isTrue();
    assertThat(afterStop.get()).isEqualTo(true);
    assertThat(w[0].runs()).as("requeued during stop() and drained").isEqualTo(2);

    WorkerPool pool2 = pools.add(WorkerPool.builder("api-requeue-stopnow").minWorkers(1).maxWorkers(1).build());
    CountingWork[] v = new CountingWork[1];
    v[0] =
        new CountingWork(
            () -> {
              pool2.stopNow();
              try {
                afterStop.set(pool2.requeue(v[0]));
              } catch (RejectedExecutionException e) {
                afterStop.set(e);
              }
            });
    pool2.queue(v[0]);
    assertThat(pool2.awaitTermination(WAIT)).isTrue();
    assertThat(afterStop.get()).isInstanceOf(RejectedExecutionException.class);
    assertThat(v[0].runs()).isEqualTo(1);
    assertThat(v[0].isPending()).isFalse();
  }

  @Test
  void raisingMaxWorkersStartsThreadsForWorkThatWaitsForOne() throws Exception {
    CountDownLatch firstSpawn = pools.gate();
    ScriptedSpawner spawner =
        new ScriptedSpawner().then(n -> block(firstSpawn)); // the first start hangs
    WorkerPool pool =
        pools.add(WorkerPool.builder("api-setmax-up").maxWorkers(1).spawner(spawner)
            .startsOnCaller() // the naive shape: the start hangs its caller, not a starter
            .build());
    CountingWork a = new CountingWork();
    CountingWork b = new CountingWork();
    // Without a starter the first start runs on the submitting thread, which then hangs in it.
    Thread submitter = new Thread(() -> pool.queue(a), "api-setmax-up-submitter");
    submitter.start();
    await().atMost(WAIT).until(() -> spawner.calls() == 1);
    pool.queue(b); // at max (one starting): waits in the backlog
    assertThat(pool.stats().pending()).isEqualTo(2);

    pool.setMaxWorkers(2);

    await().atMost(WAIT).until(() -> a.runs() == 1 && b.runs() == 1);
    assertThat(spawner.calls()).isEqualTo(2);
    firstSpawn.countDown();
    submitter.join(10_000);
  }

  @Test
  void loweringMaxWorkersCapsNewWorkAtOnceAndRetiresTheSurplusAfterTheIdleTimeout()
      throws Exception {
    WorkerPool pool =
        pools.add(
            WorkerPool.builder("api-setmax-down")
                .minWorkers(1) // the worker within the maximum stays; only the surplus retires
                .maxWorkers(4)
                .boredThreshold(1)
                .idleTimeout(Duration.ofMillis(500))
                .spawner(new ScriptedSpawner())
                .build());
    CountDownLatch gate = pools.gate();
    CountDownLatch started = new CountDownLatch(4);
    for (int i = 0; i < 4; i++) {
      pool.queue(new CountingWork(() -> {
        started.countDown();
        block(gate);
      }));
    }
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

    pool.setMaxWorkers(1);
    assertThat(pool.maxWorkers()).isEqualTo(1);
    assertThat(pool.stats().workers()).as("busy workers are not interrupted").isEqualTo(4);
    gate.countDown();

    // concurrency is capped at once: the surplus idle workers take no new work
    java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger peak = new java.util.concurrent.atomic.AtomicInteger();
    List<CountingWork> after = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      CountingWork w = new CountingWork(() -> {
        peak.accumulateAndGet(running.incrementAndGet(), Math::max);
        Thread.yield();
        running.decrementAndGet();
      });
      after.add(w);
      pool.queue(w);
    }
    await().atMost(WAIT).until(() -> after.stream().allMatch(w -> w.runs() == 1));
    assertThat(peak.get()).isEqualTo(1);
    // and the surplus retires after the idle timeout, as idle workers do (it once retired after
    // min(idleTimeout, 1 s), which restarted threads on a thresholded lane's every burst)
    await().atMost(WAIT).until(() -> pool.stats().workers() == 1);
    assertThat(pool.stats().retired()).isEqualTo(3);
  }

  @Test
  void raisingMaxWorkersAgainReusesSurplusWorkersThatHaveNotRetired() throws Exception {
    ScriptedSpawner spawner = new ScriptedSpawner();
    WorkerPool pool =
        pools.add(
            WorkerPool.builder("api-setmax-bounce")
                .maxWorkers(3)
                .boredThreshold(1)
                .idleTimeout(Duration.ofSeconds(60))
                .spawner(spawner)
                .build());
    CountDownLatch gate = pools.gate();
    CountDownLatch started = new CountDownLatch(3);
    for (int i = 0; i < 3; i++) {
      pool.queue(new CountingWork(() -> {
        started.countDown();
        block(gate);
      }));
    }
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    gate.countDown();
    await().atMost(WAIT).until(() -> pool.stats().idle() == 3);
    for (int round = 0; round < 10; round++) {
      pool.setMaxWorkers(1);
      pool.setMaxWorkers(3);
    }
    CountDownLatch second = new CountDownLatch(3);
    CountDownLatch gate2 = pools.gate();
    for (int i = 0; i < 3; i++) {
      pool.queue(new CountingWork(() -> {
        second.countDown();
        block(gate2);
      }));
    }
    assertThat(second.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(spawner.calls()).as("threads reused, none started again").isEqualTo(3);
    gate2.countDown();
  }

  @Test
  void closeFromOutsideRunsQueuedWorkAndWaitsForTheThreads() {
    ScriptedSpawner spawner = new ScriptedSpawner();
    WorkerPool pool = pools.add(WorkerPool.builder("api-close").maxWorkers(2).spawner(spawner).build());
    List<CountingWork> works = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      CountingWork w = new CountingWork();
      works.add(w);
      pool.queue(w);
    }
    pool.close();
    assertThat(pool.isTerminated()).isTrue();
    assertThat(works).allMatch(w -> w.runs() == 1);
    assertThat(spawner.anyAlive()).isFalse();
    pool.close(); // idempotent
  }

  @Test
  void closeFromInsideAWorkStopsThePoolWithoutHanging() throws Exception {
    ScriptedSpawner spawner = new ScriptedSpawner();
    WorkerPool pool = pools.add(WorkerPool.builder("api-close-inside").maxWorkers(1).spawner(spawner).build());
    CountDownLatch closed = new CountDownLatch(1);
    pool.queue(new CountingWork(() -> {
      pool.close();
      closed.countDown();
    }));
    assertThat(closed.await(10, TimeUnit.SECONDS)).as("close() from a work returned").isTrue();
    assertThat(pool.isStopped()).isTrue();
    assertThat(pool.awaitTermination(WAIT)).isTrue();
    assertThat(spawner.anyAlive()).isFalse();
  }

  @Test
  void awaitTerminationFromAPoolThreadThrowsIllegalStateException() throws Exception {
    WorkerPool pool = pools.add(WorkerPool.builder("api-await-inside").maxWorkers(1).build());
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(1);
    pool.queue(new CountingWork(() -> {
      try {
        pool.awaitTermination(Duration.ofSeconds(1));
      } catch (Throwable t) {
        thrown.set(t);
      }
      done.countDown();
    }));
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(thrown.get())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("api-await-inside");
  }

  @Test
  void anExceptionFromRunIsLoggedAndThePoolGoesOn() {
    try (CapturingAppender log = CapturingAppender.attach()) {
      WorkerPool pool = pools.add(WorkerPool.builder("api-throw").minWorkers(1).maxWorkers(1).build());
      CountingWork bad = new CountingWork(() -> {
        throw new IllegalStateException("work failed on purpose");
      });
      CountingWork good = new CountingWork();
      pool.queue(bad);
      pool.queue(good);
      await().atMost(WAIT).until(() -> good.runs() == 1);
      assertThat(bad.runs()).isEqualTo(1);
      assertThat(bad.cancels()).isZero();
      assertThat(log.matching("api-throw", e -> e.getLevel() == Level.WARN))
          .anySatisfy(e -> {
            assertThat(e.getMessage().getFormattedMessage()).contains("threw");
            assertThat(e.getThrown()).hasMessage("work failed on purpose");
          });
      assertThat(pool.stats().workers()).isEqualTo(1);
      pool.close();
      assertThat(pool.stats().executed()).isEqualTo(2);
    }
  }
}
