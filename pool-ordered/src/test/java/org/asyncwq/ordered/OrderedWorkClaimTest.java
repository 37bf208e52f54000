package org.asyncwq.ordered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.asyncwq.pool.WorkerPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The queue's claim of a work is the pool's pending mark as well (one CAS on the work, see {@code
 * WorkClaims}): from {@code queue()} until its {@code work()} starts the work is pending, from
 * {@code queue()} until its {@code release()} nobody can queue it again, neither on a queue nor on
 * the pool directly, and a refused work is left free.
 */
@Timeout(30)
class OrderedWorkClaimTest {
  private final Cleanup cleanup = new Cleanup();

  @AfterEach
  void cleanUp() {
    cleanup.close();
  }

  /** Counts its steps; work() waits for a gate if given one. */
  static final class Probe extends OrderedWork {
    final AtomicInteger works = new AtomicInteger();
    final AtomicInteger releases = new AtomicInteger();
    final CountDownLatch inWork = new CountDownLatch(1);
    final CountDownLatch released = new CountDownLatch(1);
    volatile CountDownLatch gate;

    @Override
    protected void work() {
      works.incrementAndGet();
      inWork.countDown();
      CountDownLatch g = gate;
      if (g != null) {
        try {
          g.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    @Override
    protected void ordered() {}

    @Override
    protected void release() {
      releases.incrementAndGet();
      released.countDown();
    }
  }

  @Test
  void aQueuedWorkIsPendingUntilItStartsAndItsPoolRefusesItMeanwhile() throws Exception {
    WorkerPool pool = cleanup.pool("claim-pending", 2);
    OrderedWorkQueue queue = cleanup.queue(OrderedWorkQueue.builder("claim-pending")
        .pool(pool).build());
    pool.freeze();
    Probe probe = new Probe();
    assertThat(queue.queue(probe)).isTrue();
    assertThat(probe.isPending()).isTrue();
    assertThat(pool.queue(probe)).isFalse();
    assertThat(queue.queue(probe)).isFalse();
    pool.thaw();
    assertThat(probe.released.await(10, TimeUnit.SECONDS)).isTrue();
    queue.flush();
    assertThat(probe.works).hasValue(1);
    assertThat(probe.releases).hasValue(1);
    assertThat(probe.isPending()).isFalse();
  }

  @Test
  void aRunningWorkIsNotPendingYetNobodyCanQueueItUntilItsRelease() throws Exception {
    WorkerPool pool = cleanup.pool("claim-running", 2);
    OrderedWorkQueue queue = cleanup.queue(OrderedWorkQueue.builder("claim-running")
        .pool(pool).build());
    Probe probe = new Probe();
    CountDownLatch gate = cleanup.gate();
    probe.gate = gate;
    assertThat(queue.queue(probe)).isTrue();
    assertThat(probe.inWork.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(probe.isPending()).isFalse();
    assertThat(pool.queue(probe)).isFalse(); // held by the queue: the pool does not take it
    assertThat(queue.queue(probe)).isFalse();
    gate.countDown();
    queue.flush();
    assertThat(probe.works).hasValue(1);
    assertThat(probe.releases).hasValue(1);
    probe.gate = null;
    assertThat(queue.queue(probe)).isTrue(); // released: free again
    queue.flush();
    assertThat(probe.works).hasValue(2);
    assertThat(probe.releases).hasValue(2);
  }

  @Test
  void aHashSuccessorIsPendingOnItsChainAndRunsOnce() throws Exception {
    WorkerPool pool = cleanup.pool("claim-hash", 2);
    OrderedWorkQueue queue = cleanup.queue(OrderedWorkQueue.builder("claim-hash")
        .pool(pool).build());
    Probe first = new Probe();
    CountDownLatch gate = cleanup.gate();
    first.gate = gate;
    Probe second = new Probe();
    assertThat(queue.queue(first, 7)).isTrue();
    assertThat(first.inWork.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(queue.queue(second, 7)).isTrue();
    assertThat(second.isPending()).isTrue(); // waits on the chain, in no pool yet
    assertThat(pool.queue(second)).isFalse();
    gate.countDown();
    queue.flush();
    assertThat(second.works).hasValue(1);
    assertThat(second.releases).hasValue(1);
    assertThat(second.isPending()).isFalse();
  }

  @Test
  void aWorkAClosedQueueRefusesIsLeftFreeForAnotherQueue() throws Exception {
    OrderedWorkQueue closed = OrderedWorkQueue.builder("claim-closed").maxActive(1).build();
    closed.close();
    Probe probe = new Probe();
    assertThatThrownBy(() -> closed.queue(probe))
        .isInstanceOf(RejectedExecutionException.class)
        .hasMessageContaining("closed");
    assertThat(probe.isPending()).isFalse();
    assertThat(closed.stats().queued()).isZero();
    OrderedWorkQueue open = cleanup.queue(OrderedWorkQueue.builder("claim-open")
        .pool(cleanup.pool("claim-open", 1)).build());
    assertThat(open.queue(probe)).isTrue();
    assertThat(probe.released.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(probe.works).hasValue(1);
  }
}
