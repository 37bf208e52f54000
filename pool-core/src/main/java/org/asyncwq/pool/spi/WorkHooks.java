package org.asyncwq.pool.spi;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import java.util.Arrays;
import org.asyncwq.pool.Work;

/**
 * Not part of asyncwq's API: the hook asyncwq's own pool-ordered module needs into how a {@link
 * org.asyncwq.pool.WorkerPool} disposes of a work it can never run, kept off {@link Work}'s
 * subclass-visible API. Code outside asyncwq must not use this package; it may change in any
 * release without notice.
 *
 * <p>A kind of work installs its {@link Abandoner} once, from its own class initialiser (the JDK's
 * "shared secrets" shape): a pool only ever holds instances, so by the time a pool abandons a work
 * of that kind its abandoner is installed. A work of no installed kind gets {@link
 * Work#cancelled(Throwable)}, which is all a pool calls for plain works.
 */
public final class WorkHooks {
  /** How works of one kind are disposed of when their pool can never run them. */
  @FunctionalInterface
  public interface Abandoner {
    /**
     * Disposes of {@code work}, which its pool will never run; called once per accepted work
     * instead of its {@code run()}. The kind's bookkeeping goes around the user's {@code
     * cancelled()} here (pool-ordered's works still take their turn in the ordered list).
     */
    void abandon(Work work, Throwable cause);
  }

  private record Kind(Class<? extends Work> type, Abandoner abandoner) {}

  /** Copy on write; a handful of kinds at most, read only when a work is abandoned. */
  private static volatile Kind[] kinds = new Kind[0];

  private WorkHooks() {}

  /**
   * Installs how works of {@code type} (and its subclasses) are abandoned; called once, by that
   * class's static initialiser.
   *
   * @throws IllegalStateException if {@code type} has an abandoner already
   * @throws IllegalArgumentException if {@code type} is {@link Work} itself
   */
  public static synchronized void installAbandoner(
      Class<? extends Work> type, Abandoner abandoner) {
    checkNotNull(type, "type");
    checkNotNull(abandoner, "abandoner");
    checkArgument(type != Work.class, "plain works are abandoned through cancelled()");
    for (Kind k : kinds) {
      checkState(k.type != type, "an abandoner for %s is installed already", type.getName());
    }
    Kind[] next = Arrays.copyOf(kinds, kinds.length + 1);
    next[kinds.length] = new Kind(type, abandoner);
    kinds = next;
  }

  /** The abandoner installed for {@code work}'s kind, or {@code null}: used by pool-core. */
  public static Abandoner abandonerOf(Work work) {
    for (Kind k : kinds) {
      if (k.type.isInstance(work)) {
        return k.abandoner;
      }
    }
    return null;
  }
}
