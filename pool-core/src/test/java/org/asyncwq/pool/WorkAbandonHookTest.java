package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.asyncwq.pool.spi.WorkHooks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 9: {@code Work.abandon} is no hook of Work's public or protected API; a kind of work that
 * needs its own disposal installs it once through the not-API {@link WorkHooks}, and a pool that
 * can never run a work of that kind calls it instead of {@code cancelled()}.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WorkAbandonHookTest {
  @RegisterExtension final PoolsToClose pools = new PoolsToClose();

  /** A kind of work with a disposal of its own, installed by its class initialiser. */
  abstract static class KindOfWork extends Work {
    static {
      WorkHooks.installAbandoner(
          KindOfWork.class, (w, cause) -> ((KindOfWork) w).abandonedWith.add(cause));
    }

    final List<Throwable> abandonedWith = new ArrayList<>();
    final List<Throwable> cancelledWith = new ArrayList<>();

    @Override
    protected void cancelled(Throwable cause) {
      cancelledWith.add(cause);
    }
  }

  static final class Plain extends Work {
    final List<Throwable> cancelledWith = new ArrayList<>();

    @Override
    protected void run() {}

    @Override
    protected void cancelled(Throwable cause) {
      cancelledWith.add(cause);
    }
  }

  @Test
  void abandonIsNeitherPublicNorProtectedOnWork() {
    for (Class<?> c = Work.class; c != null; c = c.getSuperclass()) {
      for (Method m : c.getDeclaredMethods()) {
        if (m.getName().equals("abandon")) {
          assertThat(Modifier.isPublic(m.getModifiers()) || Modifier.isProtected(m.getModifiers()))
              .as("%s is visible to subclasses", m)
              .isFalse();
        }
      }
    }
  }

  @Test
  void stopNowAbandonsAnInstalledKindThroughItsHookAndAPlainWorkThroughCancelled()
      throws Exception {
    WorkerPool pool = pools.add(WorkerPool.builder("abandon").maxWorkers(1).build());
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    pool.queue(new Work() {
      @Override
      protected void run() {
        running.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
    KindOfWork kind = new KindOfWork() {
      @Override
      protected void run() {}
    };
    Plain plain = new Plain();
    pool.queue(kind);
    pool.queue(plain);

    assertThat(pool.stopNow()).isEqualTo(2);
    release.countDown();

    assertThat(kind.abandonedWith).singleElement().isInstanceOf(CancellationException.class);
    assertThat(kind.cancelledWith).as("the hook decides; cancelled() is not called behind it")
        .isEmpty();
    assertThat(plain.cancelledWith).singleElement().isInstanceOf(CancellationException.class);
  }

  @Test
  void aKindInstallsItsAbandonerOnceAndWorkItselfNever() {
    assertThat(WorkHooks.abandonerOf(new Plain())).isNull();
    assertThat(WorkHooks.abandonerOf(new KindOfWork() {
      @Override
      protected void run() {}
    })).isNotNull();
    assertThatThrownBy(() -> WorkHooks.installAbandoner(KindOfWork.class, (w, c) -> {}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("installed already");
    assertThatThrownBy(() -> WorkHooks.installAbandoner(Work.class, (w, c) -> {}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
