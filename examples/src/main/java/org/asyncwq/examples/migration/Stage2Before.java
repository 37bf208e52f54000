package org.asyncwq.examples.migration;

import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** Stage 2, before: a Runnable per block; shutdownNow() hands back what never ran. */
public final class Stage2Before {
  private Stage2Before() {}

  // tag::before[]
  static final class WriteBlock implements Runnable {
    final int block; final Device device;
    WriteBlock(int block, Device device) { this.block = block; this.device = device; }
    @Override public void run() { device.write(block); }
  }
  // end::before[]

  /** Writes blocks 0..count-1; with {@code urgent}, stops at once and reports what never ran. */
  public static void write(int count, Device device, boolean urgent) throws InterruptedException {
    ExecutorService executor = Executors.newFixedThreadPool(4);
    // tag::before[]

    for (int block = 0; block < count; block++) executor.execute(new WriteBlock(block, device));
    if (urgent) {
      for (Runnable never : executor.shutdownNow()) {   // forget this loop and the blocks are lost
        device.failed(((WriteBlock) never).block, new CancellationException());
      }
    }
    // end::before[]
    executor.shutdown();
    executor.awaitTermination(10, TimeUnit.SECONDS);
  }
}
