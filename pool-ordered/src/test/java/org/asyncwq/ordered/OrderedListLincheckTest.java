package org.asyncwq.ordered;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 3, point 9: Lincheck's model checker explores the interleavings of the real {@link
 * OrderedList} hand-off: works finish on as many threads at once while the runner role passes
 * from work to work. In every interleaving each ordered step and each release runs exactly once,
 * in queue order, and no step is left behind (a lost hand-off would leave a finished work that
 * nobody retires).
 *
 * <p>Issue 9 made the list lock-free (multi-producer, single runner): the second test appends from
 * several threads at once while works finish and runs retire, and checks that the steps follow the
 * append order, each once, with every work released exactly once and the list left empty.
 */
@Timeout(300)
class OrderedListLincheckTest {
  private static final int INVOCATIONS = 1_000 * Math.min(Stress.factor(), 10);

  /** A work the test completes by hand: finished() is what the queue does after work(). */
  static final class Item extends OrderedWork {
    final int index;

    Item(int index) {
      this.index = index;
    }

    @Override
    protected void work() {}

    @Override
    protected void ordered() {}
  }

  /** The steps seen, in the order the list ran them; only the runner writes. */
  static final class Trace {
    final List<String> steps = new ArrayList<>();
  }

  interface ListUnderTest {
    void append(OrderedWork w);

    /** What the queue does when a work's work() returned. */
    void finished(Item item);
  }

  private static void raceCompletions(
      int n, java.util.function.Function<Trace, ListUnderTest> make) {
    Trace trace = new Trace();
    ListUnderTest list = make.apply(trace);
    Item[] items = new Item[n];
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      items[i] = new Item(i);
      expected.add("ordered " + i);
      expected.add("release " + i);
    }
    for (Item item : items) {
      item.claim();
      list.append(item);
    }
    Thread[] threads = new Thread[items.length];
    for (int i = 0; i < items.length; i++) {
      Item item = items[i];
      threads[i] = new Thread(() -> {
        list.finished(item);
      });
    }
    for (Thread t : threads) {
      t.start();
    }
    for (Thread t : threads) {
      try {
        t.join();
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    List<String> steps;
    synchronized (trace) {
      steps = List.copyOf(trace.steps);
    }
    if (!steps.equals(expected)) {
      throw new AssertionError("steps ran as " + steps);
    }
  }

  private static Consumer<OrderedWork> record(Trace trace, String what) {
    return w -> {
      synchronized (trace) {
        trace.steps.add(what + " " + ((Item) w).index);
      }
    };
  }

  @Test
  void orderedListHandOffRunsEveryStepOnceInOrderUnderModelChecking() {
    Lincheck.runConcurrentTest(INVOCATIONS, () -> raceCompletions(3, trace -> {
      OrderedList real = new OrderedList(record(trace, "ordered"), record(trace, "release"));
      return new ListUnderTest() {
        @Override
        public void append(OrderedWork w) {
          real.append(w);
        }

        @Override
        public void finished(Item item) {
          real.finished(item);
        }
      };
    }));
  }

  @Test
  void concurrentAppendsAndCompletionsRunEveryStepOnceInAppendOrderUnderModelChecking() {
    Lincheck.runConcurrentTest(INVOCATIONS / 2, () -> {
      Trace trace = new Trace();
      OrderedList list = new OrderedList(record(trace, "ordered"), record(trace, "release"));
      Item first = new Item(0);
      first.claim();
      list.append(first); // queued before the race: the runner may reach the stub behind it
      Item[] mine = {new Item(1), new Item(2)};
      Thread[] producers = new Thread[mine.length];
      for (int i = 0; i < mine.length; i++) {
        Item item = mine[i];
        producers[i] = new Thread(() -> {
          item.claim();
          list.append(item);
          list.finished(item);
        });
      }
      Thread finisher = new Thread(() -> {
        list.finished(first);
      });
      for (Thread t : producers) {
        t.start();
      }
      finisher.start();
      try {
        for (Thread t : producers) {
          t.join();
        }
        finisher.join();
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
      List<String> steps;
      synchronized (trace) {
        steps = List.copyOf(trace.steps);
      }
      // 0 first; 1 and 2 in whichever order their appends took; each ordered step just before its
      // release, since each work is retired whole before the next
      List<String> a = List.of("ordered 0", "release 0", "ordered 1", "release 1", "ordered 2",
          "release 2");
      List<String> b = List.of("ordered 0", "release 0", "ordered 2", "release 2", "ordered 1",
          "release 1");
      if (!steps.equals(a) && !steps.equals(b)) {
        throw new AssertionError("steps ran as " + steps);
      }
      if (list.retired() != 3) {
        throw new AssertionError(list.retired() + " works counted retired, not 3");
      }
    });
  }
}
