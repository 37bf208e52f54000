package org.asyncwq.ordered;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 3, point 6: hashed works (io-wq), without a thread pinned to a hash. */
@Timeout(60)
class OrderedWorkQueueHashTest {
  private final Cleanup cleanup = new Cleanup();

  @AfterEach
  void cleanUp() {
    cleanup.close();
  }

  /** A work that runs {@code body} and then counts its release. */
  static final class Task extends OrderedWork {
    final Runnable body;
    final CountDownLatch released;

    Task(Runnable body, CountDownLatch released) {
      this.body = body;
      this.released = released;
    }

    @Override
    protected void work() {
      body.run();
    }

    @Override
    protected void release() {
      released.countDown();
    }
  }

  @Test
  void equalHashesNeverOverlapAndStartInQueueOrder() throws Exception {
    OrderedWorkQueue q = cleanup.queue("hash-order", 6);
    int hashes = 5;
    int perHash = Stress.rounds(200);
    AtomicInteger[] running = new AtomicInteger[hashes];
    List<List<Integer>> started = new ArrayList<>();
    for (int h = 0; h < hashes; h++) {
      running[h] = new AtomicInteger();
      started.add(new CopyOnWriteArrayList<>());
    }
    AtomicInteger overlaps = new AtomicInteger();
    CountDownLatch released = new CountDownLatch(hashes * perHash);
    for (int i = 0; i < perHash; i++) {
      for (int h = 0; h < hashes; h++) {
        int hash = h;
        int seq = i;
        q.queue(new Task(() -> {
          if (running[hash].incrementAndGet() != 1) {
            overlaps.incrementAndGet();
          }
          started.get(hash).add(seq);
          Thread.yield(); // widen the window an overlap would need
          running[hash].decrementAndGet();
        }, released), 1000L + hash);
      }
    }
    assertThat(released.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(overlaps.get()).isZero();
    for (List<Integer> seqs : started) {
      assertThat(seqs).hasSize(perHash).isSorted();
    }
  }

  @Test
  void differentHashesRunInParallel() throws Exception {
    OrderedWorkQueue q = cleanup.queue("hash-parallel", 4);
    // two distinct hashes that share a stripe (and so a lock): only exact equality serializes
    long a = 7;
    long b = 8;
    while (HashChains.stripeIndex(b) != HashChains.stripeIndex(a)) {
      b++;
    }
    CyclicBarrier bothRunning = new CyclicBarrier(3);
    Map<Long, Throwable> errors = new ConcurrentHashMap<>();
    CountDownLatch released = new CountDownLatch(3);
    for (long hash : new long[] {a, b, 9}) {
      q.queue(new Task(() -> {
        try {
          bothRunning.await(30, TimeUnit.SECONDS); // trips only if all three run at once
        } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
          errors.put(hash, e);
        }
      }, released), hash);
    }
    assertThat(released.await(40, TimeUnit.SECONDS)).isTrue();
    assertThat(errors).isEmpty();
  }

  @Test
  void blockedHashDoesNotDelayOtherHashes() throws Exception {
    OrderedWorkQueue q = cleanup.queue("hash-hot", 2);
    CountDownLatch gate = cleanup.gate();
    CountDownLatch hotStarted = new CountDownLatch(1);
    AtomicInteger hotRuns = new AtomicInteger();
    CountDownLatch hotReleased = new CountDownLatch(4);
    q.queue(new Task(() -> {
      hotRuns.incrementAndGet();
      hotStarted.countDown();
      OrderedWorkQueueOrderTest.await(gate); // the hot hash blocks one of the two threads
    }, hotReleased), 42);
    assertThat(hotStarted.await(30, TimeUnit.SECONDS)).isTrue();
    for (int i = 0; i < 3; i++) {
      q.queue(new Task(hotRuns::incrementAndGet, hotReleased), 42); // wait behind it
    }
    int others = 200;
    CountDownLatch othersReleased = new CountDownLatch(others);
    for (int i = 0; i < others; i++) {
      q.queue(new Task(() -> {}, othersReleased), i % 10); // hashes 0..9, never 42
    }

    assertThat(othersReleased.await(30, TimeUnit.SECONDS))
        .as("other hashes completed while hash 42 is blocked: %s", q.stats()).isTrue();
    assertThat(hotRuns.get()).isEqualTo(1);
    assertThat(q.stats().hashedWaiting()).isEqualTo(3);

    gate.countDown();
    assertThat(hotReleased.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(hotRuns.get()).isEqualTo(4);
  }
}
