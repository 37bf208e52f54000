package org.asyncwq.storage.block;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A fault-injecting {@link BlockDevice} decorator for tests and demos (Linux's dm-flakey and
 * dm-dust, plus a power-loss simulator).
 *
 * <p>Placeholder: documented in full with the crash simulation.
 */
public final class FaultyBlockDevice implements BlockDevice {
  private final BlockDevice inner;
  private final Set<Long> failedReads = ConcurrentHashMap.newKeySet();
  private final Set<Long> failedWrites = ConcurrentHashMap.newKeySet();
  private volatile boolean failFlushes;
  private final ConcurrentHashMap<Long, LongAdder> readCounts = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, LongAdder> writeCounts = new ConcurrentHashMap<>();

  public FaultyBlockDevice(BlockDevice inner) {
    this.inner = Objects.requireNonNull(inner, "inner");
  }

  /** Every read that touches {@code block} fails with an IOException from now on. */
  public void failReads(long block) {
    BlockRange.checkBlock("failReads", block, blockCount());
    failedReads.add(block);
  }

  /** Every write that touches {@code block} fails with an IOException, writing nothing. */
  public void failWrites(long block) {
    BlockRange.checkBlock("failWrites", block, blockCount());
    failedWrites.add(block);
  }

  /** Whether every flush fails with an IOException from now on. */
  public void failFlushes(boolean fail) {
    this.failFlushes = fail;
  }

  /** Flips every bit of the stored byte at {@code byteOffset} of {@code block}. */
  public void corrupt(long block, int byteOffset) throws IOException {
    BlockRange.checkBlock("corrupt", block, blockCount());
    if (byteOffset < 0 || byteOffset >= BLOCK_SIZE) {
      throw new IllegalArgumentException("corrupt: byteOffset must be in [0, " + BLOCK_SIZE
          + "), was " + byteOffset);
    }
    ByteBuffer buf = ByteBuffer.allocate(BLOCK_SIZE);
    inner.read(block, buf);
    buf.put(byteOffset, (byte) ~buf.get(byteOffset));
    buf.clear();
    inner.write(block, buf);
  }

  /** Clears every injected failure; corruption already done stays. */
  public void heal() {
    failedReads.clear();
    failedWrites.clear();
    failFlushes = false;
  }

  /** Read calls through this decorator that touched {@code block}, failed ones included. */
  public long reads(long block) {
    LongAdder a = readCounts.get(block);
    return a == null ? 0 : a.sum();
  }

  /** Write calls through this decorator that touched {@code block}, failed ones included. */
  public long writes(long block) {
    LongAdder a = writeCounts.get(block);
    return a == null ? 0 : a.sum();
  }

  @Override
  public long blockCount() {
    return inner.blockCount();
  }

  @Override
  public void read(long firstBlock, ByteBuffer dst) throws IOException {
    int blocks = BlockRange.check("read of faulty device", firstBlock, dst, blockCount());
    count(readCounts, firstBlock, blocks);
    fail(failedReads, "read", firstBlock, blocks);
    inner.read(firstBlock, dst);
  }

  @Override
  public void write(long firstBlock, ByteBuffer src) throws IOException {
    int blocks = BlockRange.check("write to faulty device", firstBlock, src, blockCount());
    count(writeCounts, firstBlock, blocks);
    fail(failedWrites, "write", firstBlock, blocks);
    inner.write(firstBlock, src);
  }

  @Override
  public void flush() throws IOException {
    if (failFlushes) {
      throw new IOException("injected flush failure");
    }
    inner.flush();
  }

  @Override
  public void close() throws IOException {
    inner.close();
  }

  private static void count(ConcurrentHashMap<Long, LongAdder> counts, long first, int blocks) {
    for (int i = 0; i < blocks; i++) {
      counts.computeIfAbsent(first + i, k -> new LongAdder()).increment();
    }
  }

  private static void fail(Set<Long> failed, String op, long first, int blocks)
      throws IOException {
    if (failed.isEmpty()) {
      return;
    }
    for (int i = 0; i < blocks; i++) {
      if (failed.contains(first + i)) {
        throw new IOException("injected " + op + " failure at block " + (first + i));
      }
    }
  }

  @Override
  public String toString() {
    return "FaultyBlockDevice[" + inner + "]";
  }
}
