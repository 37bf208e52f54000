package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 8, defect 8: a pool's threads carry no context of whichever thread happened to cause their
 * creation: no {@link InheritableThreadLocal} value (a submitter's user identity leaked into other
 * users' works) and, for threads started on demand, not the submitter's context class loader
 * (which loader the pool gives its threads, e.g. its builder's, is the pool's choice, not a
 * submitter's). Checked for threads started on demand by a submitter and for the {@code
 * minWorkers} threads started by {@code build()}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerThreadContextTest {
  private static final long BOUND_S = 10;
  private static final InheritableThreadLocal<String> USER = new InheritableThreadLocal<>();

  @RegisterExtension final PoolsToClose pools = new PoolsToClose();

  /** What a task saw of its thread's context. */
  private record Seen(String user, ClassLoader loader, String thread) {}

  private static Seen look() {
    Thread t = Thread.currentThread();
    return new Seen(USER.get(), t.getContextClassLoader(), t.getName());
  }

  /** Runs {@code body} on a fresh thread that has {@code user} and {@code loader} as context. */
  private static void asUser(String user, ClassLoader loader, ThrowingRunnable body)
      throws Exception {
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(1);
    Thread t =
        new Thread(
            () -> {
              USER.set(user);
              Thread.currentThread().setContextClassLoader(loader);
              try {
                body.run();
              } catch (Throwable e) {
                failure.set(e);
              } finally {
                done.countDown();
              }
            },
            "user-" + user);
    t.setDaemon(true);
    t.start();
    assertThat(done.await(BOUND_S * 2, TimeUnit.SECONDS)).isTrue();
    if (failure.get() instanceof Exception e) {
      throw e;
    }
    if (failure.get() != null) {
      throw new AssertionError(failure.get());
    }
  }

  @FunctionalInterface
  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  @Test
  void workerThreadsDoNotInheritSubmitterThreadLocalsOrClassLoader() throws Exception {
    WorkerPool pool = pools.add(WorkerPool.builder("ctx").maxWorkers(2).build());
    ExecutorService es = pool.asExecutorService();
    List<Seen> seen = new CopyOnWriteArrayList<>();
    try (URLClassLoader aliceLoader = new URLClassLoader(new URL[0], null);
        URLClassLoader bobLoader = new URLClassLoader(new URL[0], null)) {
      // Alice's submission starts the pool's first thread; Bob's task most likely runs on it.
      asUser("alice", aliceLoader, () -> seen.add(es.submit(WorkerThreadContextTest::look)
          .get(BOUND_S, TimeUnit.SECONDS)));
      asUser("bob", bobLoader, () -> seen.add(es.submit(WorkerThreadContextTest::look)
          .get(BOUND_S, TimeUnit.SECONDS)));

      assertThat(seen).hasSize(2);
      for (Seen s : seen) {
        assertThat(s.user()).as("inheritable thread-local seen on %s", s.thread()).isNull();
        assertThat(s.loader())
            .as("context class loader on %s", s.thread())
            .isNotSameAs(aliceLoader)
            .isNotSameAs(bobLoader);
      }
    }
  }

  @Test
  void minWorkersDoNotInheritTheBuildersThreadLocals() throws Exception {
    List<Seen> seen = new CopyOnWriteArrayList<>();
    try (URLClassLoader buildersLoader = new URLClassLoader(new URL[0], null)) {
      AtomicReference<WorkerPool> built = new AtomicReference<>();
      asUser("builder", buildersLoader, () -> built.set(pools.add(
          WorkerPool.builder("ctx-min").minWorkers(1).maxWorkers(1).build())));
      Future<Seen> f = built.get().asExecutorService().submit(WorkerThreadContextTest::look);
      seen.add(f.get(BOUND_S, TimeUnit.SECONDS));
      assertThat(seen.get(0).user()).as("inheritable thread-local seen on %s", seen.get(0).thread())
          .isNull();
    }
  }
}
