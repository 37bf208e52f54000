package org.asyncwq.ordered;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 9, hashed work: a finished hashed work's waiting successor runs next on the same thread,
 * without a trip through the pool, but at most {@link WorkSteps#HASH_RUN} in a row, so a work of
 * another hash waiting in the pool gets the thread soon after.
 */
@Timeout(60)
class HashRunTest {
  private final Cleanup cleanup = new Cleanup();

  @AfterEach
  void cleanUp() {
    cleanup.close();
  }

  private static final class Noted extends OrderedWork {
    final String name;
    final List<String> order;
    final List<Thread> threads;
    final CountDownLatch gate;
    final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch released;

    Noted(String name, List<String> order, List<Thread> threads, CountDownLatch gate,
        CountDownLatch released) {
      this.name = name;
      this.order = order;
      this.threads = threads;
      this.gate = gate;
      this.released = released;
    }

    @Override
    protected void work() {
      order.add(name);
      threads.add(Thread.currentThread());
      started.countDown();
      if (gate != null) {
        OrderedWorkQueueOrderTest.await(gate);
      }
    }

    @Override
    protected void release() {
      released.countDown();
    }
  }

  @Test
  void successorsRunOnTheSameThreadABoundedNumberInARowThenOtherHashesGetATurn()
      throws Exception {
    OrderedWorkQueue q = cleanup.queue("hash-run", 1);
    List<String> order = new CopyOnWriteArrayList<>();
    List<Thread> threads = new CopyOnWriteArrayList<>();
    int chain = 3 * WorkSteps.HASH_RUN;
    CountDownLatch released = new CountDownLatch(chain + 1);
    CountDownLatch gate = cleanup.gate();
    Noted head = new Noted("a0", order, threads, gate, released);
    q.queue(head, 1);
    assertThat(head.started.await(10, TimeUnit.SECONDS)).isTrue();
    for (int i = 1; i < chain; i++) {
      q.queue(new Noted("a" + i, order, threads, null, released), 1);
    }
    q.queue(new Noted("b", order, threads, null, released), 2); // waits in the pool
    gate.countDown();
    assertThat(released.await(30, TimeUnit.SECONDS)).isTrue();

    // the one thread ran a0 and then HASH_RUN successors straight on; then b had its turn
    assertThat(order.indexOf("b")).as("%s", order).isEqualTo(WorkSteps.HASH_RUN + 1);
    assertThat(order.subList(0, WorkSteps.HASH_RUN + 1))
        .allSatisfy(n -> assertThat(n).startsWith("a"));
    assertThat(threads).containsOnly(threads.get(0));
  }

  @Test
  void aHashSuccessorRunsOnTheThreadOfItsPredecessor() throws Exception {
    OrderedWorkQueue q = cleanup.queue("hash-same-thread", 4);
    List<String> order = new CopyOnWriteArrayList<>();
    List<Thread> threads = new CopyOnWriteArrayList<>();
    CountDownLatch released = new CountDownLatch(6);
    CountDownLatch gate = cleanup.gate();
    Noted head = new Noted("a0", order, threads, gate, released);
    q.queue(head, 9);
    assertThat(head.started.await(10, TimeUnit.SECONDS)).isTrue();
    for (int i = 1; i < 6; i++) {
      q.queue(new Noted("a" + i, order, threads, null, released), 9);
    }
    gate.countDown();
    assertThat(released.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(order).containsExactly("a0", "a1", "a2", "a3", "a4", "a5");
    assertThat(threads).containsOnly(threads.get(0));
  }
}
