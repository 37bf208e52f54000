package org.asyncwq.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.asyncwq.storage.block.BlockDevice;

/**
 * What the superblock slots of every mirror say at open, and their repair afterwards: each slot
 * of each mirror as read and decoded, the superblocks that verified (newest first), one entry per
 * commit among them, and the rewrite of every slot that is damaged or older than the best good
 * copy of that slot. Reading refuses devices that cannot be one store (no valid slot, slots of two
 * stores, a mirror count or a device size the newest superblock does not allow) before anything is
 * written; the repair runs only once the store is known good ({@link StoreOpener}).
 */
final class SuperblockSlots {
  private static final Logger log = LogManager.getLogger(SuperblockSlots.class);

  /** Slot {@code s} of mirror {@code m} as read; a superblock of another mirror counts as bad. */
  private final Superblock.Read[][] slots;
  /** Every superblock that verified, newest generation first. */
  private final List<Superblock> valid;

  private SuperblockSlots(Superblock.Read[][] slots, List<Superblock> valid) {
    this.slots = slots;
    this.valid = valid;
  }

  /**
   * Reads and verifies both slots of every mirror.
   *
   * @throws CorruptStoreException if a slot has a format version this code does not know, no slot
   *     verifies, the valid slots belong to different stores, or the newest one's mirror count or
   *     device size does not fit the devices
   */
  static SuperblockSlots read(List<BlockDevice> devices) throws CorruptStoreException {
    int n = devices.size();
    Superblock.Read[][] slots = new Superblock.Read[n][Superblock.SLOTS];
    List<String> problems = new ArrayList<>();
    List<Superblock> valid = new ArrayList<>();
    for (int m = 0; m < n; m++) {
      BlockDevice d = devices.get(m);
      for (int s = 0; s < Superblock.SLOTS; s++) {
        Superblock.Read r;
        if (d.blockCount() <= s) {
          r = new Superblock.Read(null, "device has only " + d.blockCount() + " blocks", false);
        } else {
          try {
            ByteBuffer b = ByteBuffer.allocate(BlockDevice.BLOCK_SIZE);
            d.read(s, b);
            r = Superblock.decode(b.clear());
          } catch (IOException e) {
            r = new Superblock.Read(null, "read failed: " + e.getMessage(), false);
          }
        }
        slots[m][s] = r;
        String where = "mirror " + m + " (" + d + ") superblock slot " + s;
        if (r.unknownVersion()) {
          throw new CorruptStoreException(where + ": " + r.problem());
        }
        if (!r.ok()) {
          problems.add(where + ": " + r.problem());
        } else if (r.superblock().mirror() != m) {
          problems.add(where + ": belongs to mirror " + r.superblock().mirror()
              + " (devices given out of order?)");
          slots[m][s] = new Superblock.Read(null, "wrong mirror index", false);
        } else {
          valid.add(r.superblock());
        }
      }
    }
    if (valid.isEmpty()) {
      throw new CorruptStoreException("no valid superblock on any device: "
          + String.join("; ", problems));
    }
    valid.sort(Comparator.comparingLong(Superblock::generation).reversed());
    Superblock newest = valid.get(0);
    for (Superblock sb : valid) {
      if (!sb.store().equals(newest.store())) {
        throw new CorruptStoreException("devices belong to different stores: " + newest.store()
            + " and " + sb.store() + " (a foreign device among the mirrors)");
      }
    }
    if (newest.mirrors() != n) {
      throw new CorruptStoreException("the store has " + newest.mirrors() + " mirrors but "
          + n + " devices were given");
    }
    for (int m = 0; m < n; m++) {
      if (devices.get(m).blockCount() < newest.deviceBlocks()) {
        throw new CorruptStoreException("mirror " + m + " (" + devices.get(m) + ") has "
            + devices.get(m).blockCount() + " blocks but the store needs " + newest.deviceBlocks()
            + " (truncated device?)");
      }
    }
    return new SuperblockSlots(slots, valid);
  }

  /** The newest valid superblock: its checksum type and geometry are the store's. */
  Superblock newest() {
    return valid.get(0);
  }

  /**
   * One superblock per commit, newest first; a commit with a sealed copy on any mirror is sealed.
   * Two different commits may share a generation (one refused at an open, its successor written
   * after it): both are tried.
   */
  List<Superblock> distinctCommits() {
    List<Superblock> out = new ArrayList<>();
    outer:
    for (Superblock sb : valid) {
      for (int i = 0; i < out.size(); i++) {
        if (out.get(i).sameCommit(sb)) {
          if (sb.sealed() && !out.get(i).sealed()) {
            out.set(i, out.get(i).sealedCopy());
          }
          continue outer;
        }
      }
      out.add(sb);
    }
    return out;
  }

  /**
   * Rewrites every slot that is damaged or older than the best good copy of that slot, or only
   * counts them unless {@code write}.
   *
   * @return how many slots were (or would have been) rewritten
   */
  long repair(List<BlockDevice> devices, Superblock chosen, List<Superblock> refused,
      boolean write) throws IOException {
    long stale = 0;
    for (int s = 0; s < Superblock.SLOTS; s++) {
      // The chosen commit for its own slot; for the other, the newest older commit that verified.
      Superblock best = chosen.slot() == s ? chosen : null;
      for (Superblock sb : valid) {
        if (chosen.slot() != s && sb.slot() == s && sb.generation() < chosen.generation()
            && (best == null || sb.generation() > best.generation())) {
          best = sb;
        }
      }
      for (int m = 0; m < devices.size(); m++) {
        Superblock.Read r = slots[m][s];
        if (best == null) {
          if (r.ok() && refused.stream().anyMatch(x -> x.sameCommit(r.superblock()))) {
            // A commit whose round never ended and no older copy for its slot: erased, so it
            // can never be taken for a commit again (the next commit would overwrite it anyway).
            stale++;
            log.warn("{} superblock slot {} of mirror {}: generation {} was refused at open",
                write ? "erasing" : "read-only, not erasing", s, m, r.superblock().generation());
            if (write) {
              devices.get(m).write(s, ByteBuffer.allocate(BlockDevice.BLOCK_SIZE));
              devices.get(m).flush();
            }
          }
          continue;
        }
        if (r.ok() && r.superblock().sameCommit(best)) {
          continue;
        }
        stale++;
        log.warn("{} superblock slot {} of mirror {} ({}) with generation {}",
            write ? "rewriting" : "read-only, not rewriting", s, m,
            r.ok() ? "stale generation " + r.superblock().generation() : r.problem(),
            best.generation());
        if (write) {
          devices.get(m).write(s, best.forMirror(m).encode());
          devices.get(m).flush();
        }
      }
    }
    return stale;
  }
}
