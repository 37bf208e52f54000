package org.asyncwq.examples.migration;

import java.util.List;
import org.asyncwq.ordered.OrderedWork;
import org.asyncwq.priority.WorkQueue;

/** Stage 5, after: a {@link WorkQueue} with a high-priority lane and a threshold. */
public final class Stage5After {
  private Stage5After() {}

  // tag::after[]
  static final class Write extends OrderedWork {
    private final int block; private final List<Integer> device;
    Write(int block, List<Integer> device) { this.block = block; this.device = device; }
    @Override protected void work() { device.add(block); }
  }
  // end::after[]

  /** Writes data blocks 0..999 and metadata block -1 to the device. */
  public static void write(List<Integer> device) throws InterruptedException {
    // tag::after[]

    try (WorkQueue submit = WorkQueue.builder("submit")
             .limitActive(8)        // the old pool size becomes the ceiling...
             .threshold(32)         // ...and the backlog decides how much of it is used
             .highPriority(true)    // a lane with its own threads
             .build()) {
      for (int block = 0; block < 1000; block++) submit.queue(new Write(block, device));
      submit.queueHigh(new Write(-1, device));       // runs even if every data thread is blocked
      submit.flush();
    }
    // end::after[]
  }
}
