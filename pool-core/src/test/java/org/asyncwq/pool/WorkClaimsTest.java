package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.asyncwq.pool.spi.WorkClaims;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The not-API {@link WorkClaims}: one CAS marks a work pending and held; a pool queues a claimed
 * work without a second one and runs it once; starting it clears the pending mark and keeps the
 * hold, so nobody queues it again until its holder lets go.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WorkClaimsTest {
  @RegisterExtension final PoolsToClose pools = new PoolsToClose();

  static final class Counted extends Work {
    final AtomicInteger runs = new AtomicInteger();
    final CountDownLatch ran = new CountDownLatch(1);
    volatile boolean pendingInRun;

    @Override
    protected void run() {
      pendingInRun = isPending();
      runs.incrementAndGet();
      ran.countDown();
    }
  }

  @Test
  void aClaimedWorkIsPendingRunsOnceThroughQueueClaimedAndStaysHeldUntilReleased()
      throws Exception {
    WorkerPool pool = pools.add(WorkerPool.builder("claims").maxWorkers(1).build());
    Counted work = new Counted();
    assertThat(WorkClaims.claim(work)).isTrue();
    assertThat(work.isPending()).isTrue();
    assertThat(WorkClaims.claim(work)).isFalse();
    assertThat(pool.queue(work)).isFalse();

    WorkClaims.queueClaimed(pool, work);
    assertThat(work.ran.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(work.runs).hasValue(1);
    assertThat(work.pendingInRun).isFalse();
    assertThat(work.isPending()).isFalse();
    assertThat(pool.queue(work)).as("held: the pool does not take it").isFalse();
    assertThat(WorkClaims.claim(work)).isFalse();

    WorkClaims.release(work);
    assertThat(WorkClaims.claim(work)).isTrue();
    WorkClaims.clearPending(work); // as a queue that runs it itself does
    assertThat(work.isPending()).isFalse();
    WorkClaims.release(work);
    assertThat(pool.queue(work)).isTrue();
  }

  @Test
  void aStoppedPoolRefusesAClaimedWorkAndClearsItsPendingMarkOnly() {
    WorkerPool pool = pools.add(WorkerPool.builder("claims-stopped").maxWorkers(1).build());
    pool.stop();
    Counted work = new Counted();
    assertThat(WorkClaims.claim(work)).isTrue();
    assertThatThrownBy(() -> WorkClaims.queueClaimed(pool, work))
        .isInstanceOf(RejectedExecutionException.class);
    assertThat(work.isPending()).isFalse();
    assertThat(WorkClaims.claim(work)).as("still held by its claimer").isFalse();
    assertThat(work.runs).hasValue(0);
  }

  @Test
  void poolCoreInstallsItsSideOnceItself() {
    new Counted(); // Work's class is initialised, which installs its side
    assertThatThrownBy(() -> WorkClaims.install(null)).isInstanceOf(IllegalStateException.class);
  }
}
