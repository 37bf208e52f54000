package org.asyncwq.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.FaultyBlockDevice;

/**
 * Test device: a {@link FaultyBlockDevice} that runs an action right after its N-th write (the
 * crash point), on whatever thread made that write.
 */
final class CrashPointDevice implements BlockDevice {
  final FaultyBlockDevice faulty;
  private final AtomicLong writes;
  private volatile long crashAfter = Long.MAX_VALUE;
  private volatile Runnable crash = () -> {};

  CrashPointDevice(FaultyBlockDevice faulty, AtomicLong sharedWrites) {
    this.faulty = faulty;
    this.writes = sharedWrites;
  }

  /** Runs {@code action} right after the shared write count reaches {@code at}. */
  void arm(long at, Runnable action) {
    this.crash = action;
    this.crashAfter = at;
  }

  @Override
  public long blockCount() {
    return faulty.blockCount();
  }

  @Override
  public void read(long firstBlock, ByteBuffer dst) throws IOException {
    faulty.read(firstBlock, dst);
  }

  @Override
  public void write(long firstBlock, ByteBuffer src) throws IOException {
    faulty.write(firstBlock, src);
    if (writes.incrementAndGet() == crashAfter) {
      crash.run();
    }
  }

  @Override
  public void flush() throws IOException {
    faulty.flush();
  }

  @Override
  public void close() throws IOException {
    faulty.close();
  }
}
