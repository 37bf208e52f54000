package org.asyncwq.storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.asyncwq.storage.alloc.AllocationGroups;
import org.asyncwq.storage.alloc.Extent;

/**
 * Free space rebuilt at open from the two commits that can still be opened (the store keeps no
 * free-space map on disk): every block the chosen commit references is used; every block only the
 * commit before it references is deferred, freed at the next commit (the rule that keeps the two
 * newest commits openable); everything else in the data area is free. A reference outside the
 * data area is damaged metadata, refused with {@link CorruptStoreException}.
 */
final class SpaceRebuild {
  private static final Logger log = LogManager.getLogger(SpaceRebuild.class);

  private SpaceRebuild() {}

  /** The allocation groups of {@code chosen}, with {@code previous}'s own blocks deferred. */
  static AllocationGroups of(Mirrors mirrors, Superblock chosen, Superblock previous)
      throws IOException {
    BitSet now = new BitSet();
    StoreWalker walker = new StoreWalker(mirrors);
    List<String> damaged = new ArrayList<>();
    try {
      walker.all(chosen.directory(), (start, sums, meta) -> mark(now, chosen, start, sums.size()),
          null, (name, record, problem) -> damaged.add(Names.decode(name)));
    } catch (IOException e) {
      throw new CorruptStoreException("metadata of generation " + chosen.generation()
          + " is damaged on every mirror: " + e.getMessage(), e);
    }
    BitSet before = new BitSet();
    if (previous != null) {
      try {
        walker.all(previous.directory(),
            (start, sums, meta) -> mark(before, chosen, start, sums.size()), null);
      } catch (IOException e) {
        log.warn("generation {} cannot be walked, its space is reused: {}",
            previous.generation(), e.toString());
        before.clear();
      }
    }
    AllocationGroups space =
        AllocationGroups.of(Superblock.SLOTS, chosen.deviceBlocks(), chosen.groups());
    BitSet used = (BitSet) now.clone();
    used.or(before);
    if (!damaged.isEmpty()) {
      // An object whose extent map no mirror can read still owns blocks nobody can name: rather
      // than risk handing them out, nothing is allocatable until the damage is dealt with. Every
      // other object stays readable; puts fail with StoreFullException, changing nothing.
      log.warn("objects {} have an extent map no mirror can read: the store opens, reads of them "
          + "fail uncorrectable and no space is handed out", damaged);
      used.set(Superblock.SLOTS, Math.toIntExact(chosen.deviceBlocks()));
    }
    for (Extent e : runs(used)) {
      space.markUsed(e);
    }
    before.andNot(now);
    space.deferFree(chosen.generation(), runs(before));
    space.committed(chosen.generation());
    return space;
  }

  /** Marks blocks {@code start ... start + count - 1}, refusing any outside the data area. */
  private static void mark(BitSet set, Superblock sb, long start, int count)
      throws CorruptStoreException {
    if (start < Superblock.SLOTS || count < 0 || start > sb.deviceBlocks() - count) {
      throw new CorruptStoreException("metadata references blocks " + start + "+" + count
          + ", outside the data area [" + Superblock.SLOTS + ", " + sb.deviceBlocks() + ")");
    }
    set.set((int) start, (int) (start + count));
  }

  private static List<Extent> runs(BitSet set) {
    List<Extent> out = new ArrayList<>();
    for (int s = set.nextSetBit(0); s >= 0; ) {
      int e = set.nextClearBit(s);
      out.add(new Extent(s, e - s));
      s = set.nextSetBit(e);
    }
    return out;
  }
}
