package org.asyncwq.ordered;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The ordered list of one {@link OrderedWorkQueue}: works in queue order, each waiting until its
 * {@code work()} returned and everything before it took its ordered step (btrfs' {@code
 * wq->ordered_list}). A multi-producer, single-consumer intrusive list: producers append without a
 * lock, and one <em>runner</em> at a time retires works from the head.
 *
 * <p><b>Append.</b> A producer swaps itself in as {@link #tail} ({@code getAndSet}), then links the
 * previous tail to itself. Between the two steps the list is briefly cut: the runner, which only
 * ever needs the link behind a work it is about to retire, spins until the producer has written it
 * (a few instructions, unless the producer is descheduled; the shape of Vyukov's intrusive MPSC
 * queue and of JCTools' linked queues). The queue order of a work is the order of its swap.
 *
 * <p><b>Stub.</b> The list owns one {@link #stub} node so that it never has to unlink its last
 * work: before it retires the tail work, the runner appends the stub behind it, and the head
 * passes over the stub wherever it meets it. A retired work is therefore never the tail, and no
 * producer ever writes to a work that has been released (and maybe queued elsewhere since).
 *
 * <p><b>Runner.</b> Nobody owns a thread for the ordered steps. A thread whose work turned {@link
 * Stage#DONE DONE} looks at the first work; if that one is DONE it tries to become the runner by
 * CAS on {@link #running}, and the runner retires the whole run of DONE works it finds: for each,
 * the ordered step, the head moved past it, then the release step, after which it never reads
 * that object again. One hand-off per run, not per work. A thread that loses the CAS returns; the
 * rule at {@link #running} makes sure the runner sees its work.
 *
 * <p><b>Memory.</b> A work's {@code work()} writes happen-before its volatile DONE store, which
 * happens-before the runner's volatile read of DONE, which happens-before its ordered step. Steps
 * of successive works run in one runner or are chained through the {@code running} flag's volatile
 * store and CAS, so each ordered step also sees everything the previous ones wrote.
 */
final class OrderedList {
  private static final VarHandle RUNNING;
  private static final VarHandle TAIL;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      RUNNING = l.findVarHandle(OrderedList.class, "running", boolean.class);
      TAIL = l.findVarHandle(OrderedList.class, "tail", OrderedWork.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Spins on a cut link before yielding to the producer that is writing it. */
  private static final int SPINS = 64;

  /** The list's own node; never DONE, never run, never released. */
  private static final class Stub extends OrderedWork {
    @Override
    protected void work() {}
  }

  private final Consumer<OrderedWork> orderedStep;
  private final Consumer<OrderedWork> releaseStep;
  private final OrderedWork stub = new Stub();

  /** The last work appended (or the stub); swapped by producers. */
  private volatile OrderedWork tail;

  /** The first work not retired yet, or the stub; written by the runner only, read by all. */
  private volatile OrderedWork head;

  private final LongAdder appended = new LongAdder();

  /** Works retired; written by the runner only. */
  private volatile long retired;

  /**
   * True while one thread runs ordered steps. The lost hand-off it must not allow:
   *
   * <pre>
   *   runner R (holds running)               worker W (its work is the first, H)
   *   reads H.stage: RUNNING, so stops
   *                                          stores H.stage = DONE
   *                                          CAS running false->true fails: R holds it
   *                                          returns, trusting R
   *   stores running = false, returns
   *   -> nobody ever runs H's ordered step; the queue stalls for good.
   * </pre>
   *
   * So after its store of {@code false} the runner reads the first work again and competes for
   * the flag if it is DONE. W stores DONE before it reads the head and CASes, R stores {@code
   * false} before its re-read; all volatile, hence in one total order: either W's CAS follows R's
   * store and W wins, or R's re-read follows W's store and R sees DONE. Both may see each other:
   * one CAS wins. W cannot read a head older than H: R wrote it before reading H's stage.
   */
  private volatile boolean running;

  /**
   * @param orderedStep runs a first work's ordered step; must not throw
   * @param releaseStep runs after the work left the list; must not throw, and the list never
   *     touches the work again
   */
  OrderedList(Consumer<OrderedWork> orderedStep, Consumer<OrderedWork> releaseStep) {
    this.orderedStep = orderedStep;
    this.releaseStep = releaseStep;
    this.head = stub;
    this.tail = stub;
  }

  /** Appends a work that is not DONE yet; its position is its queue order. Lock-free. */
  void append(OrderedWork work) {
    link(work);
    appended.increment();
  }

  private void link(OrderedWork work) {
    work.nextOrdered = null;
    OrderedWork prev = (OrderedWork) TAIL.getAndSet(this, work);
    prev.nextOrdered = work;
  }

  /**
   * Runs every ordered step that is due, unless another thread is doing so and will see them. Call
   * it after a work of this list turned DONE.
   */
  void runReady() {
    while (firstIsDone()) {
      if (!RUNNING.compareAndSet(this, false, true)) {
        return; // the runner re-checks the first work after it lets go; see running
      }
      try {
        retireRun();
      } finally {
        running = false;
      }
    }
  }

  private boolean firstIsDone() {
    OrderedWork h = head;
    if (h == stub) {
      h = h.nextOrdered;
    }
    return h != null && h.stage() == Stage.DONE;
  }

  /** Runner only: retires works from the head while they are DONE. */
  private void retireRun() {
    for (; ; ) {
      OrderedWork h = head;
      if (h == stub) {
        OrderedWork first = stub.nextOrdered;
        if (first == null) {
          return; // empty
        }
        head = first;
        h = first;
      }
      if (h.stage() != Stage.DONE) {
        return;
      }
      orderedStep.accept(h);
      OrderedWork next = h.nextOrdered;
      if (next == null) {
        if (tail == h) {
          link(stub); // h must not stay the tail: a producer would write to it once released
        }
        next = awaitLink(h);
      }
      head = next;
      retired = retired + 1; // single writer: the runner
      releaseStep.accept(h); // h is free from here on: not one more access
    }
  }

  /** The link behind {@code w}, once the producer that swapped in after it has written it. */
  private static OrderedWork awaitLink(OrderedWork w) {
    OrderedWork next;
    for (int spins = 0; (next = w.nextOrdered) == null; spins++) {
      if (spins < SPINS) {
        Thread.onSpinWait();
      } else {
        Thread.yield();
      }
    }
    return next;
  }

  /** Works on the list: appended and not retired yet (read without a lock, so approximate). */
  int length() {
    return (int) Math.max(0, appended.sum() - retired);
  }
}
