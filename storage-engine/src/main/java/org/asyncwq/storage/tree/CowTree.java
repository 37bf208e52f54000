package org.asyncwq.storage.tree;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A copy-on-write B+tree being changed by one committer: the object directory between two commits.
 *
 * <p>It starts from a committed root. A change loads the path to its key and marks every page on it
 * dirty; the block each of those pages came from is recorded in {@link #takeFreed()} (the committed
 * tree still needs it, so the caller defers its reuse) and never written. {@link #write} gives every
 * dirty page a new block, children before parents (a parent pointer carries its child's checksum),
 * starts the writes and returns the new root. Pages changed twice before a write are written once.
 *
 * <p>Deletion removes a key from its leaf and drops pages that become empty; it does not merge
 * half-empty pages (as many B+tree stores, LMDB among them for free pages, accept). Not thread-safe:
 * the store's committer is its only user; readers read committed roots with {@link TreeReader}.
 */
public final class CowTree {
  private final PageDevice dev;
  private final PageKind kind;
  private final long owner;
  private final List<Long> freed = new ArrayList<>();
  private BlockPointer rootPtr;
  private Node root;

  /** A tree rooted at {@code root}; null for an empty tree. */
  public CowTree(PageDevice dev, PageKind kind, long owner, BlockPointer root) {
    this.dev = dev;
    this.kind = kind;
    this.owner = owner;
    this.rootPtr = root;
  }

  /** Largest key plus value a leaf entry may have, in bytes. */
  public static int maxEntryBytes() {
    return Page.MAX_ENTRY - 4;
  }

  /** The value of {@code key}, or null. */
  public byte[] get(byte[] key) throws IOException {
    Node n = root();
    if (n == null) {
      return null;
    }
    while (!n.isLeaf()) {
      n = child(n, n.childIndex(key));
    }
    int i = n.search(key);
    return i >= 0 ? n.values.get(i) : null;
  }

  /** Sets {@code key} to {@code value}; returns the value it replaced, or null. */
  public byte[] put(byte[] key, byte[] value) throws IOException {
    if (Page.leafEntrySize(key, value) > Page.MAX_ENTRY) {
      throw new IllegalArgumentException(
          "entry of " + (key.length + value.length) + " bytes exceeds " + maxEntryBytes());
    }
    Node r = root();
    if (r == null) {
      r = new Node(kind, owner, 0);
      r.dirty = true;
      root = r;
    } else {
      touch(r);
    }
    byte[] old = insert(r, key, value);
    if (r.bytes() > Page.CAPACITY) {
      Node right = r.split();
      Node top = new Node(kind, owner, r.level + 1);
      top.dirty = true;
      top.keys.add(r.keys.get(0));
      top.ptrs.add(null);
      top.kids.add(r);
      top.keys.add(right.keys.get(0));
      top.ptrs.add(null);
      top.kids.add(right);
      root = top;
    }
    return old;
  }

  /** Removes {@code key}; returns its value, or null when it was absent (then nothing changes). */
  public byte[] remove(byte[] key) throws IOException {
    if (get(key) == null) {
      return null;
    }
    Node r = root();
    touch(r);
    byte[] old = delete(r, key);
    while (r != null && !r.isLeaf() && r.count() <= 1) {
      r = r.count() == 0 ? null : child(r, 0);
    }
    if (r != null && r.isLeaf() && r.count() == 0) {
      r = null;
    }
    root = r;
    rootPtr = r == null ? null : r.self;
    return old;
  }

  /** Levels above the leaves plus one; 0 for an empty tree. */
  public int height() throws IOException {
    Node r = root();
    return r == null ? 0 : r.level + 1;
  }

  /**
   * Writes every dirty page to a new block from {@code alloc} as generation {@code generation}, adds
   * the pending writes to {@code writes}, and returns the new root (null for an empty tree).
   */
  public BlockPointer write(PageAllocator alloc, long generation, List<CompletableFuture<?>> writes)
      throws IOException {
    if (root == null) {
      return rootPtr;
    }
    rootPtr = write(root, alloc, generation, writes);
    root = null;
    return rootPtr;
  }

  /** Blocks of committed pages that this tree stopped referencing since the last call. */
  public List<Long> takeFreed() {
    List<Long> out = new ArrayList<>(freed);
    freed.clear();
    return out;
  }

  private BlockPointer write(
      Node n, PageAllocator alloc, long generation, List<CompletableFuture<?>> writes)
      throws IOException {
    if (!n.dirty) {
      return n.self;
    }
    if (!n.isLeaf()) {
      for (int i = 0; i < n.count(); i++) {
        if (n.ptrs.get(i) == null) {
          n.ptrs.set(i, write(n.kids.get(i), alloc, generation, writes));
        }
        n.kids.set(i, null);
      }
    }
    long block = alloc.allocate();
    n.self = TreeWriter.writePage(dev, n, generation, block, writes);
    n.dirty = false;
    return n.self;
  }

  private Node root() throws IOException {
    if (root == null && rootPtr != null) {
      root = TreeReader.load(dev, rootPtr, kind, owner);
    }
    return root;
  }

  private Node child(Node n, int i) throws IOException {
    Node c = n.kids.get(i);
    if (c == null) {
      c = TreeReader.load(dev, n.ptrs.get(i), kind, owner);
      n.kids.set(i, c);
    }
    return c;
  }

  /** Marks a node dirty; a clean one's committed block is recorded as freed. */
  private void touch(Node n) {
    if (!n.dirty) {
      freed.add(n.self.block());
      n.dirty = true;
      n.self = null;
    }
  }

  private byte[] insert(Node n, byte[] key, byte[] value) throws IOException {
    if (n.isLeaf()) {
      int i = n.search(key);
      if (i >= 0) {
        return n.values.set(i, value);
      }
      n.keys.add(-(i + 1), key);
      n.values.add(-(i + 1), value);
      return null;
    }
    int i = n.childIndex(key);
    Node c = child(n, i);
    touch(c);
    n.ptrs.set(i, null);
    if (i == 0 && Node.compare(key, n.keys.get(0)) < 0) {
      n.keys.set(0, key);
    }
    byte[] old = insert(c, key, value);
    if (c.bytes() > Page.CAPACITY) {
      Node right = c.split();
      n.keys.add(i + 1, right.keys.get(0));
      n.ptrs.add(i + 1, null);
      n.kids.add(i + 1, right);
    }
    return old;
  }

  private byte[] delete(Node n, byte[] key) throws IOException {
    if (n.isLeaf()) {
      int i = n.search(key);
      if (i < 0) {
        return null;
      }
      n.keys.remove(i);
      return n.values.remove(i);
    }
    int i = n.childIndex(key);
    Node c = child(n, i);
    touch(c);
    n.ptrs.set(i, null);
    byte[] old = delete(c, key);
    if (c.count() == 0) {
      n.keys.remove(i);
      n.ptrs.remove(i);
      n.kids.remove(i);
    }
    return old;
  }

}
