package org.asyncwq.ordered.spi;

import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import org.asyncwq.ordered.OrderedWorkQueue;

/**
 * Not part of asyncwq's API: the hooks asyncwq's own pool-priority module needs into an {@link
 * OrderedWorkQueue}, kept out of the queue's public builder. Code outside asyncwq must not use this
 * package; it may change in any release without notice.
 *
 * <p>The queue installs its side once, when its class is initialised (the JDK's "shared secrets"
 * shape): any call here takes a queue or its builder, so the queue's class is initialised by then.
 */
public final class QueueHooks {
  /** What an observed queue reports about its works, on the pool thread; must be quick. */
  public interface Observer {
    /** A work leaves the waiting state: its {@code work()} starts, or it is cancelled instead. */
    void started();

    /** The {@code work()} (or cancellation) that {@link #started()} announced is over. */
    void finished();
  }

  /** The queue's side, implemented in its own package. */
  public interface Access {
    OrderedWorkQueue build(OrderedWorkQueue.Builder builder, Observer observer);

    boolean isRunningWorkOf(OrderedWorkQueue queue);
  }

  private static volatile Access access;

  private QueueHooks() {}

  /**
   * Called once by {@link OrderedWorkQueue}'s class initialiser.
   *
   * @throws IllegalStateException on any later call
   */
  public static synchronized void install(Access queueSide) {
    checkState(access == null, "QueueHooks are installed already");
    access = checkNotNull(queueSide, "queueSide");
  }

  /** Builds the queue {@code builder} describes, reporting every work's start and end. */
  public static OrderedWorkQueue build(OrderedWorkQueue.Builder builder, Observer observer) {
    return access.build(checkNotNull(builder, "builder"), checkNotNull(observer, "observer"));
  }

  /** Whether the calling thread is running a step of one of {@code queue}'s works. */
  public static boolean isRunningWorkOf(OrderedWorkQueue queue) {
    return access.isRunningWorkOf(checkNotNull(queue, "queue"));
  }
}
