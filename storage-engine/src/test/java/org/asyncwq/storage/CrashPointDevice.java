package org.asyncwq.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.asyncwq.storage.block.FaultyBlockDevice;

/**
 * Test device: a {@link FaultyBlockDevice} that runs an action right after its N-th write (the
 * crash point), on whatever thread made that write.
 */
final class CrashPointDevice extends ForwardingBlockDevice<FaultyBlockDevice> {
  private final AtomicLong writes;
  private volatile long crashAfter = Long.MAX_VALUE;
  private volatile Runnable crash = () -> {};

  CrashPointDevice(FaultyBlockDevice faulty, AtomicLong sharedWrites) {
    super(faulty);
    this.writes = sharedWrites;
  }

  /** Runs {@code action} right after the shared write count reaches {@code at}. */
  void arm(long at, Runnable action) {
    this.crash = action;
    this.crashAfter = at;
  }

  @Override
  public void write(long firstBlock, ByteBuffer src) throws IOException {
    inner.write(firstBlock, src);
    if (writes.incrementAndGet() == crashAfter) {
      crash.run();
    }
  }
}
