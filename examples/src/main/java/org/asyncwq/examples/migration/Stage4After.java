package org.asyncwq.examples.migration;

import java.util.List;
import org.asyncwq.examples.migration.Ledgers.Update;
import org.asyncwq.ordered.OrderedWork;
import org.asyncwq.ordered.OrderedWorkQueue;

/** Stage 4, after: one queue, hashed by key; equal keys never overlap and keep their order. */
public final class Stage4After {
  private Stage4After() {}

  // tag::after[]
  static final class Append extends OrderedWork {
    private final Update update; private final Ledgers ledgers;
    Append(Update update, Ledgers ledgers) { this.update = update; this.ledgers = ledgers; }
    @Override protected void work() { ledgers.append(update); }
  }
  // end::after[]

  /** Applies the updates; each ledger's entries end up in the order of the updates. */
  public static void apply(List<Update> updates, Ledgers ledgers)
      throws InterruptedException {
    // tag::after[]

    try (OrderedWorkQueue queue = OrderedWorkQueue.builder("ledgers").maxActive(4).build()) {
      for (Update u : updates) queue.queue(new Append(u, ledgers), u.ledger().hashCode());
      queue.flush();
    }
    // end::after[]
  }
}
