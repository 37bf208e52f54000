package org.asyncwq.storage.alloc;

/**
 * Sees every attempt to take an AG lock, before it is made: lets a test prove the lock order a
 * transaction follows. The default sees nothing.
 */
public interface LockObserver {
  LockObserver NONE = new LockObserver() {};

  /** A non-blocking attempt on AG {@code ag}. */
  default void tryLock(int ag) {}

  /** A blocking attempt on AG {@code ag}. */
  default void lock(int ag) {}
}
