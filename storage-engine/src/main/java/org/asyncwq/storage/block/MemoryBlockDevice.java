package org.asyncwq.storage.block;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;

/**
 * A {@link BlockDevice} in heap memory, zero-filled at creation: for tests, demos and the images a
 * {@link FaultyBlockDevice} crash produces. Every write is durable at once, so {@link #flush()} does
 * nothing. Safe for concurrent use: blocks are stored in chunks of a byte array, and each block's
 * bytes are copied under that block's stripe lock, so a read never sees half of a concurrent write
 * to the same block.
 */
public final class MemoryBlockDevice implements BlockDevice {
  private static final int BLOCKS_PER_CHUNK = 256; // 1 MiB chunks: no array of more than 2 GiB
  private static final int STRIPES = 64;

  private final long blockCount;
  private final byte[][] chunks;
  private final Object[] stripes = new Object[STRIPES];
  private volatile boolean closed;

  /**
   * A zero-filled device of {@code blockCount} blocks.
   *
   * @throws IllegalArgumentException if {@code blockCount} is not positive or too large for memory
   */
  public MemoryBlockDevice(long blockCount) {
    if (blockCount <= 0) {
      throw new IllegalArgumentException("blockCount must be positive, was " + blockCount);
    }
    long chunkCount = (blockCount + BLOCKS_PER_CHUNK - 1) / BLOCKS_PER_CHUNK;
    if (chunkCount > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("blockCount " + blockCount + " is too large for memory");
    }
    this.blockCount = blockCount;
    this.chunks = new byte[(int) chunkCount][];
    for (int i = 0; i < chunks.length; i++) {
      long blocks = Math.min(BLOCKS_PER_CHUNK, blockCount - (long) i * BLOCKS_PER_CHUNK);
      chunks[i] = new byte[(int) blocks * BLOCK_SIZE];
    }
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Object();
    }
  }

  /** A copy of {@code device}'s current contents, read block by block. */
  static MemoryBlockDevice copyOf(BlockDevice device) throws IOException {
    MemoryBlockDevice copy = new MemoryBlockDevice(device.blockCount());
    ByteBuffer buf = ByteBuffer.allocate(BLOCK_SIZE);
    for (long b = 0; b < device.blockCount(); b++) {
      buf.clear();
      device.read(b, buf);
      buf.flip();
      copy.write(b, buf);
    }
    return copy;
  }

  @Override
  public long blockCount() {
    return blockCount;
  }

  @Override
  public void read(long firstBlock, ByteBuffer dst) throws IOException {
    int blocks = BlockRange.check("read of memory device", firstBlock, dst, blockCount);
    checkOpen();
    for (int i = 0; i < blocks; i++) {
      long b = firstBlock + i;
      byte[] chunk = chunks[(int) (b / BLOCKS_PER_CHUNK)];
      int off = (int) (b % BLOCKS_PER_CHUNK) * BLOCK_SIZE;
      synchronized (stripe(b)) {
        dst.put(chunk, off, BLOCK_SIZE);
      }
    }
  }

  @Override
  public void write(long firstBlock, ByteBuffer src) throws IOException {
    int blocks = BlockRange.check("write to memory device", firstBlock, src, blockCount);
    checkOpen();
    for (int i = 0; i < blocks; i++) {
      long b = firstBlock + i;
      byte[] chunk = chunks[(int) (b / BLOCKS_PER_CHUNK)];
      int off = (int) (b % BLOCKS_PER_CHUNK) * BLOCK_SIZE;
      synchronized (stripe(b)) {
        src.get(chunk, off, BLOCK_SIZE);
      }
    }
  }

  /** Flips the bits of {@code mask} in one stored byte; for fault injection. */
  void xor(long block, int byteOffset, int mask) {
    byte[] chunk = chunks[(int) (block / BLOCKS_PER_CHUNK)];
    int off = (int) (block % BLOCKS_PER_CHUNK) * BLOCK_SIZE + byteOffset;
    synchronized (stripe(block)) {
      chunk[off] ^= (byte) mask;
    }
  }

  @Override
  public void flush() throws IOException {
    checkOpen();
  }

  @Override
  public void close() {
    closed = true;
  }

  private Object stripe(long block) {
    return stripes[(int) (block % STRIPES)];
  }

  private void checkOpen() throws ClosedChannelException {
    if (closed) {
      throw new ClosedChannelException();
    }
  }

  @Override
  public String toString() {
    return "MemoryBlockDevice[" + blockCount + " blocks]";
  }
}
