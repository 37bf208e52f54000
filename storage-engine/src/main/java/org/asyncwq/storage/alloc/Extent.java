package org.asyncwq.storage.alloc;

/**
 * A run of {@code length} consecutive blocks starting at device block {@code start}.
 *
 * @param start first block
 * @param length number of blocks, at least 1
 */
public record Extent(long start, long length) {
  public Extent {
    if (start < 0 || length < 1) {
      throw new IllegalArgumentException("extent " + start + "+" + length + " is not a block run");
    }
  }

  /** The block after the last one. */
  public long end() {
    return start + length;
  }
}
