package org.asyncwq.storage.tree;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Builds a new tree from entries appended in increasing key order, writing each page as soon as it
 * is full: an object's extent map while its data streams in, so memory holds one page per level
 * whatever the object's size.
 *
 * <p>A full page is the split of the right edge: the entry that does not fit starts a new page, and
 * the full one needs a block before its parent can point at it. That block comes from the {@link
 * PageAllocator} the store passes in, which applies seed 001's rule for where a split's allocation
 * runs. Pages are written with the generation given at construction.
 */
public final class TreeBuilder {
  private final PageDevice dev;
  private final PageKind kind;
  private final long owner;
  private final long generation;
  private final PageAllocator alloc;
  private final PageAllocator finishAlloc;
  private final List<Node> levels = new ArrayList<>();
  private final List<CompletableFuture<?>> writes = new ArrayList<>();
  private final List<Long> pages = new ArrayList<>();
  private byte[] last;

  public TreeBuilder(
      PageDevice dev, PageKind kind, long owner, long generation, PageAllocator alloc) {
    this(dev, kind, owner, generation, alloc, alloc);
  }

  /**
   * A builder whose splits take their blocks from {@code splitAlloc} and whose pages written by
   * {@link #finish()} (the last page of each level, the root: no split) from {@code finishAlloc}.
   */
  public TreeBuilder(PageDevice dev, PageKind kind, long owner, long generation,
      PageAllocator splitAlloc, PageAllocator finishAlloc) {
    this.dev = dev;
    this.kind = kind;
    this.owner = owner;
    this.generation = generation;
    this.alloc = splitAlloc;
    this.finishAlloc = finishAlloc;
  }

  /** Appends an entry; keys must strictly increase. */
  public void append(byte[] key, byte[] value) throws IOException {
    if (last != null && Node.compare(last, key) >= 0) {
      throw new IllegalArgumentException("keys must be appended in increasing order");
    }
    if (Page.leafEntrySize(key, value) > Page.MAX_ENTRY) {
      throw new IllegalArgumentException("entry of " + (key.length + value.length) + " bytes");
    }
    last = key;
    Node leaf = level(0);
    if (leaf.bytes() + Page.leafEntrySize(key, value) > Page.CAPACITY) {
      flush(0);
      leaf = level(0);
    }
    leaf.keys.add(key);
    leaf.values.add(value);
  }

  /** Writes what is left and returns the root, or null when nothing was appended. */
  public BlockPointer finish() throws IOException {
    for (int l = 0; l < levels.size(); l++) {
      Node n = levels.get(l);
      boolean top = l == levels.size() - 1;
      if (top) {
        if (n.count() == 0) {
          return null;
        }
        if (l > 0 && n.count() == 1) {
          return n.ptrs.get(0);
        }
        return writeNode(n, finishAlloc);
      }
      if (n.count() > 0) {
        flush(l, finishAlloc);
      }
    }
    return null;
  }

  /** Writes started so far; all must complete before the tree is committed. */
  public List<CompletableFuture<?>> writes() {
    return writes;
  }

  /** Blocks of the pages written so far (to return them if the tree is never committed). */
  public List<Long> pages() {
    return pages;
  }

  private Node level(int l) {
    while (levels.size() <= l) {
      levels.add(new Node(kind, owner, levels.size()));
    }
    return levels.get(l);
  }

  private void flush(int l) throws IOException {
    flush(l, alloc);
  }

  private void flush(int l, PageAllocator from) throws IOException {
    Node n = levels.get(l);
    byte[] low = n.keys.get(0);
    BlockPointer p = writeNode(n, from);
    levels.set(l, new Node(kind, owner, l));
    Node parent = level(l + 1);
    if (parent.bytes() + Page.pointerEntrySize(low) > Page.CAPACITY) {
      flush(l + 1);
      parent = level(l + 1);
    }
    parent.keys.add(low);
    parent.ptrs.add(p);
    parent.kids.add(null);
  }

  private BlockPointer writeNode(Node n, PageAllocator from) throws IOException {
    long block = from.allocate();
    pages.add(block);
    return TreeWriter.writePage(dev, n, generation, block, writes);
  }
}
