package org.asyncwq.storage;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.List;
import org.asyncwq.storage.block.Checksum;
import org.asyncwq.storage.tree.BlockPointer;

/**
 * Objects' extent maps already walked, decoded and checked, kept as the reads a get makes (its
 * read plan), so a warm get of a small or mid-sized object neither looks up its extent-map pages
 * nor decodes a {@link Checksum} per block again. Bounded by the blocks the plans cover ({@link
 * #MAX_BLOCKS}); an object larger than {@link #MAX_PLAN_BLOCKS} blocks is never kept (its walk
 * streams, so a get of any size holds a bounded part of its map). Thread-safe, lock-free hits
 * (Caffeine's cache).
 *
 * <p><b>Why it is safe.</b> A plan is kept only after the walk that built it checked every entry
 * (pages verified against their parents' checksums, entries decoded, runs tiling the object
 * exactly), and it is keyed by the map's whole root pointer (block, generation, checksum), which
 * fixes every page below it: committed pages never change, and a reused block is written by a
 * later generation, so a stale plan can never be reached (the rule {@link
 * org.asyncwq.storage.tree.PageCache} relies on). The object's size, block count and checksum type
 * are checked on every hit as well. Only metadata is kept: every data block is still read from a
 * device and verified on every get.
 */
final class ReadPlans {
  /** The most blocks one kept plan may cover: 16 MiB objects (4,096 checksums). */
  static final int MAX_PLAN_BLOCKS = 4096;
  /** The most blocks all kept plans cover together (about 64K checksums, a few MiB of heap). */
  static final long MAX_BLOCKS = 65_536;

  /** One positional read of a get: {@code sums.size()} blocks from {@code deviceBlock}. */
  record Run(long deviceBlock, List<Checksum> sums, long start, int bytes) {}

  /** The reads of one object, in order, and what they were built for. */
  record Plan(ObjectRecord object, List<Run> runs) {
    /** Whether this plan was built for {@code r}'s extent map, size and checksum type. */
    boolean fits(ObjectRecord r) {
      return object.size() == r.size() && object.dataBlocks() == r.dataBlocks()
          && object.checksum() == r.checksum() && object.extentMap().equals(r.extentMap());
    }
  }

  private final Cache<BlockPointer, Plan> plans = Caffeine.newBuilder()
      .maximumWeight(MAX_BLOCKS)
      .weigher((BlockPointer k, Plan p) -> (int) Math.max(1, p.object().dataBlocks()))
      .executor(Runnable::run) // evictions on the adding thread, no pool thread of the cache's own
      .build();

  /** The plan kept for {@code r}, or null. */
  Plan find(ObjectRecord r) {
    Plan p = plans.getIfPresent(r.extentMap());
    return p != null && p.fits(r) ? p : null;
  }

  /** Whether a plan for {@code r} would be kept: it has an extent map and is not too large. */
  static boolean keeps(ObjectRecord r) {
    return r.extentMap() != null && r.dataBlocks() <= MAX_PLAN_BLOCKS;
  }

  /** Keeps {@code runs}, checked by a complete walk of {@code r}'s extent map. */
  void keep(ObjectRecord r, List<Run> runs) {
    plans.put(r.extentMap(), new Plan(r, List.copyOf(runs)));
  }
}
