package org.asyncwq.storage.block;

import java.io.IOException;

/**
 * No mirror holds a copy of a block that matches its checksum: every mirror was read once and none
 * verified. Nothing was rewritten; the caller gets no bytes at all.
 */
public class UncorrectableDataException extends IOException {
  private static final long serialVersionUID = 1L;

  private final long block;

  /** For {@code block}, with a message that names it. */
  public UncorrectableDataException(long block) {
    this(block, "block " + block + " has no copy matching its checksum on any mirror");
  }

  public UncorrectableDataException(long block, String message) {
    super(message);
    this.block = block;
  }

  /** The first block found with no good copy. */
  public long block() {
    return block;
  }
}
