package org.asyncwq.storage.alloc;

import java.io.IOException;

/**
 * No allocation group that a transaction may lock under the AG ordering rule has a free block.
 * The store turns it into its out-of-space error.
 */
public final class NoSpaceException extends IOException {
  private static final long serialVersionUID = 1L;

  public NoSpaceException(String message) {
    super(message);
  }
}
