package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two producers and two consumers on one worklist that starts at two slots: every push is taken
 * exactly once, and each consumer takes any one producer's works in the order they were pushed,
 * while the ring grows under them and each producer keeps re-pushing the same eight works as soon
 * as they were taken (the reuse a CAS on a linked head would take twice).
 */
class WorklistStressTest {
  private static final int PRODUCERS = 2;
  private static final int CONSUMERS = 2;

  /** A reused work: the producer sets its sequence number before each push. */
  static final class Numbered extends Work {
    final int producer;
    volatile int seq;
    final AtomicBoolean queued = new AtomicBoolean();

    Numbered(int producer) {
      this.producer = producer;
    }

    @Override
    protected void run() {}
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void everyPushIsTakenOnceAndInEachProducersOrder() throws Exception {
    int perProducer = Stress.rounds(100_000);
    Worklist worklist = new Worklist(2);
    AtomicIntegerArray takenCount = new AtomicIntegerArray(PRODUCERS * perProducer);
    CyclicBarrier start = new CyclicBarrier(PRODUCERS + CONSUMERS);
    AtomicBoolean producing = new AtomicBoolean(true);
    Throwable[] failure = new Throwable[1];
    Thread[] threads = new Thread[PRODUCERS + CONSUMERS];
    for (int p = 0; p < PRODUCERS; p++) {
      int producer = p;
      threads[p] = new Thread(() -> {
        Numbered[] own = new Numbered[8];
        for (int k = 0; k < own.length; k++) {
          own[k] = new Numbered(producer);
        }
        await(start);
        for (int i = 0; i < perProducer; i++) {
          Numbered w = own[i % own.length];
          while (w.queued.get()) {
            Thread.yield(); // wait until a consumer took it: then it may be queued again
          }
          w.queued.set(true);
          w.seq = i;
          worklist.push(w);
        }
      });
    }
    for (int c = 0; c < CONSUMERS; c++) {
      threads[PRODUCERS + c] = new Thread(() -> {
        int[] last = new int[PRODUCERS];
        java.util.Arrays.fill(last, -1);
        await(start);
        try {
          for (; ; ) {
            Work w = worklist.take(null);
            if (w == null) {
              if (!producing.get() && worklist.isEmpty()) {
                return;
              }
              Thread.yield();
              continue;
            }
            Numbered n = (Numbered) w;
            int seq = n.seq;
            int producer = n.producer;
            n.queued.set(false);
            if (seq <= last[producer]) {
              throw new AssertionError("producer " + producer + "'s work " + seq
                  + " taken after its work " + last[producer]);
            }
            last[producer] = seq;
            takenCount.incrementAndGet(producer * perProducer + seq);
          }
        } catch (Throwable t) {
          synchronized (failure) {
            failure[0] = t;
          }
        }
      });
    }
    for (Thread t : threads) {
      t.start();
    }
    for (int p = 0; p < PRODUCERS; p++) {
      threads[p].join();
    }
    producing.set(false);
    for (int c = 0; c < CONSUMERS; c++) {
      threads[PRODUCERS + c].join();
    }
    synchronized (failure) {
      if (failure[0] != null) {
        throw new AssertionError(failure[0]);
      }
    }
    for (int i = 0; i < takenCount.length(); i++) {
      assertThat(takenCount.get(i)).as("times push %s was taken", i).isEqualTo(1);
    }
    assertThat(worklist.taken()).isEqualTo((long) PRODUCERS * perProducer);
    assertThat(worklist.isEmpty()).isTrue();
  }

  private static void await(CyclicBarrier b) {
    try {
      b.await();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
