package org.asyncwq.ordered;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.asyncwq.ordered.spi.QueueHooks;
import org.asyncwq.pool.spi.WorkClaims;
import org.asyncwq.pool.WorkerPool;

/**
 * The steps of one {@link OrderedWorkQueue}'s works on pool threads: {@code work()} (or {@code
 * cancelled()}), the turn in the hash chain, the ordered step and the release step, with the
 * queue's counters.
 *
 * <p><b>One pool task, many works.</b> The thread the pool gives a work may go on to run other
 * works' steps: the ordered and release steps of a run of finished works (as the ordered list's
 * runner), and the hash successors of its work. Each of those steps starts with the thread's
 * interrupt status cleared, so an interrupt meant for one work (re-asserted by the standard idiom
 * after {@code work()} swallowed it, or sent by {@code shutdownNow}) never reaches another work's
 * step; none is left behind for the pool's next task either.
 *
 * <p><b>Hash successors.</b> When a hashed work's {@code work()} has returned and its successor is
 * waiting, the successor runs next on the same thread, with no trip through the pool (io-wq's
 * shape), up to {@link #HASH_RUN} works in a row; then it goes to the pool, behind the other
 * hashes' works, so one hot hash cannot keep a thread to itself while they wait. If the pool
 * refuses it because it is stopping, the successor of a work that ran still runs here: a graceful
 * stop runs every accepted work. The successor of a cancelled work is offered to the pool and
 * cancelled if the pool refuses it too (it was stopped with {@code stopNow()} or has no thread).
 */
final class WorkSteps {
  private static final Logger log = LogManager.getLogger(OrderedWorkQueue.class);

  /** Most hash successors one thread runs back to back before it hands the next to the pool. */
  static final int HASH_RUN = 16;

  /**
   * The queue whose work (any step) each thread is running, or null. Lets {@code drain()}
   * tell chained work from outsiders and lets flush/drain/close refuse to wait for themselves.
   */
  private static final ThreadLocal<Current> CURRENT = ThreadLocal.withInitial(Current::new);

  /**
   * The holder of {@link #CURRENT}'s value, one per thread, so that a pool task sets and restores
   * the queue with plain stores after one lookup (a {@code ThreadLocal.set} per work cost more than
   * the ordered step).
   */
  private static final class Current {
    OrderedWorkQueue queue;
  }

  /** The queue whose work (any step) the current thread is running, or null. */
  static OrderedWorkQueue current() {
    return CURRENT.get().queue;
  }

  private final OrderedWorkQueue queue;
  private final String name;
  private final WorkerPool pool;
  private final QueueHooks.Observer observer;

  final OrderedList ordered = new OrderedList(this::orderedStep, this::releaseStep);
  final HashChains hashes = new HashChains();
  final FlushColours colours = new FlushColours();

  /** Works accepted that skip the ordered list (their class has no ordered step). */
  final LongAdder unlisted = new LongAdder();

  final LongAdder failures = new LongAdder();
  final LongAdder cancelled = new LongAdder();

  WorkSteps(OrderedWorkQueue queue, WorkerPool pool, QueueHooks.Observer observer) {
    this.queue = queue;
    this.name = queue.name();
    this.pool = pool;
    this.observer = observer;
  }

  /** Works on the ordered list: accepted, listed and not retired (read unlocked: approximate). */
  int orderedWaiting() {
    long waiting = colours.accepted() - unlisted.sum() - ordered.retired();
    return (int) Math.max(0, Math.min(Integer.MAX_VALUE, waiting));
  }

  /** Hands an accepted work to the pool; if the pool refuses it after all, cancels it. */
  void submit(OrderedWork work) {
    try {
      WorkClaims.queueClaimed(pool, work); // the claim holds the pool's pending mark already
    } catch (RejectedExecutionException e) {
      // The pool stopped since the queue accepted it: disposed of all the same.
      work.abandonThroughQueue(e);
    }
  }

  /** The pool runs a work: its {@code work()}, then its turns. */
  void run(OrderedWork work) {
    Current current = CURRENT.get();
    OrderedWorkQueue outer = current.queue;
    current.queue = queue;
    try {
      runWork(work);
      complete(work, true);
    } finally {
      current.queue = outer;
      Thread.interrupted(); // nothing of this task's works reaches the pool's next task
    }
  }

  /**
   * The pool (or a refused submission) cancels a work: cancelled() replaces work(), ordered(). This
   * may run on a thread that is not the pool's (the caller of {@code stopNow()}, or of a {@code
   * queue()} its pool refused): that thread's interrupt status is its own, so the steps run here
   * start without it, and it is what the thread has again afterwards, whatever the steps left.
   */
  void cancel(OrderedWork work, Throwable cause) {
    Current current = CURRENT.get();
    OrderedWorkQueue outer = current.queue;
    current.queue = queue;
    boolean callerInterrupted = Thread.interrupted();
    try {
      cancelWork(work, cause);
      complete(work, false);
    } finally {
      current.queue = outer;
      Thread.interrupted(); // whatever the steps left behind is theirs
      if (callerInterrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void runWork(OrderedWork work) {
    started();
    try {
      work.work();
    } catch (Throwable t) {
      work.recordFailure(t);
      failures.increment();
      log.warn("ordered queue {}: work() of {} threw; its ordered steps still run", name, work, t);
    } finally {
      finished();
    }
  }

  private void cancelWork(OrderedWork work, Throwable cause) {
    started();
    try {
      cancelled.increment();
      work.wasCancelled = true;
      work.cancelled(cause);
    } catch (Throwable t) {
      log.warn("ordered queue {}: cancelled() of {} threw", name, work, t);
    } finally {
      finished();
    }
  }

  private void started() {
    if (observer != null) {
      try {
        observer.started();
      } catch (Throwable t) {
        log.warn("ordered queue {}: its observer's started() threw; the work goes on", name, t);
      }
    }
  }

  private void finished() {
    if (observer != null) {
      try {
        observer.finished();
      } catch (Throwable t) {
        log.warn("ordered queue {}: its observer's finished() threw", name, t);
      }
    }
  }

  /**
   * The work phase of {@code work} is over: it takes its turn, and its hash successor, if any, runs
   * here (see the class comment), iteratively down the chain.
   */
  private void complete(OrderedWork work, boolean ran) {
    int budget = HASH_RUN;
    OrderedWork w = work;
    boolean wRan = ran;
    while (w != null) {
      OrderedWork next = w.hashed ? hashes.leave(w) : null;
      if (next == null) {
        settle(w);
        return;
      }
      if (!wRan || --budget < 0) {
        // offered to the pool before w's turn, which must not hold it up
        try {
          WorkClaims.queueClaimed(pool, next); // claimed (and pending) since its queue()
          settle(w);
          return;
        } catch (RejectedExecutionException e) {
          settle(w);
          if (!wRan) {
            next.startInline();
            Thread.interrupted(); // w's interrupt is not next's
            cancelWork(next, e);
            w = next;
            continue;
          }
          // a graceful stop: an accepted work still runs, here
        }
      } else {
        settle(w);
      }
      next.startInline();
      Thread.interrupted(); // w's interrupt is not next's
      runWork(next);
      w = next;
      wRan = true;
    }
  }

  /** Hands the work to the ordered list, or releases at once a work with no ordered step. */
  private void settle(OrderedWork work) {
    if (work.inOrderedList) {
      ordered.finished(work); // from here another thread may release it: do not touch it again
    } else {
      releaseStep(work);
    }
  }

  private void orderedStep(OrderedWork work) {
    if (work.wasCancelled) {
      return;
    }
    Thread.interrupted(); // see the class comment
    try {
      work.ordered();
    } catch (Throwable t) {
      log.warn("ordered queue {}: ordered() of {} threw; the next work goes on", name, work, t);
    }
  }

  private void releaseStep(OrderedWork work) {
    int colour = work.colour;
    work.markIdle(); // free for re-queueing, even from its own release(): never touched again
    Thread.interrupted();
    try {
      work.release();
    } catch (Throwable t) {
      log.warn("ordered queue {}: release() threw", name, t);
    }
    colours.exit(colour); // counts it completed, too
  }
}
