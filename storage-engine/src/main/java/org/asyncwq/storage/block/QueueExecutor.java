package org.asyncwq.storage.block;

import java.util.concurrent.Executor;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.asyncwq.ordered.OrderedWork;
import org.asyncwq.priority.WorkQueue;

/**
 * Runs a {@code Runnable} as a work of one {@link WorkQueue}. The works have no ordered step, so
 * they never wait for each other; a {@code Runnable} that throws is logged (callers in this package
 * catch their own failures and complete their futures).
 */
final class QueueExecutor implements Executor {
  private static final Logger log = LogManager.getLogger(QueueExecutor.class);

  private final WorkQueue queue;

  QueueExecutor(WorkQueue queue) {
    this.queue = queue;
  }

  @Override
  public void execute(Runnable command) {
    queue.queue(new Task(command));
  }

  @Override
  public String toString() {
    return "QueueExecutor[" + queue.name() + "]";
  }

  /** One queued {@code Runnable}. */
  private static final class Task extends OrderedWork {
    private final Runnable command;

    Task(Runnable command) {
      this.command = command;
    }

    @Override
    protected void work() {
      command.run();
    }

    @Override
    protected void cancelled(Throwable cause) {
      if (command instanceof Step) {
        ((Step) command).abort(cause);
      } else {
        log.error("storage work cancelled before it ran: {}", command, cause);
      }
    }
  }
}
