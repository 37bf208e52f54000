package org.asyncwq.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The one shared queue of a {@link WorkerPool}: a FIFO of works in a ring of slots that grows when
 * it fills, so queueing takes no lock and, once the ring has grown to the pool's largest backlog,
 * allocates nothing.
 *
 * <p><b>Algorithm.</b> Dmitry Vyukov's bounded multi-producer multi-consumer ring, made to grow.
 * Every work gets a position: producers claim the next one with a CAS on the {@code tail} index,
 * consumers take the oldest with a CAS on the {@code head} index, so a take is one CAS on a shared
 * word (ForkJoinPool's submission-queue shape) and no consumer ever holds anything another waits
 * for. Each slot has a sequence number next to it that says which position the slot holds and
 * whether it is full: {@code p} = free for the producer of position {@code p}, {@code p + 1} =
 * holds the work of position {@code p}, and a consumer that took it writes {@code p + capacity}
 * (free for the next lap). A producer writes its work into the slot and then the sequence with a
 * release store; a consumer reads the sequence with an acquire load, so a CAS on an index never
 * takes a slot of another lap, and a reused work (works are queued again once they ran) is never
 * taken twice (the ABA a CAS on a linked head would have). Between a producer's claim and its
 * publication the slot is not yet full while the tail has moved past it: a consumer that meets it
 * knows a work is on its way and spins until it appears; it never reports "empty" in that window,
 * so no worker goes to sleep on a work being queued.
 *
 * <p><b>Growth.</b> A producer that finds the slot of its position still holding the work of one
 * lap ago (the ring is full, or its consumer has not cleared it yet) grows the ring: it sets
 * {@link #GROWING} in the tail word (producers wait) and then in the head word (consumers wait),
 * waits until every claimed position is published, copies the queued works in order to a ring
 * twice the size, installs it, and clears the two bits. A producer reads the ring to write into
 * only after its claim, and a consumer clears a slot in the ring it reads after its take (and
 * only if that slot still holds its position), so neither writes into a ring that a growth has
 * copied without the copy seeing it. Growth is the only allocation; the ring never shrinks.
 *
 * <p><b>The take gate.</b> Besides the index, the head word holds the pool's gate bits: {@link
 * #FROZEN_GATE} (freeze), {@link #NOW_GATE} (stopNow) and {@link #RESCUING} (the rescuer runs a
 * work in a worker's place). A consumer reads the head word, checks the bits, and takes with a CAS
 * that expects that same word, so a take and a change of the gate are ordered by the CAS on one
 * word: once {@code freeze()} or {@code stopNow()} has set its bit, no take succeeds (a take that
 * succeeded before it is a work that had already started, as a work taken under a lock before the
 * lock's next holder would be), and works are never put back or reordered. The rescuer's take sets
 * {@code RESCUING} in the same CAS; while it is set a worker takes only if the pool's workers that
 * may run leave a place ({@link Bench#placeForOneMore()}). {@link #drainTo} ignores the gate.
 *
 * <p><b>Counting.</b> The head index is the number of works ever taken and the tail index the
 * number ever queued, so stats need no counter of their own.
 */
final class Worklist {
  /** The index part of the head and tail words; positions never wrap in a JVM's life. */
  static final long INDEX = (1L << 56) - 1;

  /** In the head word: freeze() was called; no work is taken until thaw(). */
  static final long FROZEN_GATE = 1L << 56;

  /** In the head word: stopNow() was called; no work is taken any more. */
  static final long NOW_GATE = 1L << 57;

  /** In the head word: the rescuer runs a work in the place of a worker. */
  static final long RESCUING = 1L << 58;

  /** In the head and tail words: a producer is growing the ring; nobody takes or claims. */
  static final long GROWING = 1L << 59;

  static final int INITIAL_CAPACITY = 64;

  private static final VarHandle HEAD;
  private static final VarHandle TAIL;
  private static final VarHandle SEQ = MethodHandles.arrayElementVarHandle(long[].class);
  private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Work[].class);

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      HEAD = l.findVarHandle(Head.class, "head", long.class);
      TAIL = l.findVarHandle(Tail.class, "tail", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The slots and their sequence numbers; replaced (never changed in size) by a growth. */
  private static final class Ring {
    final Work[] works;
    final long[] seqs;
    final int mask;

    /** A ring whose slots are free for positions {@code from} to {@code from + capacity - 1}. */
    Ring(int capacity, long from) {
      works = new Work[capacity];
      seqs = new long[capacity];
      mask = capacity - 1;
      for (long p = from; p < from + capacity; p++) {
        seqs[(int) p & mask] = p;
      }
    }

    Ring(int capacity) {
      works = new Work[capacity];
      seqs = new long[capacity];
      mask = capacity - 1;
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
   * The consumers' end, padded on both sides, with the consumers' copy of the ring reference: a
   * take reads one line of its own besides the slot.
   */
  private static final class Head extends Pad {
    /** Index of the oldest queued position, plus the gate bits and {@link #GROWING}. */
    volatile long head;

    /** The ring consumers read; written by a growth while it holds both GROWING bits. */
    volatile Ring ring;

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
  }

  /** The producers' end, padded like {@link Head}, with the producers' copy of the ring. */
  private static final class Tail extends Pad {
    /** The next position to claim, plus {@link #GROWING}. */
    volatile long tail;

    volatile Ring ring;

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
  }

  private final Head consumers = new Head();
  private final Tail producers = new Tail();

  Worklist() {
    this(INITIAL_CAPACITY);
  }

  /** A worklist whose ring starts at {@code capacity} slots (a power of two; tests use 2). */
  Worklist(int capacity) {
    if (capacity < 1 || Integer.bitCount(capacity) != 1) {
      throw new IllegalArgumentException("capacity must be a power of two, was " + capacity);
    }
    Ring r = new Ring(capacity, 0);
    consumers.ring = r;
    producers.ring = r;
  }

  /**
   * Appends {@code work}; lock-free, allocation-free unless the ring must grow.
   *
   * @throws OutOfMemoryError if the ring had to grow and could not; nothing was queued then
   */
  void push(Work work) {
    Tail p = producers;
    for (int spins = 0; ; ) {
      long t = p.tail;
      if ((t & GROWING) != 0) {
        backoff(spins++);
        continue;
      }
      Ring r = p.ring;
      long s = (long) SEQ.getAcquire(r.seqs, (int) t & r.mask);
      if (s == t) {
        if (TAIL.compareAndSet(p, t, t + 1)) {
          publish(t, work);
          return;
        }
      } else if (s < t) {
        grow(t, r); // the slot still holds the work of one lap ago
      }
      // else another producer claimed t meanwhile: read the tail again
    }
  }

  /**
   * Writes the work of claimed position {@code t}. The ring is read after the claim: a growth that
   * began after it waits for this publication before it copies, and one that ended before it
   * installed its ring before the claim could succeed.
   */
  private void publish(long t, Work work) {
    Ring r = producers.ring;
    int i = (int) t & r.mask;
    SLOT.set(r.works, i, work);
    SEQ.setRelease(r.seqs, i, t + 1);
  }

  /**
   * Doubles {@code full} if it is still the ring and the tail is still {@code t}; else returns at
   * once (someone moved on). The new ring is allocated before anything changes, so an {@link
   * OutOfMemoryError} leaves the worklist as it was.
   */
  private void grow(long t, Ring full) {
    int capacity = (full.mask + 1) * 2;
    if (capacity <= 0) {
      throw new IllegalStateException("worklist ring cannot grow past " + (full.mask + 1));
    }
    Ring r = new Ring(capacity);
    Tail p = producers;
    if (!TAIL.compareAndSet(p, t, t | GROWING)) {
      return;
    }
    if (p.ring != full) {
      p.tail = t; // another growth came first (a growth leaves the tail index as it found it)
      return;
    }
    Head c = consumers;
    long hw;
    do {
      hw = c.head;
    } while (!HEAD.compareAndSet(c, hw, hw | GROWING));
    long h = hw & INDEX;
    for (long q = h; q < t; q++) {
      int i = (int) q & full.mask;
      for (int spins = 0; (long) SEQ.getAcquire(full.seqs, i) != q + 1; spins++) {
        backoff(spins); // the producer that claimed q has not published it yet
      }
      int j = (int) q & r.mask;
      r.works[j] = (Work) SLOT.get(full.works, i);
      r.seqs[j] = q + 1;
    }
    for (long q = t; q < h + capacity; q++) {
      r.seqs[(int) q & r.mask] = q;
    }
    p.ring = r;
    c.ring = r;
    do {
      hw = c.head;
    } while (!HEAD.compareAndSet(c, hw, hw & ~GROWING));
    p.tail = t;
  }

  /**
   * Whether nothing is queued. While works are queued this answers from the consumers' end alone
   * (the slot at the head is full), so a consumer looking between two takes does not pull the
   * producers' line into its cache. Only a "yes" reads the tail, with a volatile read: a claimed
   * position counts as queued from the producer's claim on, which is what the idle protocol needs.
   */
  boolean isEmpty() {
    Head c = consumers;
    long h = c.head & INDEX;
    Ring r = c.ring;
    if ((long) SEQ.getAcquire(r.seqs, (int) h & r.mask) == h + 1) {
      return false;
    }
    return (producers.tail & INDEX) <= h;
  }

  /**
   * Takes the oldest work, or returns {@code null} when nothing is queued or the gate forbids
   * taking: the pool is frozen or stopping now, or the rescuer runs a work and {@code bench} says
   * the workers that may run leave no place ({@code bench} null: no such check).
   */
  Work take(Bench bench) {
    return take(bench, true, false);
  }

  /**
   * The rescuer's take: as {@link #take}, but only while {@link Bench#placeForOneMore()} leaves it
   * a place, and setting {@link #RESCUING} in the same CAS, so that no worker takes a work past the
   * maximum between the rescuer's look and its take.
   */
  Work takeForRescue(Bench bench) {
    Work w = take(bench, true, true);
    if (w != null) {
      bench.rescueBegins();
    }
    return w;
  }

  private Work take(Bench bench, boolean gated, boolean rescue) {
    Head c = consumers;
    for (int spins = 0; ; ) {
      long hw = c.head;
      if (gated) {
        if ((hw & (FROZEN_GATE | NOW_GATE)) != 0) {
          return null;
        }
        if (rescue ? !bench.placeForOneMore()
            : (hw & RESCUING) != 0 && bench != null && !bench.placeForOneMore()) {
          return null;
        }
      }
      if ((hw & GROWING) != 0) {
        backoff(spins++);
        continue;
      }
      long h = hw & INDEX;
      Ring r = c.ring;
      int i = (int) h & r.mask;
      long s = (long) SEQ.getAcquire(r.seqs, i);
      if (s == h + 1) {
        Work w = (Work) SLOT.get(r.works, i);
        if (HEAD.compareAndSet(c, hw, rescue ? (hw + 1) | RESCUING : hw + 1)) {
          release(h);
          return w;
        }
        // another consumer took it, or a gate bit changed: look again
      } else if (s <= h) {
        if ((producers.tail & INDEX) <= h) {
          return null;
        }
        backoff(spins++); // a producer claimed position h and has not published it yet
      }
      // else this head was stale: look again
    }
  }

  /**
   * Frees the slot of position {@code h}, just taken, for the next lap, in the ring read now: the
   * one a growth that ended before the take copied it into, or the one the take read. A growth
   * that began after the take did not copy it, and its new ring's slot holds another position
   * (so it is left alone).
   */
  private void release(long h) {
    Ring r = consumers.ring;
    int i = (int) h & r.mask;
    if ((long) SEQ.getAcquire(r.seqs, i) == h + 1) {
      SLOT.set(r.works, i, null);
      SEQ.setRelease(r.seqs, i, h + r.mask + 1);
    }
  }

  /** Takes every queued work into {@code into}, whatever the gate says; returns how many. */
  int drainTo(WorkBatch into) {
    int n = 0;
    for (Work w = take(null, false, false); w != null; w = take(null, false, false)) {
      into.addLast(w);
      n++;
    }
    return n;
  }

  /** Sets gate bits ({@link #FROZEN_GATE}, {@link #NOW_GATE}) in the head word. */
  void closeGate(long bits) {
    Head c = consumers;
    long hw;
    do {
      hw = c.head;
    } while ((hw & bits) != bits && !HEAD.compareAndSet(c, hw, hw | bits));
  }

  /** Clears gate bits ({@link #FROZEN_GATE}, {@link #RESCUING}) in the head word. */
  void openGate(long bits) {
    Head c = consumers;
    long hw;
    do {
      hw = c.head;
    } while ((hw & bits) != 0 && !HEAD.compareAndSet(c, hw, hw & ~bits));
  }

  /** Works queued now: queued minus taken, read in that order's reverse so it is never negative. */
  int size() {
    long taken = taken();
    long queued = producers.tail & INDEX;
    return (int) Math.min(Math.max(queued - taken, 0), Integer.MAX_VALUE);
  }

  /** Works taken so far (it only grows). */
  long taken() {
    return consumers.head & INDEX;
  }

  /** Works queued so far (it only grows); read after {@link #taken()} it is never below it. */
  long queued() {
    return producers.tail & INDEX;
  }

  /** Tests only: whether the ring still refers to {@code work}. */
  boolean references(Work work) {
    Ring r = consumers.ring;
    for (int i = 0; i <= r.mask; i++) {
      if (SLOT.getAcquire(r.works, i) == work) {
        return true;
      }
    }
    return false;
  }

  private static void backoff(int spins) {
    if (spins < 32) {
      Thread.onSpinWait();
    } else {
      Thread.yield();
    }
  }
}
