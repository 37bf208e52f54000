package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import java.security.Permission;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 8, defect 2: an {@link OutOfMemoryError} ("unable to create native thread") while the pool
 * creates a thread of its own, one that is not a worker and so not made by the user's {@link
 * ThreadSpawner} (the shared retry timer's thread, a starter's thread), gives the thread slot back
 * exactly once. Before the fix the retry timer had already queued the retry when its thread start
 * failed: the pool counted the start as failed, and the forgotten retry ran later and counted it
 * again, so {@code starting} went to -1, the pool exceeded {@code maxWorkers} and never terminated.
 *
 * <p>The JVM gives no public switch to make one particular {@code Thread} fail to start, so the
 * failure is injected where the JDK asks permission to create a thread: a permissive {@link
 * SecurityManager} whose {@code checkAccess(ThreadGroup)} throws the {@code OutOfMemoryError} the
 * JVM would throw, while armed, for every thread created by pool code other than through the
 * test's spawner. Where the JVM no longer lets a test install a security manager (JDK 18+ without
 * {@code -Djava.security.manager=allow}, always from JDK 24), the test is skipped, not passed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HelperThreadOutOfMemoryTest {
  private static final long BOUND_S = 5;

  /** Fails every thread creation made by pool code but not by {@link Spawner}, while armed. */
  @SuppressWarnings("removal")
  static final class NoNativeThreadForHelpers extends SecurityManager {
    volatile boolean armed;
    final AtomicInteger injected = new AtomicInteger();

    @Override
    public void checkPermission(Permission perm) {}

    @Override
    public void checkPermission(Permission perm, Object context) {}

    @Override
    public void checkAccess(ThreadGroup g) {
      if (armed && createdByPoolButNotBySpawner()) {
        injected.incrementAndGet();
        throw new OutOfMemoryError(
            "unable to create native thread: possibly out of memory or process/resource limits"
                + " reached (injected by " + HelperThreadOutOfMemoryTest.class.getSimpleName()
                + ")");
      }
    }

    private static boolean createdByPoolButNotBySpawner() {
      return StackWalker.getInstance()
          .walk(
              frames -> {
                boolean pool = false;
                for (StackWalker.StackFrame f :
                    (Iterable<StackWalker.StackFrame>) frames::iterator) {
                  String c = f.getClassName();
                  if (c.startsWith(Spawner.class.getName())) {
                    return false; // a worker, made by the user's spawner
                  }
                  if (c.startsWith("org.asyncwq.pool.")
                      && !c.startsWith(HelperThreadOutOfMemoryTest.class.getName())) {
                    pool = true;
                  }
                }
                return pool;
              });
    }
  }

  /** Fails its first {@code failures} calls retryably (a passing shortage), then starts threads. */
  static final class Spawner implements ThreadSpawner {
    private final int failures;
    final AtomicInteger calls = new AtomicInteger();

    Spawner(int failures) {
      this.failures = failures;
    }

    @Override
    public Thread spawn(String name, Runnable body) throws SpawnException {
      if (calls.incrementAndGet() <= failures) {
        throw new SpawnException("injected: no thread for " + name + " this time", true);
      }
      Thread t = new Thread(body, name);
      t.setDaemon(true);
      t.start();
      return t;
    }
  }

  /** A work that counts how it was disposed of. */
  static final class Counted extends Work {
    final AtomicInteger runs = new AtomicInteger();
    final AtomicInteger cancels = new AtomicInteger();
    final CountDownLatch disposed = new CountDownLatch(1);

    @Override
    protected void run() {
      runs.incrementAndGet();
      disposed.countDown();
    }

    @Override
    protected void cancelled(Throwable cause) {
      cancels.incrementAndGet();
      disposed.countDown();
    }

    int dispositions() {
      return runs.get() + cancels.get();
    }
  }

  @Test
  @SuppressWarnings("removal")
  void outOfMemoryWhileStartingRetryTimerGivesTheSlotBackOnce() throws Exception {
    NoNativeThreadForHelpers noThreads = new NoNativeThreadForHelpers();
    try {
      System.setSecurityManager(noThreads);
    } catch (UnsupportedOperationException e) {
      assumeThat(false).as("this JVM lets no test install a security manager: %s", e).isTrue();
    }
    WorkerPool pool = null;
    try {
      // A helper thread that still lives from an earlier test would be reused, not created.
      // (This name is the retry timer's of the per-worker-list design; later designs may have none.)
      await()
          .atMost(Duration.ofSeconds(BOUND_S))
          .until(() -> Thread.getAllStackTraces().keySet().stream()
              .noneMatch(t -> t.getName().startsWith("asyncwq-spawn-retry")));

      Spawner spawner = new Spawner(2);
      pool =
          WorkerPool.builder("oom-helper")
              .maxWorkers(1)
              .spawnAttempts(4)
              .spawnBackoff(Duration.ofMillis(1))
              .spawner(spawner)
              .build();

      // 1. A thread start fails retryably while no helper thread can be created.
      noThreads.armed = true;
      Counted first = new Counted();
      try {
        pool.queue(first);
      } finally {
        noThreads.armed = false;
      }
      assertThat(first.disposed.await(BOUND_S * 2, TimeUnit.SECONDS))
          .as("the first work was run or cancelled (%s)", pool.stats())
          .isTrue();

      // 2. Threads can be had again; the next start fails once more, retryably, then succeeds.
      Counted second = new Counted();
      pool.queue(second);
      assertThat(second.disposed.await(BOUND_S * 2, TimeUnit.SECONDS))
          .as("the second work ran (%s)", pool.stats())
          .isTrue();
      assertThat(second.runs.get()).isOne();

      // 3. Every start is accounted for once: no start counted twice, no extra thread.
      WorkerPool p = pool;
      await()
          .atMost(Duration.ofSeconds(BOUND_S))
          .untilAsserted(() -> assertThat(p.stats().starting()).as("%s", p.stats()).isZero());
      assertThat(pool.stats().workers()).as("%s", pool.stats()).isLessThanOrEqualTo(1);
      assertThat(first.dispositions()).isOne();
      assertThat(second.dispositions()).isOne();
      pool.stop();
      assertThat(pool.awaitTermination(Duration.ofSeconds(BOUND_S)))
          .as("pool terminated (%s; %d thread creations failed by injection)", pool.stats(),
              noThreads.injected.get())
          .isTrue();
      assertThat(pool.stats().starting()).isZero();
    } finally {
      noThreads.armed = false;
      System.setSecurityManager(null);
      if (pool != null) {
        pool.stopNow();
        pool.awaitTermination(Duration.ofSeconds(BOUND_S));
      }
    }
  }
}
