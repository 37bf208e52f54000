package org.asyncwq.pool.spi;

import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import org.asyncwq.pool.Work;
import org.asyncwq.pool.WorkerPool;

/**
 * Not part of asyncwq's API: how asyncwq's own pool-ordered module claims a work for its queue and
 * the pool's pending mark with one CAS on the work, and hands the claimed work to a {@link
 * WorkerPool} without a second one. Code outside asyncwq must not use this package; it may change
 * in any release without notice.
 *
 * <p>A claimed work is <em>pending</em> (as {@link Work#isPending()} reports, and as a pool's own
 * {@code queue()} of it finds it) and <em>held</em>: when a pool starts or cancels it, it clears
 * the pending mark and keeps the hold, so that nobody can queue the work again until its queue
 * lets go of it ({@link #release(Work)}). pool-core installs its side once, when {@link Work}'s
 * class is initialised (the JDK's "shared secrets" shape): a work exists only after that.
 */
public final class WorkClaims {
  /** pool-core's side; installed once by {@link Work}. */
  public interface Access {
    /** Marks an idle work pending and held in one CAS; false if it is pending or held. */
    boolean claim(Work work);

    /** Clears the pending mark of a held work that its queue runs or cancels itself. */
    void clearPending(Work work);

    /** Lets go of a held work that is not pending (release ordering). */
    void release(Work work);

    /** Queues a claimed work on {@code pool}; as {@link WorkerPool#queue(Work)} otherwise. */
    void queueClaimed(WorkerPool pool, Work work);
  }

  private static volatile Access access;

  private WorkClaims() {}

  /**
   * Installs pool-core's side; called once, by {@link Work}'s class initialiser.
   *
   * @throws IllegalStateException if installed already
   */
  public static synchronized void install(Access poolSide) {
    checkState(access == null, "WorkClaims are installed already");
    access = checkNotNull(poolSide, "poolSide");
  }

  /** Marks {@code work} pending and held in one CAS; {@code false} if it is either already. */
  public static boolean claim(Work work) {
    return access.claim(work);
  }

  /** Clears the pending mark of a held work that its queue runs or cancels without a pool. */
  public static void clearPending(Work work) {
    access.clearPending(work);
  }

  /** Lets go of a held work that is not pending; the next claim sees what the holder wrote. */
  public static void release(Work work) {
    access.release(work);
  }

  /**
   * Queues a work {@link #claim(Work) claimed} by the caller on {@code pool}, without a second
   * CAS on it.
   *
   * @throws java.util.concurrent.RejectedExecutionException once the pool was stopped (the
   *     pending mark is cleared then, the hold kept)
   */
  public static void queueClaimed(WorkerPool pool, Work work) {
    access.queueClaimed(pool, work);
  }
}
