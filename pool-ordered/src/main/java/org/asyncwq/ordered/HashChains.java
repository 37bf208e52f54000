package org.asyncwq.ordered;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The active hashes of one {@link OrderedWorkQueue} and the works waiting behind them (io-wq's
 * hashed work, without its pinning of a hash to a worker).
 *
 * <p>A hash is <em>active</em> while one of its works is in the pool or running. A striped table,
 * one lock per stripe, holds the active work of every active hash, linked through {@code
 * nextInStripe}; that work also heads its hash's chain of waiting works, linked through {@code
 * nextHashed}, with the chain's last work in {@code chainTail}. Queueing a work whose hash is
 * active appends it to the chain instead of the pool, so equal hashes never overlap and keep queue
 * order. When the active work's {@code work()} returns, its successor becomes active; the queue
 * runs it next on the same thread, a bounded number in a row, then hands it to the pool, to
 * whichever thread is free (see {@code WorkSteps}). No thread is tied to a hash, so a hash whose
 * work blocks holds up that hash alone. Hashes are compared exactly; the stripe only picks the lock. Nothing is
 * allocated: every link is a field of a work.
 */
final class HashChains {
  private static final int STRIPES = 64;

  private final Stripe[] stripes = new Stripe[STRIPES];

  /** Works waiting on a chain behind an active work of their hash. */
  private final AtomicInteger waiting = new AtomicInteger();

  /** One lock and the active works whose hashes map to it. */
  private static final class Stripe {
    @GuardedBy("this")
    OrderedWork active;
  }

  HashChains() {
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Stripe();
    }
  }

  private Stripe stripeOf(long hash) {
    return stripes[stripeIndex(hash)];
  }

  /** The stripe of a hash: Fibonacci hashing, so every bit of the key moves the top six. */
  static int stripeIndex(long hash) {
    return (int) ((hash * 0x9E3779B97F4A7C15L) >>> 58);
  }

  /**
   * Enters a work into its hash: it becomes the active work, or waits behind the active one.
   *
   * @return true if the work is now active and the caller must hand it to the pool
   */
  boolean enter(OrderedWork work) {
    long hash = work.hash;
    work.nextHashed = null;
    Stripe s = stripeOf(hash);
    synchronized (s) {
      for (OrderedWork a = s.active; a != null; a = a.nextInStripe) {
        if (a.hash == hash) {
          a.chainTail.nextHashed = work;
          a.chainTail = work;
          waiting.incrementAndGet();
          return false;
        }
      }
      work.chainTail = work;
      work.nextInStripe = s.active;
      s.active = work;
      return true;
    }
  }

  /**
   * The active work of its hash is finished with {@code work()} (or was cancelled): its successor,
   * if any, becomes active. After this call the chains hold no reference to {@code work}.
   *
   * @return the successor, which the caller must hand to the pool, or null
   */
  OrderedWork leave(OrderedWork work) {
    Stripe s = stripeOf(work.hash);
    OrderedWork next;
    synchronized (s) {
      next = work.nextHashed;
      OrderedWork replacement = next;
      if (next != null) {
        next.chainTail = work.chainTail;
        next.nextInStripe = work.nextInStripe;
        waiting.decrementAndGet();
      } else {
        replacement = work.nextInStripe;
      }
      if (s.active == work) {
        s.active = replacement;
      } else {
        OrderedWork prev = s.active;
        while (prev.nextInStripe != work) {
          prev = prev.nextInStripe;
        }
        prev.nextInStripe = replacement;
      }
      work.nextHashed = null;
      work.nextInStripe = null;
      work.chainTail = null;
    }
    return next;
  }

  int waiting() {
    return waiting.get();
  }
}
