package org.asyncwq.priority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.asyncwq.pool.Work;
import org.asyncwq.pool.WorkerPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a lane's rescuer ({@code WorkQueue.Builder.rescuer(true)}, the kernel's {@code
 * WQ_MEM_RECLAIM}) does and does not do. As the kernel's rescuer, it runs a lane's waiting work
 * when the thread that work needs cannot be created; and as the kernel's, it never runs work that
 * waits because the lane already runs its active limit (the kernel keeps such work inactive, off
 * the pool's worklist, until an active work finishes): the limit is the lane's real concurrency,
 * a rescuer that ran past it would break it.
 */
@Timeout(30)
class LaneRescuerTest extends QueueFixture {
  private static final Duration MAYDAY = Duration.ofMillis(10);

  private final CountDownLatch starterBlocked = new CountDownLatch(1);
  private WorkerPool starter;

  @AfterEach
  void closeStarter() {
    gate.countDown();
    if (starter != null) {
      starter.close();
    }
  }

  @Test
  void rescuerRunsALanesWorkWhenItsThreadCannotBeCreated() throws Exception {
    starter = WorkerPool.starter("stalled-starter");
    starter.queue(new Work() { // the starter's only thread waits: no lane thread can be created
      @Override
      protected void run() {
        starterBlocked.countDown();
        try {
          gate.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    assertThat(starterBlocked.await(10, TimeUnit.SECONDS)).isTrue();
    queue = WorkQueue.builder("rescued").limitActive(2).threshold(1).starter(starter)
        .rescuer(true).maydayTimeout(MAYDAY).build();
    Step work = new Step(1, null, log, running, peak);

    queue.queue(work);

    assertThat(work.released.await(10, TimeUnit.SECONDS))
        .as("the rescuer ran the work whose thread could not be created").isTrue();
    assertThat(queue.stats().normal().pool().rescued()).isEqualTo(1);
  }

  @Test
  void rescuerLeavesWorkThatWaitsForTheActiveLimit() throws Exception {
    queue = WorkQueue.builder("at-limit").limitActive(1).threshold(1).rescuer(true)
        .maydayTimeout(MAYDAY).build();
    // The lane's one allowed worker exists and is idle first, so the limit is held by a worker
    // and no thread start (the rescuer's trigger) is in flight when the works arrive.
    Step warmUp = new Step(0, null, log, running, peak);
    queue.queue(warmUp);
    assertThat(warmUp.released.await(10, TimeUnit.SECONDS)).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      var pool = queue.stats().normal().pool();
      return pool.workers() == 1 && pool.idle() == 1 && pool.starting() == 0;
    });
    long rescuedBefore = queue.stats().normal().pool().rescued();
    Step blocked = new Step(1, gate, log, running, peak);
    Step next = new Step(2, null, log, running, peak);
    queue.queue(blocked);
    assertThat(blocked.started.await(10, TimeUnit.SECONDS)).isTrue();

    queue.queue(next);

    // Fifty mayday timeouts with the lane's one allowed worker blocked: the rescuer leaves it.
    assertThat(next.started.await(50 * MAYDAY.toMillis(), TimeUnit.MILLISECONDS))
        .as("a work waiting for the active limit is not rescued").isFalse();
    assertThat(queue.stats().normal().pool().rescued()).isEqualTo(rescuedBefore);
    gate.countDown();
    assertThat(next.released.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(peak.get()).as("never more than the active limit at once").isEqualTo(1);
    assertThat(log).containsExactly(0, 1, 2);
  }
}
