package org.asyncwq.storage;

/**
 * A call that would change a store made on a store opened with {@link Store#openReadOnly}: put,
 * delete or replace. The message says which call was refused; nothing was changed.
 */
public final class ReadOnlyStoreException extends UnsupportedOperationException {
  private static final long serialVersionUID = 1L;

  /** An exception saying {@code message}. */
  public ReadOnlyStoreException(String message) {
    super(message);
  }
}
