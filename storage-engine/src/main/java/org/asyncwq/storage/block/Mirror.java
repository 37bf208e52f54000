package org.asyncwq.storage.block;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One mirror of a volume: its device, its btrfs-style error counters, and whether it is still in
 * use. Once its failures exceed the volume's budget it becomes FAULTY for good (md raid1 marks a
 * member Faulty the same way); only replacing it brings redundancy back.
 *
 * <p>The budget counts failures of the device itself: IO errors (read, write, flush) and generation
 * errors (lost writes). A checksum mismatch is counted in {@code corruptionErrors} but not against
 * the budget: it is bit rot on a device that still works, and the volume repairs it by rewriting
 * the copy (btrfs never evicts a device for csum errors). If that rewrite fails, the write error
 * counts.
 */
final class Mirror {
  private static final Logger log = LogManager.getLogger(Mirror.class);

  final int index;
  final BlockDevice device;
  private final int errorBudget;

  private final AtomicLong readErrors = new AtomicLong();
  private final AtomicLong writeErrors = new AtomicLong();
  private final AtomicLong flushErrors = new AtomicLong();
  private final AtomicLong corruptionErrors = new AtomicLong();
  private final AtomicLong generationErrors = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();

  /** Moves HEALTHY to FAULTY once, never back. */
  private volatile DeviceState state = DeviceState.HEALTHY;

  Mirror(int index, BlockDevice device, int errorBudget) {
    this.index = index;
    this.device = device;
    this.errorBudget = errorBudget;
  }

  boolean healthy() {
    return state == DeviceState.HEALTHY;
  }

  void readError() {
    count(readErrors, "read");
  }

  void writeError() {
    count(writeErrors, "write");
  }

  void flushError() {
    count(flushErrors, "flush");
  }

  void corruptionError() {
    corruptionErrors.incrementAndGet(); // not against the budget: see the class comment
  }

  void generationError() {
    count(generationErrors, "generation");
  }

  private void count(AtomicLong counter, String kind) {
    counter.incrementAndGet();
    long total = errors.incrementAndGet();
    if (total > errorBudget && state == DeviceState.HEALTHY) {
      synchronized (this) {
        if (state == DeviceState.HEALTHY) {
          state = DeviceState.FAULTY;
          log.warn("mirror {} ({}) is FAULTY after {} errors (budget {}), the last a {} error; "
              + "the volume runs without it", index, device, total, errorBudget, kind);
        }
      }
    }
  }

  DeviceStats stats() {
    return new DeviceStats(index, state, readErrors.get(), writeErrors.get(), flushErrors.get(),
        corruptionErrors.get(), generationErrors.get());
  }

  @Override
  public String toString() {
    return "mirror " + index + " (" + device + ", " + state + ")";
  }
}
