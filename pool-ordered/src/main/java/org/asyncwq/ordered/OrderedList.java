package org.asyncwq.ordered;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 * <p><b>The runner role is a token, handed through the works.</b> Nobody owns a thread for the
 * ordered steps, and no flag is shared by the threads that finish works. At every instant exactly
 * one of these holds the role: a thread retiring works (the runner); the first work, marked
 * {@link #HANDED} while its {@code work()} still runs; or the list itself, parked as the {@link
 * #empty} marker in the stub's link when there is nothing to retire. Each work's {@link
 * OrderedWork#turn} starts {@link #WAITING} and is decided by one CAS, on the work's own cache
 * line, between its finisher and the runner:
 *
 * <ul>
 *   <li>the thread whose work is over ({@link #finished}) CASes the turn WAITING to {@link #DONE}
 *       and returns: a runner will reach it. If the CAS fails the turn is HANDED: the role is now
 *       this thread's, and it retires from this work on;
 *   <li>the runner retires DONE works in order (ordered step, head moved past, release step, after
 *       which it never reads that object again). At the first work still WAITING it CASes the
 *       turn to HANDED and returns, so the role passes to that work's finisher; if the CAS fails
 *       the work has just turned DONE and the runner retires it too;
 *   <li>at the end of the list (the stub with no link behind it) the runner CASes the stub's
 *       link from null to {@link #empty} and returns. The producer that links behind the stub
 *       swaps the link ({@code getAndSet}); if it finds {@code empty}, the role is its new work's,
 *       which it marks HANDED before the pool sees it. If the runner's CAS loses to that link, the
 *       runner goes on.
 * </ul>
 *
 * A finisher thus pays one uncontended CAS on its own work and nothing else unless the role
 * reaches it; a run ends with one CAS on the line of the work it stops at. Nobody ever waits for
 * the role and nothing can be left behind: each of the races above is decided by a single CAS
 * (one winner), and the loser of each either returns having handed over everything or carries on.
 *
 * <p><b>Cache lines.</b> Producers write {@code tail}; the runner writes {@code head} and {@code
 * retired}. They sit in separate padded classes above this one, so a producer's swap and the
 * runner's steps do not pass one cache line back and forth for every work. Inside a run the runner
 * moves {@code head} with release stores and counts retired works locally; it publishes the count
 * before it hands the role on.
 *
 * <p><b>Memory.</b> A work's {@code work()} writes happen-before its CAS to DONE (or its failed
 * CAS that read HANDED), which happens-before the runner's volatile read of DONE (or is the new
 * runner itself), which happens-before its ordered step. The role passes only through volatile
 * CASes (turn, the stub's link) and the pool's hand-off of a work, so each runner sees everything
 * the previous one wrote, and each ordered step everything the previous ones wrote.
 */
final class OrderedList extends OrderedListRunnerPad {
  private static final VarHandle TAIL;
  private static final VarHandle HEAD;
  private static final VarHandle RETIRED;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      HEAD = l.findVarHandle(OrderedListRunner.class, "head", OrderedWork.class);
      RETIRED = l.findVarHandle(OrderedListRunner.class, "retired", long.class);
      TAIL = l.findVarHandle(OrderedListTail.class, "tail", OrderedWork.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** A work's turn: its {@code work()} has not returned and the role is not its. */
  static final int WAITING = 0;

  /** A work's turn: {@code work()} returned (or it was cancelled); the runner will retire it. */
  static final int DONE = 1;

  /** A work's turn: the runner role was handed to it; its finisher retires from it on. */
  static final int HANDED = 2;

  /** Spins on a cut link before yielding to the producer that is writing it. */
  private static final int SPINS = 64;

  /** The list's own nodes; never finished, never run, never released. */
  private static final class Stub extends OrderedWork {
    @Override
    protected void work() {}
  }

  private final Consumer<OrderedWork> orderedStep;
  private final Consumer<OrderedWork> releaseStep;
  private final OrderedWork stub = new Stub();

  /** In the stub's link: the list is empty and holds the runner role itself. Never linked. */
  private final OrderedWork empty = new Stub();

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
    stub.nextOrdered = empty; // the list starts empty, holding the role
  }

  /**
   * Appends a work that has not started yet (its position is its queue order); it must be handed
   * to whatever runs it only after this returns. Lock-free.
   */
  void append(OrderedWork work) {
    work.turn = WAITING; // plain: the swap below publishes it, or the pool's hand-off
    if (link(work) == stub && OrderedWork.NEXT_ORDERED.getAndSet(stub, work) == empty) {
      work.turn = HANDED; // the list was empty: the role is this work's; published by the pool
    }
  }

  /** Swaps {@code work} in as the tail; links the previous tail to it unless that is the stub. */
  private OrderedWork link(OrderedWork work) {
    OrderedWork.NEXT_ORDERED.set(work, null); // plain: the swap below publishes it
    OrderedWork prev = (OrderedWork) TAIL.getAndSet(this, work);
    if (prev != stub) {
      OrderedWork.NEXT_ORDERED.setRelease(prev, work); // the runner reads it volatile
    }
    return prev;
  }

  /**
   * A work of this list is over ({@code work()} returned or it was cancelled): retires it and
   * every work due after it if the runner role is or becomes this thread's, else leaves it to the
   * runner. From this call on the caller must not touch the work.
   */
  void finished(OrderedWork work) {
    if (OrderedWork.TURN.compareAndSet(work, WAITING, DONE)) {
      return; // a runner will reach it
    }
    retireRun(); // HANDED: the role is ours, and the head is this work (or the stub before it)
  }

  /** Runner only: retires works from the head while they are finished, then hands the role on. */
  private void retireRun() {
    long n = 0;
    OrderedWork h = head;
    for (; ; ) {
      if (h == stub) {
        OrderedWork first = stub.nextOrdered;
        if (first == null) {
          RETIRED.setRelease(this, retired + n); // single writer: the role's holder
          n = 0;
          if (OrderedWork.NEXT_ORDERED.compareAndSet(stub, null, empty)) {
            return; // the role is parked in the list; head stays the stub
          }
          continue; // a producer linked behind the stub meanwhile
        }
        HEAD.setRelease(this, first);
        h = first;
      }
      if (h.turn == WAITING) {
        RETIRED.setRelease(this, retired + n);
        n = 0;
        if (OrderedWork.TURN.compareAndSet(h, WAITING, HANDED)) {
          return; // h's finisher goes on from h; not one more access to the list's state
        }
      }
      // h is DONE, or HANDED to this thread
      orderedStep.accept(h);
      OrderedWork next = h.nextOrdered;
      if (next == null) {
        if (tail == h) {
          link(stub); // h must not stay the tail: a producer would write to it once released
        }
        next = awaitLink(h);
      }
      HEAD.setRelease(this, next);
      n++;
      releaseStep.accept(h); // h is free from here on: not one more access
      h = next;
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

  /**
   * Works retired so far. The queue derives the list's length from it and its own counts, so
   * that an append pays no counter of its own (a {@code LongAdder} there was 1% of the ordered
   * benchmark's CPU).
   */
  long retired() {
    return retired;
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
  /** The first work not retired yet, or the stub; written by the runner only. */
  volatile OrderedWork head;

  /** Works retired; written by the holder of the runner role, before it hands the role on. */
  volatile long retired;
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
