package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 8, defect 4: whatever goes wrong while a thread is being started, the slot is given back
 * and every waiting work is disposed of once, so the pool can terminate: a spawner that throws an
 * {@link Error}, a {@code cancelled()} that queues its work again (and again), a {@code
 * RuntimeException} from the spawner during {@code build()}, which must not leave the rescuer
 * thread it already started running.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StartPathErrorTest {
  private static final long BOUND_S = 5;

  @RegisterExtension final PoolsToClose pools = new PoolsToClose();

  private static Thread daemon(String name, Runnable body) {
    return daemon(name, body, 0);
  }

  /** A daemon thread; {@code stackSize} 0 for the JVM's default, else a hint in bytes. */
  private static Thread daemon(String name, Runnable body, long stackSize) {
    Thread t = new Thread(null, body, name, stackSize);
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Test
  void spawnerErrorCancelsWorkAndPoolTerminates() throws Exception {
    // Not in PoolsToClose: with the defect this pool never terminates; clean-up stays bounded.
    WorkerPool pool =
        WorkerPool.builder("spawner-error")
            .maxWorkers(1)
            .spawner(
                (name, body) -> {
                  throw new InternalError("injected: spawner broke for " + name);
                })
            .build();
    try {
      AtomicReference<Throwable> cause = new AtomicReference<>();
      AtomicReference<Throwable> thrownAtSubmitter = new AtomicReference<>();
      CountDownLatch cancelled = new CountDownLatch(1);
      Work work =
          new Work() {
            @Override
            protected void run() {
              throw new AssertionError("must not run: the pool can get no thread");
            }

            @Override
            protected void cancelled(Throwable c) {
              cause.set(c);
              cancelled.countDown();
            }
          };
      daemon(
          "submitter",
          () -> {
            try {
              pool.queue(work);
            } catch (Throwable t) {
              thrownAtSubmitter.set(t);
            }
          });

      assertThat(cancelled.await(BOUND_S, TimeUnit.SECONDS))
          .as("the work was cancelled (thrown at the submitter: %s; %s)", thrownAtSubmitter.get(),
              pool.stats())
          .isTrue();
      assertThat(cause.get()).isNotNull();
      pool.stop();
      assertThat(pool.awaitTermination(Duration.ofSeconds(BOUND_S)))
          .as("pool terminated (%s)", pool.stats())
          .isTrue();
      assertThat(pool.stats().starting()).isZero();
    } finally {
      pool.stopNow();
      pool.awaitTermination(Duration.ofSeconds(BOUND_S));
    }
  }

  /**
   * A {@code cancelled()} that queues its work again, many times over, while no thread can be had:
   * each accepted queue is cancelled exactly once and the pool still terminates. The pool with the
   * defect recursed through start, failure and cancellation until a {@link StackOverflowError}
   * left a start counted that never ended.
   */
  @Test
  void cancelledThatRequeuesItselfIsCancelledOncePerQueueAndThePoolTerminates()
      throws Exception {
    int requeueLimit = 300;
    WorkerPool pool =
        WorkerPool.builder("requeue-in-cancel")
            .maxWorkers(1)
            .spawnAttempts(1)
            .spawner(
                (name, body) -> {
                  throw new SpawnException("injected: no thread for " + name, false);
                })
            .build();
    try {
      AtomicInteger attempts = new AtomicInteger();
      AtomicInteger accepted = new AtomicInteger();
      AtomicInteger cancels = new AtomicInteger();
      AtomicInteger runs = new AtomicInteger();
      List<Throwable> thrown = new CopyOnWriteArrayList<>();
      CountDownLatch done = new CountDownLatch(1);
      Work work =
          new Work() {
            @Override
            protected void run() {
              runs.incrementAndGet();
            }

            @Override
            protected void cancelled(Throwable cause) {
              cancels.incrementAndGet();
              if (attempts.incrementAndGet() <= requeueLimit) {
                try {
                  if (pool.queue(this)) {
                    accepted.incrementAndGet();
                    return;
                  }
                } catch (RejectedExecutionException e) {
                  // the pool stopped: fine, the chain ends here
                } catch (Throwable t) {
                  thrown.add(t);
                }
              }
              done.countDown();
            }
          };
      // A small stack: a pool that disposes of the chain by recursion overflows it for sure.
      daemon(
          "submitter",
          () -> {
            try {
              if (pool.queue(work)) {
                accepted.incrementAndGet();
              }
            } catch (Throwable t) {
              thrown.add(t);
            }
          },
          256 * 1024);

      assertThat(done.await(6 * BOUND_S, TimeUnit.SECONDS))
          .as("the chain of requeues ended (accepted %d, cancelled %d, %s)", accepted.get(),
              cancels.get(), pool.stats())
          .isTrue();
      assertThat(thrown).as("errors out of queue()").isEmpty();
      await()
          .atMost(Duration.ofSeconds(BOUND_S))
          .untilAsserted(() -> assertThat(cancels.get()).isEqualTo(accepted.get()));
      assertThat(runs.get()).isZero();
      pool.stop();
      assertThat(pool.awaitTermination(Duration.ofSeconds(BOUND_S)))
          .as("pool terminated (%s)", pool.stats())
          .isTrue();
      assertThat(pool.stats().starting()).isZero();
    } finally {
      pool.stopNow();
      pool.awaitTermination(Duration.ofSeconds(BOUND_S));
    }
  }

  @Test
  void runtimeExceptionFromSpawnerDoesNotLeakRescuerThread() throws Exception {
    List<Thread> started = new CopyOnWriteArrayList<>();
    ThreadSpawner rescuerOnly =
        (name, body) -> {
          if (!name.endsWith("-rescuer")) {
            throw new UnsupportedOperationException("injected: spawner broke for " + name);
          }
          Thread t = new Thread(body, name);
          t.setDaemon(true);
          started.add(t);
          t.start();
          return t;
        };

    assertThatThrownBy(
            () ->
                pools.add(
                    WorkerPool.builder("rescued-build")
                        .minWorkers(1)
                        .maxWorkers(1)
                        .rescuer(true)
                        .spawner(rescuerOnly)
                        .build()))
        .isInstanceOf(RuntimeException.class);

    assertThat(started).as("the rescuer was started before the failing worker").isNotEmpty();
    await()
        .atMost(Duration.ofSeconds(BOUND_S))
        .untilAsserted(
            () -> assertThat(started).as("threads left by the failed build()")
                .noneMatch(Thread::isAlive));
  }
}
