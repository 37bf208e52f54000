package org.asyncwq.examples.migration;

import java.time.Duration;
import org.asyncwq.pool.Work;
import org.asyncwq.pool.WorkerPool;

/** Stage 2, after: a {@link Work} per block; stopNow() calls cancelled() on what never ran. */
public final class Stage2After {
  private Stage2After() {}

  // tag::after[]
  static final class WriteBlock extends Work {
    private final int block; private final Device device;
    WriteBlock(int block, Device device) { this.block = block; this.device = device; }
    @Override protected void run() { device.write(block); }
    @Override protected void cancelled(Throwable cause) { device.failed(block, cause); }
  }
  // end::after[]

  /** Writes blocks 0..count-1; with {@code urgent}, stops at once and reports what never ran. */
  public static void write(int count, Device device, boolean urgent) {
    WorkerPool pool = WorkerPool.builder("write").maxWorkers(4).build();
    // tag::after[]

    for (int block = 0; block < count; block++) pool.queue(new WriteBlock(block, device));
    if (urgent) {
      pool.stopNow();                                  // every work not started gets cancelled()
    }
    // end::after[]
    pool.stop();
    pool.awaitTermination(Duration.ofSeconds(10));
  }
}
