package org.asyncwq.examples.migration;

import java.util.List;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** Stage 5, before: a fixed-size pool whose queue puts metadata writes first. */
public final class Stage5Before {
  private Stage5Before() {}

  // tag::before[]
  static final class Write implements Runnable, Comparable<Write> {
    private final int block; private final boolean metadata; private final List<Integer> device;
    Write(int block, boolean metadata, List<Integer> device) {
      this.block = block; this.metadata = metadata; this.device = device;
    }
    @Override public void run() { device.add(block); }
    @Override public int compareTo(Write o) { return Boolean.compare(o.metadata, metadata); }
  }
  // end::before[]

  /** Writes data blocks 0..999 and metadata block -1 to the device. */
  public static void write(List<Integer> device) throws InterruptedException {
    // tag::before[]

    ThreadPoolExecutor executor =
        new ThreadPoolExecutor(8, 8, 0, TimeUnit.SECONDS, new PriorityBlockingQueue<>());
    for (int block = 0; block < 1000; block++) executor.execute(new Write(block, false, device));
    executor.execute(new Write(-1, true, device));   // jumps the queue, but needs a free thread
    executor.shutdown();
    executor.awaitTermination(10, TimeUnit.SECONDS);
    // end::before[]
  }
}
