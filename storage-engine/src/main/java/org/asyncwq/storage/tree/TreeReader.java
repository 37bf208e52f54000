package org.asyncwq.storage.tree;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Predicate;

/**
 * Reads a committed tree from its root pointer: lookups, ordered scans and walks over every page.
 * Every page read is verified against the checksum its parent holds and its header checked.
 * Committed pages never change, so any number of readers may use one root at once, as long as the
 * root's generation is pinned so its blocks are not reused meanwhile.
 */
public final class TreeReader {
  private final PageDevice dev;
  private final PageKind kind;
  private final long owner;
  private final PageCache cache;

  /** Reads trees of {@code kind}; {@code owner} negative accepts any owner. */
  public TreeReader(PageDevice dev, PageKind kind, long owner) {
    this(dev, kind, owner, null);
  }

  /**
   * Reads trees of {@code kind}, lookups and scans through {@code cache} (null: none); walks
   * always read the device.
   */
  public TreeReader(PageDevice dev, PageKind kind, long owner, PageCache cache) {
    this.dev = dev;
    this.kind = kind;
    this.owner = owner;
    this.cache = cache;
  }

  /** A page for a lookup or scan: from the cache when there is one. */
  private Node page(BlockPointer at) throws IOException {
    return cache == null ? load(dev, at, kind, owner) : cache.load(dev, at, kind, owner);
  }

  /** Receives leaf entries in key order; returns false to stop. */
  @FunctionalInterface
  public interface EntryVisitor {
    boolean entry(byte[] key, byte[] value) throws IOException;
  }

  /** Receives every page pointer of a tree, the root first, parents before children. */
  @FunctionalInterface
  public interface PageVisitor {
    void page(BlockPointer page, int level) throws IOException;
  }

  static Node load(PageDevice dev, BlockPointer at, PageKind kind, long owner) throws IOException {
    ByteBuffer raw = dev.read(at.block(), at.checksum());
    return Page.decode(raw, at, kind, owner, dev.checksumType());
  }

  /** The value of {@code key} in the tree at {@code root}, or null. */
  public byte[] get(BlockPointer root, byte[] key) throws IOException {
    if (root == null) {
      return null;
    }
    Node n = page(root);
    while (!n.isLeaf()) {
      n = page(n.ptrs.get(n.childIndex(key)));
    }
    int i = n.search(key);
    return i >= 0 ? n.values.get(i) : null;
  }

  /**
   * Visits the entries with keys at or above {@code from} (all when null) in key order; with {@code
   * floor}, starts at the last entry whose key is at or below {@code from} instead, if there is one.
   */
  public void scan(BlockPointer root, byte[] from, boolean floor, EntryVisitor v)
      throws IOException {
    if (root != null) {
      scan(page(root), from, floor, v, new boolean[] {false});
    }
  }

  /** Returns false when the visitor stopped. */
  private boolean scan(Node n, byte[] from, boolean floor, EntryVisitor v, boolean[] started)
      throws IOException {
    if (n.isLeaf()) {
      int i = 0;
      if (from != null && !started[0]) {
        int s = n.search(from);
        i = s >= 0 ? s : -(s + 1);
        if (floor && s < 0 && i > 0) {
          i--;
        }
      }
      started[0] = true;
      for (; i < n.count(); i++) {
        if (!v.entry(n.keys.get(i), n.values.get(i))) {
          return false;
        }
      }
      return true;
    }
    int first = from == null || started[0] ? 0 : n.childIndex(from);
    for (int i = first; i < n.count(); i++) {
      if (!scan(page(n.ptrs.get(i)), from, floor, v, started)) {
        return false;
      }
    }
    return true;
  }

  /** Visits every page of the tree at {@code root} (parents before children) and every entry. */
  public void walk(BlockPointer root, PageVisitor pages, EntryVisitor entries) throws IOException {
    walk(root, p -> true, pages, entries);
  }

  /**
   * {@link #walk} of the pages {@code descend} accepts: a page it refuses is not read, and neither
   * is anything below it (a commit's own pages, say: the pointers carrying its generation).
   */
  public void walk(BlockPointer root, Predicate<BlockPointer> descend, PageVisitor pages,
      EntryVisitor entries) throws IOException {
    if (root != null && descend.test(root)) {
      walk0(root, descend, pages, entries, null, null);
    }
  }

  /**
   * Walks the subtree at {@code at}, whose keys must lie in [{@code lo}, {@code hi}) (null: no
   * bound): a page whose keys stray outside the range its parent gives it would be skipped by
   * lookups although walks list it, so the walk refuses it (every open walks the whole tree).
   */
  private void walk0(BlockPointer at, Predicate<BlockPointer> descend, PageVisitor pages,
      EntryVisitor entries, byte[] lo, byte[] hi) throws IOException {
    Node n = load(dev, at, kind, owner);
    if (n.count() > 0 && ((lo != null && Node.compare(n.keys.get(0), lo) < 0)
        || (hi != null && Node.compare(n.keys.get(n.count() - 1), hi) >= 0))) {
      throw new CorruptPageException(at.block(), "keys outside the range its parent gives it");
    }
    pages.page(at, n.level);
    if (n.isLeaf()) {
      for (int i = 0; i < n.count(); i++) {
        entries.entry(n.keys.get(i), n.values.get(i));
      }
      return;
    }
    byte[] prev = null;
    for (int i = 0; i < n.count(); i++) {
      if (prev != null && Node.compare(prev, n.keys.get(i)) >= 0) {
        throw new CorruptPageException(at.block(), "keys out of order");
      }
      prev = n.keys.get(i);
      if (descend.test(n.ptrs.get(i))) {
        walk0(n.ptrs.get(i), descend, pages, entries, i == 0 ? lo : n.keys.get(i),
            i == n.count() - 1 ? hi : n.keys.get(i + 1));
      }
    }
  }

  /** Encodes a block index as a key that sorts numerically (extent maps). */
  public static byte[] longKey(long v) {
    return ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putLong(v).array();
  }

  /** Decodes {@link #longKey}. */
  public static long keyLong(byte[] key) {
    return ByteBuffer.wrap(key).order(ByteOrder.BIG_ENDIAN).getLong();
  }
}
