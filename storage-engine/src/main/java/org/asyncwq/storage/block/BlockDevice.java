package org.asyncwq.storage.block;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A device of fixed-size blocks addressed by number: a file, a Linux block device file, memory, or
 * a decorator over one of those.
 *
 * <p><b>Whole blocks.</b> {@link #read} and {@link #write} move {@code remaining()} bytes of the
 * buffer, which must be a positive multiple of {@link #BLOCK_SIZE}, starting at block {@code
 * firstBlock}; every block touched must lie in {@code [0, blockCount())}. Anything else is an
 * {@link IllegalArgumentException} that says which rule was broken, thrown before any byte moves.
 * On success the buffer's position has advanced by the bytes moved.
 *
 * <p><b>Durability.</b> A write is durable only after a later {@link #flush()} returned (like
 * {@code FileChannel.force}); a crash may lose, reorder or tear writes that were not flushed.
 *
 * <p><b>Concurrency.</b> Implementations are safe for concurrent use; concurrent IO to disjoint
 * blocks proceeds in parallel. Concurrent writes to the same block leave one of them.
 *
 * <p>After {@link #close()} every call but {@code close()} and {@code blockCount()} throws
 * {@link java.nio.channels.ClosedChannelException} (an IOException).
 */
public interface BlockDevice extends AutoCloseable {
  /** The size of every block, in bytes: 4 KiB, the page size btrfs, XFS and ZFS default to. */
  int BLOCK_SIZE = 4096;

  /** How many blocks the device holds. */
  long blockCount();

  /**
   * Reads {@code dst.remaining() / BLOCK_SIZE} blocks starting at {@code firstBlock} into {@code
   * dst}.
   *
   * @throws IllegalArgumentException if the buffer is not whole blocks or a block is out of range
   * @throws IOException if the device fails the read
   */
  void read(long firstBlock, ByteBuffer dst) throws IOException;

  /**
   * Writes {@code src.remaining() / BLOCK_SIZE} blocks starting at {@code firstBlock}.
   *
   * @throws IllegalArgumentException if the buffer is not whole blocks or a block is out of range
   * @throws IOException if the device fails the write (some of the blocks may have been written)
   */
  void write(long firstBlock, ByteBuffer src) throws IOException;

  /** Makes every write that returned before this call durable. */
  void flush() throws IOException;

  /** Releases the device; idempotent. */
  @Override
  void close() throws IOException;
}
