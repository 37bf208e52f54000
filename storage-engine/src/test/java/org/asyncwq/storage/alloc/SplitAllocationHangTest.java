package org.asyncwq.storage.alloc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.asyncwq.pool.WorkerPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seed 001 (XFS c85007e2e3): two concurrent B+tree splits on an {@code alloc} queue limited to one
 * worker (its rescuer). Split A comes from an IO-completion path and holds no AG; split B's
 * transaction holds AG 1, which has room. AG 0 is full, so A's allocation must wait for AG 1.
 *
 * <p>Naive rule (always punt): A runs on the only alloc worker and waits for AG 1; B's split is
 * queued behind it; B cannot commit and release AG 1 until its split ran: ABBA, a hang. Our rule:
 * A holds no AG with room, so it runs inline and waits on its own thread; B's split is punted,
 * allocates from AG 1 that B already holds, B commits, A gets its block.
 */
@Timeout(60)
class SplitAllocationHangTest {
  private static final long BOUND_MS = 2000;
  private static final int AG_BLOCKS = 64;

  private final CountDownLatch aWaitsForAg1 = new CountDownLatch(1);

  private AllocationGroups space() {
    AllocationGroups space = AllocationGroups.of(0, 2 * AG_BLOCKS, 2, new LockObserver() {
      @Override
      public void lock(int ag) {
        if (ag == 1) {
          aWaitsForAg1.countDown();
        }
      }
    });
    return space;
  }

  private final CountDownLatch releaseWorker = new CountDownLatch(1);

  /**
   * The alloc queue's pool reduced to its rescuer: one worker, stuck (the seed's memory shortage:
   * no other worker can be had), so only the rescuer runs punted splits, one at a time, as the
   * kernel's WQ_MEM_RECLAIM rescuer does. (The store's {@code alloc} WorkQueue counts the rescuer
   * within its active limit, so the shape is built on its pool directly.)
   */
  private WorkerPool allocLimitedToItsRescuer() throws InterruptedException {
    WorkerPool pool = WorkerPool.builder("alloc").maxWorkers(1).boredThreshold(1)
        .rescuer(true).build();
    CountDownLatch stuck = new CountDownLatch(1);
    pool.execute(() -> {
      stuck.countDown();
      try {
        releaseWorker.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertThat(stuck.await(10, TimeUnit.SECONDS)).isTrue();
    return pool;
  }

  @org.junit.jupiter.api.AfterEach
  void releaseTheStuckWorker() {
    releaseWorker.countDown();
  }

  /** Transaction B: holds AG 1 with room. AG 0: full (a committed transaction filled it). */
  private static Transaction setUp(AllocationGroups space) throws IOException {
    Transaction fill = space.begin(0);
    fill.allocate(AG_BLOCKS);
    fill.commit();
    Transaction b = space.begin(1);
    b.allocate(1);
    assertThat(b.heldGroups()).containsExactly(1);
    return b;
  }

  @Test
  void alwaysPuntingDeadlocksTheRescuerOnAnAgLockWithinABound() throws Exception {
    AllocationGroups space = space();
    Transaction b = setUp(space);
    Transaction a = space.begin(0);
    try (WorkerPool alloc = allocLimitedToItsRescuer()) {
      SplitAllocation naive = new SplitAllocation(alloc, true);
      CompletableFuture<Long> splitA = split(naive, a, r -> new Thread(r, "split-a").start());
      assertThat(aWaitsForAg1.await(10, TimeUnit.SECONDS)).isTrue();
      Thread[] threadB = new Thread[1];
      CompletableFuture<Long> splitB = split(naive, b, r -> {
        threadB[0] = new Thread(r, "split-b");
        threadB[0].start();
      });
      CompletableFuture<Void> bCommits = splitB.thenRun(b::commit);

      assertThat(waitFor(bCommits)).as("B commits within " + BOUND_MS + " ms").isFalse();
      assertThat(splitA).isNotDone();

      // Clean up: give B up (its waiting split is cancelled), which releases AG 1; A completes.
      threadB[0].interrupt();
      threadB[0].join(10_000);
      assertThat(splitB).isCompletedExceptionally();
      b.abort();
      assertThat(splitA.get(10, TimeUnit.SECONDS)).isBetween((long) AG_BLOCKS, 2L * AG_BLOCKS);
      a.abort();
      releaseWorker.countDown();
    }
  }

  @Test
  void puntingOnlyWithAnAgThatHasRoomCompletesBothSplits() throws Exception {
    AllocationGroups space = space();
    Transaction b = setUp(space);
    Transaction a = space.begin(0);
    try (WorkerPool alloc = allocLimitedToItsRescuer()) {
      SplitAllocation ours = new SplitAllocation(alloc);
      assertThat(ours.punts(a, 1)).isFalse();
      assertThat(ours.punts(b, 1)).isTrue();
      CompletableFuture<Long> splitA = split(ours, a, r -> new Thread(r, "split-a").start());
      assertThat(aWaitsForAg1.await(10, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<Long> splitB = split(ours, b, r -> new Thread(r, "split-b").start());
      CompletableFuture<Void> bCommits = splitB.thenRun(b::commit);

      assertThat(waitFor(bCommits)).isTrue();
      long blockA = splitA.get(BOUND_MS, TimeUnit.MILLISECONDS);
      assertThat(space.groupOf(blockA).index()).isEqualTo(1);
      assertThat(a.heldGroups()).containsExactly(1);
      a.commit();
      releaseWorker.countDown();
    }
  }

  private static CompletableFuture<Long> split(SplitAllocation rule, Transaction t, Executor on) {
    CompletableFuture<Long> f = new CompletableFuture<>();
    on.execute(() -> {
      try {
        f.complete(rule.allocateBlock(t));
      } catch (Throwable e) {
        f.completeExceptionally(e);
      }
    });
    return f;
  }

  private static boolean waitFor(CompletableFuture<?> f) throws Exception {
    try {
      f.get(BOUND_MS, TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    }
  }
}
