package org.asyncwq.storage.tree;

import org.asyncwq.storage.block.Checksum;

/**
 * Where a page lives and what it must look like: its block, the generation that wrote it and the
 * checksum of the whole block. A parent carries one per child, so a child that rotted (checksum), was
 * written elsewhere (its header names another block) or was never written (an older generation with
 * a valid checksum: a lost write) is caught on read, as ZFS's block pointers do.
 */
public record BlockPointer(long block, long generation, Checksum checksum) {
  // Written out: every cached page and read plan is looked up by a pointer, and the generated
  // record methods go through method handles that cost a get more than the comparison itself.
  @Override
  public boolean equals(Object o) {
    return o instanceof BlockPointer p && p.block == block && p.generation == generation
        && p.checksum.equals(checksum);
  }

  @Override
  public int hashCode() {
    return (Long.hashCode(block) * 31 + Long.hashCode(generation)) * 31 + checksum.hashCode();
  }
}
