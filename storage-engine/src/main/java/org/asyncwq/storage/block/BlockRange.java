package org.asyncwq.storage.block;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

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

  /**
   * The checks every volume read makes before it starts: one non-null checksum per block, the
   * blocks on the device; returns a copy of {@code expected}.
   */
  static List<Checksum> checkRead(long firstBlock, List<Checksum> expected, long blockCount) {
    Objects.requireNonNull(expected, "expected");
    if (expected.isEmpty()) {
      throw new IllegalArgumentException("read: expected holds no checksums; give one per block");
    }
    for (int i = 0; i < expected.size(); i++) {
      if (expected.get(i) == null) {
        throw new NullPointerException("read: expected checksum " + i + " is null");
      }
    }
    checkBlocks("read", firstBlock, expected.size(), blockCount);
    return List.copyOf(expected);
  }

  /** Checks the caller's destination of a read of {@code blocks} blocks: writable, their size. */
  static void checkDestination(ByteBuffer dst, int blocks) {
    Objects.requireNonNull(dst, "dst");
    if (dst.isReadOnly()) {
      throw new IllegalArgumentException("read: the destination buffer is read-only");
    }
    if (dst.remaining() != (long) blocks * BlockDevice.BLOCK_SIZE) {
      throw new IllegalArgumentException("read: the destination has " + dst.remaining()
          + " bytes left, the " + blocks + " blocks need exactly "
          + (long) blocks * BlockDevice.BLOCK_SIZE);
    }
  }

  /** The checks a scrub makes before it starts: no null reference, every block on the device. */
  static List<BlockRef> checkScrub(Iterable<BlockRef> blocks, long blockCount) {
    Objects.requireNonNull(blocks, "blocks");
    List<BlockRef> refs = new ArrayList<>();
    for (BlockRef ref : blocks) {
      Objects.requireNonNull(ref, "scrub: a block reference is null");
      checkBlock("scrub", ref.block(), blockCount);
      refs.add(ref);
    }
    return refs;
  }
}
