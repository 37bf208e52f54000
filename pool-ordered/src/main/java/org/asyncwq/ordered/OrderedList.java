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
 * <p><b>Cache lines.</b> Producers write {@code tail}; the runner writes {@code head}, {@code
 * running} and {@code retired}. They sit in separate padded classes above this one, so a
 * producer's swap and the runner's steps do not pass one cache line back and forth for every work.
 * Inside a run the runner moves {@code head} with release stores (no full fence per work) and
 * counts retired works locally; the head it stops at, the one the rule at {@code running} is
 * about, it stores volatile and then reads that work's stage again. The fields themselves live in the padded
 * classes below.
 *
 * <p><b>Memory.</b> A work's {@code work()} writes happen-before its volatile DONE store, which
 * happens-before the runner's volatile read of DONE, which happens-before its ordered step. Steps
 * of successive works run in one runner or are chained through the {@code running} flag's volatile
 * store and CAS, so each ordered step also sees everything the previous ones wrote.
 */
final class OrderedList extends OrderedListRunnerPad {
  private static final VarHandle RUNNING;
  private static final VarHandle TAIL;
  private static final VarHandle HEAD;
  private static final VarHandle RETIRED;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      RUNNING = l.findVarHandle(OrderedListRunner.class, "running", boolean.class);
      HEAD = l.findVarHandle(OrderedListRunner.class, "head", OrderedWork.class);
      RETIRED = l.findVarHandle(OrderedListRunner.class, "retired", long.class);
      TAIL = l.findVarHandle(OrderedListTail.class, "tail", OrderedWork.class);
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

  private final LongAdder appended = new LongAdder();


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
    OrderedWork.NEXT_ORDERED.set(work, null); // plain: the swap below publishes it
    OrderedWork prev = (OrderedWork) TAIL.getAndSet(this, work);
    OrderedWork.NEXT_ORDERED.setRelease(prev, work); // the runner reads it volatile
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
    long n = 0;
    try {
      for (; ; ) {
        OrderedWork h = head;
        if (h == stub) {
          OrderedWork first = stub.nextOrdered;
          if (first == null) {
            return; // empty; the stub was stored volatile as head (below, or at creation)
          }
          HEAD.setRelease(this, first);
          h = first;
        }
        if (h.stage() != Stage.DONE) {
          head = h; // the stop: the volatile store the rule at running needs, then a re-read
          if (h.stage() != Stage.DONE) {
            return;
          }
        }
        orderedStep.accept(h);
        OrderedWork next = h.nextOrdered;
        if (next == null) {
          if (tail == h) {
            link(stub); // h must not stay the tail: a producer would write to it once released
          }
          next = awaitLink(h);
        }
        if (next == stub) {
          head = stub; // volatile: the empty stop above stores nothing more
        } else {
          HEAD.setRelease(this, next);
        }
        n++;
        releaseStep.accept(h); // h is free from here on: not one more access
      }
    } finally {
      RETIRED.setRelease(this, retired + n); // single writer: the runner
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

/** Padding: keeps {@link OrderedListTail#tail} off the cache line of whatever lies before it. */
abstract class OrderedListTailPad {
  long p000;
  long p001;
  long p002;
  long p003;
  long p004;
  long p005;
  long p006;
  long p007;
  long p008;
  long p009;
  long p010;
  long p011;
  long p012;
  long p013;
  long p014;
  long p015;
}

/** The producers' field of {@link OrderedList}. */
abstract class OrderedListTail extends OrderedListTailPad {
  /** The last work appended (or the stub); swapped by producers. */
  volatile OrderedWork tail;
}

/** Padding between the producers' field and the runner's. */
abstract class OrderedListHeadPad extends OrderedListTail {
  long p100;
  long p101;
  long p102;
  long p103;
  long p104;
  long p105;
  long p106;
  long p107;
  long p108;
  long p109;
  long p110;
  long p111;
  long p112;
  long p113;
  long p114;
  long p115;
}

/** The runner's fields of {@link OrderedList}. */
abstract class OrderedListRunner extends OrderedListHeadPad {
  /** The first work not retired yet, or the stub; written by the runner only, read by all. */
  volatile OrderedWork head;

  /** Works retired; written by the runner only, once per run. */
  volatile long retired;

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
   * one CAS wins. W cannot read a head older than H: when R stops at H it stores H as head with a
   * volatile store and then reads H's stage once more, so either that read sees DONE (and R goes on)
   * or W's read of the head follows the store. (Inside a run the head moves by release stores; a
   * thread that reads a stale one there finds R holding the flag, and R retires its work.)
   */
  volatile boolean running;
}

/** Padding: keeps the runner's fields off the line of {@link OrderedList}'s own final fields. */
abstract class OrderedListRunnerPad extends OrderedListRunner {
  long p200;
  long p201;
  long p202;
  long p203;
  long p204;
  long p205;
  long p206;
  long p207;
  long p208;
  long p209;
  long p210;
  long p211;
  long p212;
  long p213;
  long p214;
  long p215;
}
