package org.asyncwq.storage.tree;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.util.concurrent.atomic.LongAdder;

/**
 * Verified tree pages kept in memory for readers, so a lookup does not read and verify the same
 * committed pages from the device on every call (what the ZFS ARC and btrfs' extent buffer cache do
 * for metadata). Bounded: at most {@code maxPages} pages, those least likely to be used again
 * dropped first (Caffeine's cache: a lookup of a cached page takes no lock).
 *
 * <p><b>Why it is safe.</b> A page is cached only after it passed every check a read makes (its
 * checksum against the parent's pointer, its header, its own checksum, sorted keys), and it is
 * keyed by the whole {@link BlockPointer}: block, generation and checksum. Committed pages never
 * change (copy-on-write), and a block that is freed and later reused is written by a later
 * generation with other bytes, so a pointer to the reused block never equals a pointer to its old
 * page: a stale entry can no longer be reached and only ages out; nothing needs invalidating.
 * Callers get the same decoded node, which no reader changes; writers ({@link CowTree}) load their
 * own copies and never see the cache.
 *
 * <p>A page served from the cache is not read from the device, so a bad copy of it on a mirror is
 * found by the next read that misses the cache, or by a scrub, which always reads the devices.
 */
public final class PageCache {
  private final Cache<BlockPointer, Node> pages;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();

  /**
   * A cache of at most {@code maxPages} pages.
   *
   * @throws IllegalArgumentException if {@code maxPages} is negative
   */
  public PageCache(int maxPages) {
    if (maxPages < 0) {
      throw new IllegalArgumentException("maxPages must not be negative, was " + maxPages);
    }
    // Evictions run on the thread that adds a page (no pool thread of the cache's own).
    this.pages = Caffeine.newBuilder().maximumSize(maxPages).executor(Runnable::run).build();
  }

  /** Pages served from memory so far. */
  public long hits() {
    return hits.sum();
  }

  /** Pages read from the device (and verified) so far. */
  public long misses() {
    return misses.sum();
  }

  /** The verified page at {@code at}, from memory or read, verified and kept. */
  Node load(PageDevice dev, BlockPointer at, PageKind kind, long owner) throws IOException {
    Node n = pages.getIfPresent(at);
    if (n != null && n.kind == kind && (owner < 0 || n.owner == owner)) {
      hits.increment();
      return n;
    }
    misses.increment();
    n = TreeReader.load(dev, at, kind, owner); // throws unless the page verifies
    pages.put(at, n);
    return n;
  }
}
