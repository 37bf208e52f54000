package org.asyncwq.examples.readme;

import java.util.List;
// tag::pool-priority[]
import org.asyncwq.ordered.OrderedWork;
import org.asyncwq.priority.WorkQueue;
// end::pool-priority[]

/** README.md, "pool-priority in one example": a thresholded queue with a high-priority lane. */
public final class PriorityExample {

  // tag::pool-priority[]
  final class Submit extends OrderedWork {        // a block write
    private final int block; private final List<Integer> device;
    Submit(int block, List<Integer> device) { this.block = block; this.device = device; }
    @Override protected void work() { /* checksum the block, concurrently */ }
    @Override protected void ordered() { device.add(block); }   // in queue order, per lane
  }
  // end::pool-priority[]

  /**
   * Runs the example as the README shows it: 1000 data blocks on the normal lane, block -1 on the
   * high lane.
   *
   * @param device where the blocks are "written"; both lanes add to it, so it must be thread-safe
   * @return the queue, closed, so that a test can read its settings
   */
  public WorkQueue write(List<Integer> device) throws InterruptedException {
    WorkQueue shown;
    // tag::pool-priority[]
    try (WorkQueue submit = WorkQueue.builder("submit")
             .limitActive(8)        // at most 8 works at once...
             .threshold(32)         // ...starting at 1, one more while over 32 wait, one less under 16
             .highPriority(true)    // plus an independent lane with its own threads
             .build()) {
      for (int block = 0; block < 1000; block++) submit.queue(new Submit(block, device));
      submit.queueHigh(new Submit(-1, device));   // metadata: never waits behind the data
      submit.flush();                             // both lanes
      submit.isCongested();                       // more than twice the threshold waiting?
      // end::pool-priority[]
      shown = submit; // not in the README: hands the queue to the test
      // tag::pool-priority[]
    }
    // end::pool-priority[]
    return shown;
  }
}
