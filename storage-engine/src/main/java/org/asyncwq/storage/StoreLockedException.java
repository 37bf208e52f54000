package org.asyncwq.storage;

import java.io.IOException;

/**
 * A store could not be opened because another {@link Store}, in this JVM or another process, has
 * it open in a mode that excludes this one (a writer excludes everyone; readers share with
 * readers). The message names the store and, when known, the process holding it. Nothing was
 * written by the refused open.
 */
public final class StoreLockedException extends IOException {
  private static final long serialVersionUID = 1L;

  /** An exception with {@code message}, which names the store and, when known, its holder. */
  public StoreLockedException(String message) {
    super(message);
  }
}
