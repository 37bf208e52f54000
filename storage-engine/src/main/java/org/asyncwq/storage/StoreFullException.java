package org.asyncwq.storage;

import java.io.IOException;

/**
 * A put did not fit in the free space. The store is as it was before the put (the object it would
 * have replaced is intact); deleting objects makes room.
 */
public final class StoreFullException extends IOException {
  private static final long serialVersionUID = 1L;

  public StoreFullException(String message) {
    super(message);
  }

  public StoreFullException(String message, Throwable cause) {
    super(message, cause);
  }
}
