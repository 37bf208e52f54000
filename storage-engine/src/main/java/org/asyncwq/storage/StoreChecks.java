package org.asyncwq.storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.asyncwq.storage.alloc.AllocationGroups;
import org.asyncwq.storage.block.BlockRef;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.tree.CorruptPageException;
import org.asyncwq.storage.block.UncorrectableDataException;

/** What scrub and check read: every block a commit references. */
final class StoreChecks {
  private StoreChecks() {}

  /**
   * Every block of the commit {@code sb}, metadata first within each object, with its checksum.
   * The walk reads its tree pages on the calling thread ({@link Mirrors#onCaller}): it waits for
   * each page before it can go on, so a queued read would only add two hand-offs and a wake-up
   * per page; a bad copy is still repaired on {@code endio-repair}.
   */
  static List<BlockRef> references(Mirrors mirrors, Superblock sb) throws IOException {
    List<BlockRef> refs = new ArrayList<>();
    new StoreWalker(mirrors.onCaller()).all(sb.directory(), (start, sums, meta) -> {
      for (int i = 0; i < sums.size(); i++) {
        refs.add(new BlockRef(start + i, sums.get(i)));
      }
    }, null, (name, record, problem) -> {
      // Its extent map is unreadable: scrub still tries the map's root, and reports it.
      refs.add(new BlockRef(record.extentMap().block(), record.extentMap().checksum()));
    });
    return refs;
  }

  /**
   * Verifies the commit {@code sb}: every page (checksum, header, key order), every data block
   * (read and verified), that each object's record agrees with its extent map, that no block is
   * referenced twice or lies outside the allocation groups, and that no referenced block is in a
   * free index.
   */
  static CheckReport check(Mirrors mirrors, AllocationGroups space, Superblock sb)
      throws IOException {
    List<String> problems = new ArrayList<>();
    BitSet seen = new BitSet();
    long[] counts = new long[3];
    StoreWalker walker = new StoreWalker(mirrors);
    long first = Superblock.SLOTS;
    long end = sb.deviceBlocks();
    try {
      walker.all(sb.directory(), (start, sums, meta) -> {
        counts[meta ? 1 : 2] += sums.size();
        for (int i = 0; i < sums.size(); i++) {
          long b = start + i;
          if (b < first || b >= end) {
            problems.add("block " + b + " is outside the allocation groups");
            continue;
          }
          if (seen.get((int) b)) {
            problems.add("block " + b + " is referenced twice");
          }
          seen.set((int) b);
          if (space.isFree(b)) {
            problems.add("block " + b + " is referenced but marked free in AG "
                + space.groupOf(b).index());
          }
        }
      }, (name, rec) -> {
        counts[0]++;
        long[] blocks = {0};
        int[] extents = {0};
        long[] last = {-1};
        try {
          walker.object(rec, (start, sums, meta) -> {
          if (meta) {
            return;
          }
          if (start != last[0]) {
            extents[0]++;
          }
          last[0] = start + sums.size();
          blocks[0] += sums.size();
          try {
            Mirrors.join(mirrors.read(start, sums));
          } catch (IOException e) {
            problems.add("object \"" + Names.decode(name) + "\": data blocks " + start + "+"
                + sums.size() + ": " + e.getMessage());
          }
          });
        } catch (UncorrectableDataException | CorruptPageException | CorruptStoreException e) {
          problems.add("object \"" + Names.decode(name) + "\": extent map unreadable: "
              + e.getMessage());
          return;
        }
        long expected = (rec.size() + BlockDevice.BLOCK_SIZE - 1) / BlockDevice.BLOCK_SIZE;
        if (blocks[0] != expected || blocks[0] != rec.dataBlocks()) {
          problems.add("object \"" + Names.decode(name) + "\" of " + rec.size() + " bytes maps "
              + blocks[0] + " blocks, expected " + expected);
        }
        if (extents[0] != rec.extents()) {
          problems.add("object \"" + Names.decode(name) + "\" records " + rec.extents()
              + " extents, its map has " + extents[0]);
        }
      }, (name, rec, problem) -> { }); // the object visitor above reported it
    } catch (IOException e) {
      problems.add("metadata unreadable: " + e.getMessage());
    }
    if (counts[0] != sb.objects()) {
      problems.add("superblock counts " + sb.objects() + " objects, the directory holds "
          + counts[0]);
    }
    return new CheckReport(problems, counts[0], counts[1], counts[2], space.freeBlocks());
  }
}
