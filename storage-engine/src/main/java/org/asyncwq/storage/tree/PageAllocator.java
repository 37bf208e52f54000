package org.asyncwq.storage.tree;

import java.io.IOException;

/** Gives a tree the block for a new page (a split, or a copy-on-write of a page). */
@FunctionalInterface
public interface PageAllocator {
  long allocate() throws IOException;
}
