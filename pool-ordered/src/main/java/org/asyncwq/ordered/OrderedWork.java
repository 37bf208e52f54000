package org.asyncwq.ordered;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.asyncwq.pool.Work;
import org.asyncwq.pool.spi.WorkClaims;
import org.asyncwq.pool.spi.WorkHooks;

/**
 * A work whose main step runs concurrently with other works and whose ordered step runs strictly
 * in queue order: the Java form of btrfs' {@code struct btrfs_work} with {@code func}, {@code
 * ordered_func} and {@code ordered_free}. Queue it on an {@link OrderedWorkQueue}.
 *
 * <p><b>Steps.</b> {@link #work()} runs on a pool thread, concurrently with the other works of the
 * queue. {@link #ordered()} runs after this work's {@code work()} returned and after the {@code
 * ordered()} of every work queued before it on the same queue returned; it sees everything {@code
 * work()} wrote. {@link #release()} runs after {@code ordered()}, in the same order. A work that
 * does not override {@code ordered()} never waits for the others: its {@code release()} follows its
 * {@code work()} at once.
 *
 * <p><b>Recycling.</b> From the moment {@code release()} is called the queue and its pool never
 * touch the object again, and it may be queued again at once, on any queue, even from inside
 * {@code release()} (seed 003's hang was a recycled work mistaken for the one in progress; nothing
 * here identifies a work by its identity once released).
 *
 * <p><b>Failures.</b> An exception from {@code work()} is recorded in {@link #failure()} and logged;
 * {@code ordered()} and {@code release()} still run in order, so one failure never stalls the
 * queue. An exception from {@code ordered()} or {@code release()} is logged and the next work goes
 * on. If the pool can never run the work (it was stopped with {@code stopNow()}, or could create no
 * thread), {@link #cancelled(Throwable)} is called instead of {@code work()} and {@code ordered()},
 * and {@code release()} still follows in order. A hashed work waiting behind an equal hash is run
 * by the thread that ran its predecessor, so it still runs when its pool stops gracefully; it is
 * cancelled only if its predecessor was.
 *
 * <p><b>Interrupts.</b> Each step starts with the thread's interrupt status cleared, except a
 * {@code work()} the pool started: an interrupt that one work re-asserts or that {@code
 * shutdownNow} sends never reaches another work's steps. A thread that is not the pool's and
 * cancels works (the caller of {@code stopNow()}) runs their steps the same way and has its own
 * interrupt status back afterwards.
 *
 * <p><b>No allocation.</b> The links of the ordered list, of the hash chains and the flush colour
 * live in this object, so queueing allocates nothing. A work is therefore in at most one queue at a
 * time: queueing it again before {@code release()} was called returns {@code false}.
 *
 * <p>Queue an {@code OrderedWork} only through an {@code OrderedWorkQueue}; handed straight to a
 * {@link org.asyncwq.pool.WorkerPool} it does nothing but log an error.
 */
public abstract class OrderedWork extends Work {
  private static final VarHandle STAGE;
  static final VarHandle NEXT_ORDERED;
  static final VarHandle TURN;

  static {
    try {
      STAGE = MethodHandles.lookup().findVarHandle(OrderedWork.class, "stage", Stage.class);
      NEXT_ORDERED =
          MethodHandles.lookup().findVarHandle(OrderedWork.class, "nextOrdered", OrderedWork.class);
      TURN = MethodHandles.lookup().findVarHandle(OrderedWork.class, "turn", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
    // How a pool disposes of a work it will never run, kept off Work's subclass-visible API.
    WorkHooks.installAbandoner(
        OrderedWork.class, (w, cause) -> ((OrderedWork) w).abandonThroughQueue(cause));
  }

  /** Whether a class overrides {@link #ordered()}; looked up once per class. */
  private static final ClassValue<Boolean> HAS_ORDERED_STEP =
      new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
          for (Class<?> c = type; c != OrderedWork.class; c = c.getSuperclass()) {
            for (java.lang.reflect.Method m : c.getDeclaredMethods()) {
              if (m.getName().equals("ordered") && m.getParameterCount() == 0) {
                return true;
              }
            }
          }
          return false;
        }
      };

  /**
   * See {@link Stage}; IDLE to QUEUED by the claimer once its CAS on the work's state ({@link
   * WorkClaims}) made the work its own, QUEUED to RUNNING by CAS, the rest by the owning party.
   */
  private volatile Stage stage = Stage.IDLE;

  // Everything below is written by the queue while it owns the work (between its claim and
  // the release of its state before release()) and is published to the next owner by that release,
  // the ordered list's volatile links, a hash stripe's lock or the pool's own hand-off.

  /** The steps of the queue holding this work; read once at the start of each entry point. */
  WorkSteps steps;

  /** Next work in the ordered list: written by the producer that appends behind this one. */
  volatile OrderedWork nextOrdered;

  /**
   * This work's turn in the ordered list: {@code OrderedList.WAITING} until it is finished or the
   * list's runner hands it the runner role; see {@code OrderedList}.
   */
  volatile int turn;

  /** Whether this work sits in the ordered list (its class overrides ordered()). */
  boolean inOrderedList;

  /** Whether this work was queued with a hash. */
  boolean hashed;

  long hash;

  /** Next active hash of the same stripe, or next work waiting on this hash's chain. */
  OrderedWork nextInStripe;

  OrderedWork nextHashed;

  /** Last work of the chain this work heads; meaningful only for the active work of a hash. */
  OrderedWork chainTail;

  /** The flush colour this work was counted in. */
  int colour;

  /** Whether the pool cancelled this work; then ordered() is skipped. */
  boolean wasCancelled;

  /** What work() threw, or null; written before the work's turn is decided, read after it. */
  private volatile Throwable failure;

  /** Whether this work's class overrides ordered(): looked up once, not on every queue(). */
  private final boolean orderedStep = HAS_ORDERED_STEP.get(getClass());

  /** Creates a work that is in no queue. */
  protected OrderedWork() {}

  /** The concurrent step: runs on a pool thread, in parallel with other works of the queue. */
  protected abstract void work();

  /**
   * The ordered step: runs after this work's {@link #work()} returned and after {@code ordered()}
   * of every work queued before it on the same queue returned. The default does nothing, and a
   * work whose class does not override it is not held in the ordered list at all.
   */
  protected void ordered() {}

  /**
   * The last step: runs after {@link #ordered()} (or right after {@link #work()} for a work with no
   * ordered step). When it is called the queue is done with this object, which may be queued again
   * at once, from here or anywhere. The default does nothing.
   */
  protected void release() {}

  /**
   * Called instead of {@link #work()} and {@link #ordered()} when the work can never run: its pool
   * was stopped with {@code stopNow()}, rejected it, or could create no thread. {@link #release()}
   * still follows, in order. The default does nothing.
   *
   * @param cause why the work will not run; never {@code null}
   */
  @Override
  protected void cancelled(Throwable cause) {}

  /**
   * What the last {@link #work()} threw, or {@code null}. Reset when the work is queued; final once
   * {@link #ordered()} or {@link #release()} is called.
   */
  public final Throwable failure() {
    return failure;
  }

  /** The pool's entry point: runs the steps through the queue that accepted this work. */
  @Override
  protected final void run() {
    WorkSteps s = steps;
    if (s == null || !STAGE.compareAndSet(this, Stage.QUEUED, Stage.RUNNING)) {
      OrderedWorkQueue.logMisuse(this);
      return;
    }
    s.run(this);
    // Not one more access to this object: it may already be released and queued again.
  }

  /**
   * The pool's entry point for a work it will never run (through {@link WorkHooks}), and the
   * queue's for one it could not hand to its pool: disposes of it through its queue.
   */
  final void abandonThroughQueue(Throwable cause) {
    WorkSteps s = steps;
    if (s == null || !STAGE.compareAndSet(this, Stage.QUEUED, Stage.RUNNING)) {
      OrderedWorkQueue.logMisuse(this);
      return;
    }
    s.cancel(this, cause);
  }

  // ---------------------------------------------------------------------------------------------
  // Used by the queue

  /**
   * Claims this work for a queue; false if it is in a queue already. One CAS on the work takes the
   * queue's hold and the pool's pending mark together ({@link WorkClaims}), so the pool accepts it
   * without a second one; the stage is this holder's alone from here on.
   */
  final boolean claim() {
    if (!WorkClaims.claim(this)) {
      return false;
    }
    STAGE.set(this, Stage.QUEUED); // plain: published by the pool's hand-off or a stripe's lock
    return true;
  }

  /** A hash successor taken off its chain to run (or be cancelled) on the current thread. */
  final void startInline() {
    WorkClaims.clearPending(this); // no pool will: its disposition begins here
    if (!STAGE.compareAndSet(this, Stage.QUEUED, Stage.RUNNING)) {
      throw new IllegalStateException("hash successor " + this + " was not waiting: " + stage);
    }
  }

  /** Gives a claimed work back when the queue refused it after all. */
  final void unclaim() {
    steps = null;
    STAGE.set(this, Stage.IDLE); // plain: published by the release below
    WorkClaims.release(this);
  }

  final Stage stage() {
    return stage;
  }

  /** Frees the object for re-queueing; the queue must not touch it after this call. */
  final void markIdle() {
    steps = null;
    NEXT_ORDERED.set(this, null); // plain: published by the release store below
    nextHashed = null;
    nextInStripe = null;
    chainTail = null;
    STAGE.set(this, Stage.IDLE); // plain: published by the release below
    // A release store, not a volatile one (no full fence per work): the next owner's claim is a
    // CAS on the work's state, which reads this store and with it every write above.
    WorkClaims.release(this);
  }

  final void resetFailure() {
    if (failure != null) { // a volatile store is a full fence: not paid on every queue()
      failure = null;
    }
  }

  final void recordFailure(Throwable t) {
    failure = t;
  }

  final boolean hasOrderedStep() {
    return orderedStep;
  }
}
