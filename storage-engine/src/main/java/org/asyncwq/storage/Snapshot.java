package org.asyncwq.storage;

import org.asyncwq.storage.alloc.AllocationGroups;

/**
 * A reader's hold on one committed generation: while it is open, no block that generation
 * references is reused, so a get, list or scrub reads a consistent tree however many commits pass.
 */
final class Snapshot implements AutoCloseable {
  private final Superblock superblock;
  private final AllocationGroups space;
  private boolean closed;

  Snapshot(Superblock superblock, AllocationGroups space) {
    this.superblock = superblock;
    this.space = space;
  }

  Superblock superblock() {
    return superblock;
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      space.unpin(superblock.generation());
    }
  }
}
