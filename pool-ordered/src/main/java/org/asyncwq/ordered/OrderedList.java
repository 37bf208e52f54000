package org.asyncwq.ordered;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The ordered list of one {@link OrderedWorkQueue}: works in queue order, each waiting until its
 * {@code work()} returned and everything before it took its ordered step (btrfs' {@code
 * wq->ordered_list}).
 *
 * <p>Producers append under {@link #lock}. Nobody owns a thread for the ordered steps: whenever a
 * work turns {@link Stage#DONE DONE} its thread tries to become the single <em>runner</em> by CAS on
 * {@link #running}. The runner repeatedly takes the head while it is DONE: it runs the ordered step,
 * unlinks the head under the lock, and only then runs the release step, after which it never reads
 * that object again (the release step frees it for re-queueing, maybe into this very list). A
 * thread that loses the CAS simply returns; the rule below makes sure the winner sees its work.
 *
 * <p>Memory: a work's {@code work()} writes happen-before its volatile DONE store, which
 * happens-before the runner's volatile read of DONE, which happens-before its ordered step. Steps
 * of successive works run in one runner or are chained through the {@code running} flag's volatile
 * store and CAS, so each ordered step also sees everything the previous ones wrote.
 */
final class OrderedList {
  private static final VarHandle RUNNING;

  static {
    try {
      RUNNING = MethodHandles.lookup().findVarHandle(OrderedList.class, "running", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Consumer<OrderedWork> orderedStep;
  private final Consumer<OrderedWork> releaseStep;

  /** Guards the links and {@link #tail}; held only to link or unlink, never across a step. */
  private final ReentrantLock lock = new ReentrantLock();

  /** Oldest work; written under {@link #lock}, read by the runner without it. */
  private volatile OrderedWork head;

  @GuardedBy("lock")
  private OrderedWork tail;

  /** Works on the list; written under {@link #lock}, read freely for stats. */
  private volatile int length;

  /**
   * True while one thread runs ordered steps. The lost hand-off it must not allow:
   *
   * <pre>
   *   runner R (holds running)               worker W (its work is the head H)
   *   reads H.stage: RUNNING, so stops
   *                                          stores H.stage = DONE
   *                                          CAS running false->true fails: R holds it
   *                                          returns, trusting R
   *   stores running = false, returns
   *   -> nobody ever runs H's ordered step; the queue stalls for good.
   * </pre>
   *
   * So after its store of {@code false} the runner reads the head again and competes for the flag
   * if the head is DONE. W stores DONE before its CAS and R stores {@code false} before its re-read;
   * all four are volatile, hence in one total order: either W's CAS follows R's store and W wins,
   * or R's re-read follows W's store and R sees DONE. Both may see each other: one CAS wins.
   */
  private volatile boolean running;

  /**
   * @param orderedStep runs a head's ordered step; must not throw
   * @param releaseStep runs after the head was unlinked; must not throw, and the list never
   *     touches the work again
   */
  OrderedList(Consumer<OrderedWork> orderedStep, Consumer<OrderedWork> releaseStep) {
    this.orderedStep = orderedStep;
    this.releaseStep = releaseStep;
  }

  /** Appends a work that is not DONE yet; its position is its queue order. */
  void append(OrderedWork work) {
    work.nextOrdered = null;
    lock.lock();
    try {
      if (tail == null) {
        head = work;
      } else {
        tail.nextOrdered = work;
      }
      tail = work;
      length = length + 1;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Runs every ordered step that is due, unless another thread is doing so and will see them. Call
   * it after a work of this list turned DONE.
   */
  void runReady() {
    while (headIsDone()) {
      if (!RUNNING.compareAndSet(this, false, true)) {
        return; // the runner re-checks the head after it lets go; see running
      }
      try {
        runWhileHeadDone();
      } finally {
        running = false;
      }
    }
  }

  private boolean headIsDone() {
    OrderedWork h = head;
    return h != null && h.stage() == Stage.DONE;
  }

  private void runWhileHeadDone() {
    for (OrderedWork h = head; h != null && h.stage() == Stage.DONE; h = head) {
      orderedStep.accept(h);
      lock.lock();
      try {
        OrderedWork next = h.nextOrdered;
        h.nextOrdered = null;
        head = next;
        if (next == null) {
          tail = null;
        }
        length = length - 1;
      } finally {
        lock.unlock();
      }
      releaseStep.accept(h); // h is free from here on: not one more access
    }
  }

  int length() {
    return length;
  }
}
