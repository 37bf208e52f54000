package org.asyncwq.storage.block;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The operations a {@link MirroredVolume} has started and not completed, and its closed state:
 * an operation is refused once the volume is closed, and {@link #closeAndAwait()} returns only
 * when none is left in flight, so the devices and queues are closed under no operation.
 *
 * <p>The count is raised before {@code closed} is read, so a close that sets {@code closed} and
 * then waits for zero either sees the operation counted (and waits for it) or the operation sees
 * {@code closed} (and is refused): no operation starts on a closing volume unnoticed.
 */
final class OperationsInFlight {
  /** Operations started and not completed; closeAndAwait() waits for zero (on this monitor). */
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean closed;

  /** Starts an operation unless the volume is closed; close() waits until it completes. */
  <T> CompletableFuture<T> track(Supplier<CompletableFuture<T>> operation) {
    inFlight.incrementAndGet();
    if (closed) {
      end();
      throw new IllegalStateException("the volume is closed");
    }
    CompletableFuture<T> f;
    try {
      f = operation.get();
    } catch (RuntimeException | Error e) {
      end();
      throw e;
    }
    if (f.isDone()) {
      end(); // completed on the caller (a healthy readOnCaller): no completion action needed
    } else {
      f.whenComplete((r, t) -> end());
    }
    return f;
  }

  private void end() {
    if (inFlight.decrementAndGet() == 0 && closed) {
      synchronized (this) {
        notifyAll();
      }
    }
  }

  boolean isClosed() {
    return closed;
  }

  /**
   * Marks the volume closed and waits until no operation is in flight; an interrupt is kept for
   * the caller and the wait goes on.
   *
   * @return false if it was closed already (the caller has nothing left to close)
   */
  boolean closeAndAwait() {
    synchronized (this) {
      if (closed) {
        return false;
      }
      closed = true;
      boolean interrupted = false;
      while (inFlight.get() > 0) {
        try {
          wait();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      return true;
    }
  }
}
