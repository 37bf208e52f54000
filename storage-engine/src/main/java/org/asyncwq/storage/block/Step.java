package org.asyncwq.storage.block;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * One step of a volume operation, queued on one storage queue. Whatever goes wrong with the step
 * (it throws, its queue rejects it or cancels it) completes the operation's future exceptionally, so
 * an operation never hangs for a step that did not run.
 */
final class Step implements Runnable {
  private final CompletableFuture<?> operation;
  private final Runnable body;

  private Step(CompletableFuture<?> operation, Runnable body) {
    this.operation = operation;
    this.body = body;
  }

  /** Queues {@code body} on {@code queue}, failing {@code operation} if it cannot run. */
  static void queue(Executor queue, CompletableFuture<?> operation, Runnable body) {
    try {
      queue.execute(new Step(operation, body));
    } catch (RejectedExecutionException e) {
      operation.completeExceptionally(new IllegalStateException(
          "storage queue " + queue + " is closed; the operation cannot go on", e));
    }
  }

  @Override
  public void run() {
    try {
      body.run();
    } catch (Throwable t) {
      operation.completeExceptionally(t);
      if (t instanceof Error) {
        throw (Error) t;
      }
    }
  }

  /** Called by the queue when the step will never run. */
  void abort(Throwable cause) {
    operation.completeExceptionally(new IllegalStateException(
        "a storage queue cancelled a step of this operation", cause));
  }
}
