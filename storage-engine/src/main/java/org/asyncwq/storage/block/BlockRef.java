package org.asyncwq.storage.block;

import java.util.Objects;

/**
 * A block number and the checksum its contents must have: what a scrub verifies.
 *
 * @param block the block number on every mirror
 * @param checksum the checksum recorded when the block was written
 */
public record BlockRef(long block, Checksum checksum) {
  public BlockRef {
    if (block < 0) {
      throw new IllegalArgumentException("block must not be negative, was " + block);
    }
    Objects.requireNonNull(checksum, "checksum");
  }
}
