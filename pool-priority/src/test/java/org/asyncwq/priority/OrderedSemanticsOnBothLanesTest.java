package org.asyncwq.priority;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.asyncwq.ordered.OrderedWork;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Issue 4, point 6: pool-ordered's core guarantees hold on both lanes of a WorkQueue. */
@Timeout(60)
class OrderedSemanticsOnBothLanesTest extends QueueFixture {
  private void queueOn(boolean high, OrderedWork w) {
    if (high) {
      queue.queueHigh(w);
    } else {
      queue.queue(w);
    }
  }

  private WorkQueue fixedQueue() {
    return WorkQueue.builder("semantics").limitActive(4).threshold(1).highPriority(true).build();
  }

  @ParameterizedTest(name = "high lane: {0}")
  @ValueSource(booleans = {false, true})
  void orderedStepsRunInQueueOrderEvenWhenLaterWorksFinishFirst(boolean high) throws Exception {
    queue = fixedQueue();
    Step first = new Step(0, gate, log, running, peak);
    queueOn(high, first);
    assertThat(first.started.await(10, TimeUnit.SECONDS)).isTrue();
    List<Step> rest = new ArrayList<>();
    for (int i = 1; i < 10; i++) {
      Step s = new Step(i, null, log, running, peak);
      rest.add(s);
      queueOn(high, s);
    }
    for (Step s : rest) {
      assertThat(s.started.await(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(log).isEmpty(); // all later works finished work(), none took its ordered turn
    gate.countDown();
    queue.flush();
    assertThat(log).containsExactlyElementsOf(IntStream.range(0, 10).boxed().toList());
  }

  @ParameterizedTest(name = "high lane: {0}")
  @ValueSource(booleans = {false, true})
  void orderedAndReleaseRunOnceEachInOrderAndSeeWhatWorkWrote(boolean high) throws Exception {
    queue = fixedQueue();
    List<Step> steps = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      Step s = new Step(i, null, log, running, peak);
      steps.add(s);
      queueOn(high, s);
    }
    queue.flush();
    assertThat(log).containsExactlyElementsOf(IntStream.range(0, 2000).boxed().toList());
    assertThat(steps)
        .allSatisfy(
            s -> {
              assertThat(s.works).hasValue(1);
              assertThat(s.ordereds).hasValue(1);
              assertThat(s.releases).hasValue(1);
              assertThat(s.seenInOrdered).isEqualTo(s.id * 7);
            });
  }

  @ParameterizedTest(name = "high lane: {0}")
  @ValueSource(booleans = {false, true})
  void aFailingWorkRecordsItsFailureAndStillTakesItsOrderedTurn(boolean high) throws Exception {
    queue = fixedQueue();
    List<OrderedWork> works = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      int id = i;
      OrderedWork w =
          new OrderedWork() {
            @Override
            protected void work() {
              if (id == 2) {
                throw new IllegalStateException("work 2 fails");
              }
            }

            @Override
            protected void ordered() {
              log.add(id);
            }
          };
      works.add(w);
      queueOn(high, w);
    }
    queue.flush();
    assertThat(log).containsExactly(0, 1, 2, 3, 4);
    assertThat(works.get(2).failure()).isInstanceOf(IllegalStateException.class);
    assertThat(works.stream().filter(w -> w.failure() != null).collect(Collectors.toList()))
        .hasSize(1);
  }
}
