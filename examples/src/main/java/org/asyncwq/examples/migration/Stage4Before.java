package org.asyncwq.examples.migration;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.asyncwq.examples.migration.Ledgers.Update;

/** Stage 4, before: one single-thread executor per stripe of keys (BookKeeper's OrderedExecutor). */
public final class Stage4Before {
  private Stage4Before() {}

  /** Applies the updates; each ledger's entries end up in the order of the updates. */
  public static void apply(List<Update> updates, Ledgers ledgers) throws InterruptedException {
    // tag::before[]
    ExecutorService[] stripes = new ExecutorService[4];
    for (int i = 0; i < stripes.length; i++) stripes[i] = Executors.newSingleThreadExecutor();
    for (Update u : updates) {
      stripes[Math.floorMod(u.ledger().hashCode(), stripes.length)].execute(() -> ledgers.append(u));
    }
    for (ExecutorService stripe : stripes) {
      stripe.shutdown();
      stripe.awaitTermination(10, TimeUnit.SECONDS);
    }
    // end::before[]
  }
}
