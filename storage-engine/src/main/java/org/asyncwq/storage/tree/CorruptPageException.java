package org.asyncwq.storage.tree;

import java.io.IOException;

/** A page whose checksum verified but whose header or contents are not what its parent expects. */
public final class CorruptPageException extends IOException {
  private static final long serialVersionUID = 1L;
  private final long block;

  public CorruptPageException(long block, String message) {
    super("metadata page at block " + block + ": " + message);
    this.block = block;
  }

  public long block() {
    return block;
  }
}
