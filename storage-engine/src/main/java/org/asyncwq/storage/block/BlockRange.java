package org.asyncwq.storage.block;

import java.nio.ByteBuffer;

/** The argument checks every {@link BlockDevice} and the volume share, so the messages agree. */
final class BlockRange {
  private BlockRange() {}

  /**
   * Checks that {@code buffer} is a positive whole number of blocks and that they fit on a device of
   * {@code blockCount} blocks from {@code firstBlock}; returns the number of blocks.
   */
  static int check(String what, long firstBlock, ByteBuffer buffer, long blockCount) {
    if (buffer == null) {
      throw new NullPointerException(what + ": the buffer is null");
    }
    int bytes = buffer.remaining();
    if (bytes == 0 || bytes % BlockDevice.BLOCK_SIZE != 0) {
      throw new IllegalArgumentException(what + ": the buffer holds " + bytes
          + " bytes, which is not a positive multiple of the block size " + BlockDevice.BLOCK_SIZE);
    }
    int blocks = bytes / BlockDevice.BLOCK_SIZE;
    checkBlocks(what, firstBlock, blocks, blockCount);
    return blocks;
  }

  /** Checks that blocks {@code [firstBlock, firstBlock + blocks)} lie on the device. */
  static void checkBlocks(String what, long firstBlock, long blocks, long blockCount) {
    if (firstBlock < 0 || firstBlock >= blockCount || blocks > blockCount - firstBlock) {
      throw new IllegalArgumentException(what + ": blocks [" + firstBlock + ", "
          + (firstBlock + blocks) + ") are out of range; the device has blocks [0, "
          + blockCount + ")");
    }
  }

  /** Checks one block number. */
  static void checkBlock(String what, long block, long blockCount) {
    checkBlocks(what, block, 1, blockCount);
  }
}
