package org.asyncwq.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The one shared queue of a {@link WorkerPool}: a FIFO of works linked through {@link Work#next},
 * so queueing allocates nothing and takes no lock.
 *
 * <p><b>Algorithm.</b> Dmitry Vyukov's intrusive multi-producer queue. A producer swaps itself in
 * as the {@code tail} ({@code getAndSet}, the one contended instruction of a queue) and then links
 * the previous tail to itself with a release store. Between those two steps the chain is broken:
 * a consumer that reaches the previous tail sees no successor although {@code tail} moved on. It
 * then knows a work is on its way (the list is not empty) and spins until the link appears; it
 * never reports "empty" in that window, so no worker goes to sleep on a work being linked. A
 * permanent {@link #stub} work keeps the list non-empty at the consumer's end; it is put back at the
 * tail when the last real work leaves, so {@code tail == stub} with the stub at the head is exactly
 * "nothing queued".
 *
 * <p><b>Consumers take turns.</b> Works are reused (a work is queued again once it ran), so a CAS on
 * the head could succeed on a stale successor (ABA). Consumers therefore take a one-word token
 * ({@link Head#taking}) for the few instructions that unlink one work; the token is never held
 * across a {@code run()}, a park or a user callback, and a consumer that finds it taken spins and
 * then yields. Under the token the consumer also reads the pool's freeze and stop-now bits ({@link
 * Bench#mayTake()}): {@code freeze()} and {@code stopNow()} pass through the token after
 * setting their bit, so once they return no consumer takes a work that they should keep.
 *
 * <p><b>Counting.</b> Consumers count the works taken under the token; that count and a walk of the
 * list (for stats, under the token) give every other number, so producers write nothing but the
 * tail and one link.
 */
final class Worklist {
  private static final VarHandle NEXT;
  private static final VarHandle TAIL;
  private static final VarHandle TAKING;
  private static final VarHandle TAKEN;
  private static final VarHandle HEAD;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      NEXT = l.findVarHandle(Work.class, "next", Work.class);
      TAIL = l.findVarHandle(Tail.class, "tail", Work.class);
      TAKING = l.findVarHandle(Head.class, "taking", int.class);
      TAKEN = l.findVarHandle(Head.class, "taken", long.class);
      HEAD = l.findVarHandle(Head.class, "head", Work.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * Seven longs of padding: the hot fields of the subclass and of whatever object is laid out just
   * before this one never share a 64-byte cache line.
   */
  @SuppressWarnings("unused")
  private abstract static class Pad {
    long p1;
    long p2;
    long p3;
    long p4;
    long p5;
    long p6;
    long p7;
  }

  /**
   * The consumers' end, in an object of its own, padded on both sides: a producer's tail swap and
   * its link writes never invalidate the line consumers work on, and consumers never invalidate the
   * producers' line (the burst profile in docs/BENCHMARKS.md).
   */
  private static final class Head extends Pad {
    /** The next work to take, or the stub. Written only under {@link #taking}. */
    Work head;

    /** 1 while a consumer holds the take token. */
    volatile int taking;

    /** Works taken so far; written under the token, read without it (opaque) by stats. */
    long taken;

    @SuppressWarnings("unused")
    long q1;
    @SuppressWarnings("unused")
    long q2;
    @SuppressWarnings("unused")
    long q3;
    @SuppressWarnings("unused")
    long q4;
    @SuppressWarnings("unused")
    long q5;
    @SuppressWarnings("unused")
    long q6;
    @SuppressWarnings("unused")
    long q7;
  }

  /** The producers' end, padded like {@link Head}. */
  private static final class Tail extends Pad {
    /** The most recently pushed work; {@code stub} when nothing is queued. */
    volatile Work tail;

    @SuppressWarnings("unused")
    long q1;
    @SuppressWarnings("unused")
    long q2;
    @SuppressWarnings("unused")
    long q3;
    @SuppressWarnings("unused")
    long q4;
    @SuppressWarnings("unused")
    long q5;
    @SuppressWarnings("unused")
    long q6;
    @SuppressWarnings("unused")
    long q7;
  }

  private static final class Stub extends Work {
    @Override
    protected void run() {
      throw new AssertionError("the worklist's stub is never run");
    }
  }

  private final Work stub = new Stub();
  private final Head consumers = new Head();

  /** The producers' end. */
  private final Tail producers = new Tail();

  Worklist() {
    consumers.head = stub;
    producers.tail = stub;
  }

  /** Appends {@code work}; lock-free, allocation-free. */
  void push(Work work) {
    NEXT.set(work, null);
    Work prev = (Work) TAIL.getAndSet(producers, work);
    NEXT.setRelease(prev, work);
  }

  /**
   * Whether nothing is queued. While works are queued this answers from the consumers' end alone
   * (a head other than the stub, or a stub with a successor), so a consumer looking between two
   * takes does not pull the producers' line, which every push writes, into its cache.
   *
   * <p>Only a "yes" needs the tail: a volatile read of the tail first, since a producer's push is
   * visible there as soon as it swapped the tail, before it linked the work, which is what the idle
   * protocol needs. The head is read again after it: a consumer that puts the stub back while a
   * producer pushes leaves the stub at the tail with works still before it (then the head is one of
   * them, and the consumer wrote that head before its swap of the tail, which this read of the tail
   * synchronizes with). A stale head only ever makes this answer "not empty", which costs a look
   * under the token.
   */
  boolean isEmpty() {
    if (HEAD.getAcquire(consumers) != stub || NEXT.getAcquire(stub) != null) {
      return false;
    }
    return producers.tail == stub && HEAD.getAcquire(consumers) == stub;
  }

  /**
   * Takes the oldest work, or returns {@code null} when nothing is queued or {@code gate} forbids
   * taking (the pool is frozen or stopping now).
   */
  Work take(Bench gate) {
    for (int spins = 0; ; spins++) {
      if (isEmpty()) {
        return null;
      }
      Work work;
      lock();
      try {
        if (gate != null && !gate.mayTake()) {
          return null;
        }
        work = popLocked();
      } finally {
        unlock();
      }
      if (work != null) {
        return work;
      }
      backoff(spins); // a producer swapped the tail and has not linked its work yet
    }
  }

  /**
   * The rescuer's take: as {@link #take}, but only if {@link Bench#mayRescue()} lets it, and
   * marking the rescuer busy ({@link Bench#rescueBegins()}) under the same token hold, so
   * that no worker takes a work past the maximum between the rescuer's look and its take.
   */
  Work takeForRescue(Bench bench) {
    for (int spins = 0; ; spins++) {
      if (isEmpty()) {
        return null;
      }
      Work work;
      lock();
      try {
        if (!bench.mayRescue()) {
          return null;
        }
        work = popLocked();
        if (work != null) {
          bench.rescueBegins();
        }
      } finally {
        unlock();
      }
      if (work != null) {
        return work;
      }
      backoff(spins);
    }
  }

  /** Takes every queued work into {@code into}, whatever the gate says; returns how many. */
  int drainTo(WorkBatch into) {
    int n = 0;
    lock();
    try {
      for (int spins = 0; !isEmpty(); spins++) {
        Work work = popLocked();
        if (work != null) {
          into.addLast(work);
          n++;
          spins = 0;
        } else {
          backoff(spins);
        }
      }
    } finally {
      unlock();
    }
    return n;
  }

  /**
   * Passes through the take token: every consumer that read the gate before the caller changed it
   * has finished taking when this returns.
   */
  void barrier() {
    lock();
    unlock();
  }

  /** Works queued now (a walk under the token; for stats, not for hot paths). */
  int size() {
    int n = 0;
    lock();
    try {
      for (Work w = consumers.head; w != null; w = (Work) NEXT.getAcquire(w)) {
        if (w != stub) {
          n++;
        }
      }
    } finally {
      unlock();
    }
    return n;
  }

  /** Works taken so far, read without the token (it only grows). */
  long taken() {
    return (long) TAKEN.getOpaque(consumers);
  }

  /**
   * Unlinks the oldest work; call with the token held. Returns {@code null} when nothing is queued
   * or when the next work is still being linked by its producer (then {@code tail != stub}).
   */
  private Work popLocked() {
    Head c = consumers;
    Work h = c.head;
    Work next = (Work) NEXT.getAcquire(h);
    if (h == stub) {
      if (next == null) {
        return null;
      }
      c.head = next;
      h = next;
      next = (Work) NEXT.getAcquire(h);
    }
    if (next == null) {
      if (h != producers.tail) {
        return null; // h's successor is being linked
      }
      push(stub); // h is the last work: put the stub behind it so the list never runs empty
      next = (Work) NEXT.getAcquire(h);
      if (next == null) {
        return null; // another producer swapped in between h and the stub
      }
    }
    c.head = next;
    NEXT.set(h, null);
    TAKEN.setOpaque(c, c.taken + 1);
    return h;
  }

  private void lock() {
    // Test and test-and-set: a waiting consumer reads the token until it looks free and only then
    // tries its CAS, so waiting does not take the line away from the holder.
    for (int spins = 0;
        (int) TAKING.getVolatile(consumers) != 0 || !TAKING.compareAndSet(consumers, 0, 1);
        spins++) {
      backoff(spins);
    }
  }

  private void unlock() {
    TAKING.setRelease(consumers, 0);
  }

  private static void backoff(int spins) {
    if (spins < 32) {
      Thread.onSpinWait();
    } else {
      Thread.yield();
    }
  }
}
