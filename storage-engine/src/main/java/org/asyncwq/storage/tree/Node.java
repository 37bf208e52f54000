package org.asyncwq.storage.tree;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One B+tree page in memory. A leaf holds sorted keys and their values; an internal node holds,
 * for each child, the lowest key the child may hold and either the child's {@link BlockPointer}
 * (clean child, on disk) or the loaded child itself. A dirty node has been changed since it was read
 * and gets a new block when written (copy-on-write); {@code self} is where a clean node lives.
 */
final class Node {
  final PageKind kind;
  final long owner;
  final int level;
  final List<byte[]> keys = new ArrayList<>();
  /** Leaf only. */
  final List<byte[]> values;
  /** Internal only: pointer of a clean child on disk, null while the child is dirty. */
  final List<BlockPointer> ptrs;
  /** Internal only: the loaded child, or null. */
  final List<Node> kids;

  boolean dirty;
  BlockPointer self;

  Node(PageKind kind, long owner, int level) {
    this.kind = kind;
    this.owner = owner;
    this.level = level;
    this.values = level == 0 ? new ArrayList<>() : null;
    this.ptrs = level == 0 ? null : new ArrayList<>();
    this.kids = level == 0 ? null : new ArrayList<>();
  }

  boolean isLeaf() {
    return level == 0;
  }

  int count() {
    return keys.size();
  }

  /** Encoded size of the entries, as {@link Page} lays them out. */
  int bytes() {
    int sum = 0;
    for (int i = 0; i < keys.size(); i++) {
      sum += isLeaf() ? Page.leafEntrySize(keys.get(i), values.get(i)) : Page.pointerEntrySize(keys.get(i));
    }
    return sum;
  }

  /** Index of the child whose range holds {@code key}: the last child whose low key is <= key. */
  int childIndex(byte[] key) {
    int lo = 0;
    int hi = keys.size() - 1;
    int found = 0;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (compare(keys.get(mid), key) <= 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** Binary search of a leaf's keys, as {@link java.util.Collections#binarySearch}. */
  int search(byte[] key) {
    int lo = 0;
    int hi = keys.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = compare(keys.get(mid), key);
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -(lo + 1);
  }

  /** Moves the upper part of this node (by bytes) to a new dirty sibling and returns it. */
  Node split() {
    int total = bytes();
    int acc = 0;
    int m = 0;
    while (m < keys.size() - 1 && acc < total / 2) {
      acc += isLeaf() ? Page.leafEntrySize(keys.get(m), values.get(m)) : Page.pointerEntrySize(keys.get(m));
      m++;
    }
    m = Math.max(1, m);
    Node right = new Node(kind, owner, level);
    right.dirty = true;
    List<byte[]> k = keys.subList(m, keys.size());
    right.keys.addAll(k);
    k.clear();
    if (isLeaf()) {
      List<byte[]> v = values.subList(m, values.size());
      right.values.addAll(v);
      v.clear();
    } else {
      List<BlockPointer> p = ptrs.subList(m, ptrs.size());
      right.ptrs.addAll(p);
      p.clear();
      List<Node> c = kids.subList(m, kids.size());
      right.kids.addAll(c);
      c.clear();
    }
    return right;
  }

  static int compare(byte[] a, byte[] b) {
    return Arrays.compareUnsigned(a, b);
  }
}
