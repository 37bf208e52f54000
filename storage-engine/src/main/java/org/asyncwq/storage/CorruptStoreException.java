package org.asyncwq.storage;

import java.io.IOException;

/**
 * The devices do not hold a store this code can open: no superblock verifies, the magic is
 * foreign, the format version is unknown, a device is too short, or the metadata is damaged beyond
 * what the mirrors can repair. The message says what is wrong and where. Nothing was written.
 */
public final class CorruptStoreException extends IOException {
  private static final long serialVersionUID = 1L;

  public CorruptStoreException(String message) {
    super(message);
  }

  public CorruptStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
