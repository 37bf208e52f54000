package org.asyncwq.storage.block;

import java.io.IOException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The mirrors of a {@link MirroredVolume} and which of them an operation may use: the check that
 * they can be mirrors of one volume (1 to {@value #MAX_MIRRORS} distinct devices of equal size),
 * the healthy ones, the first healthy one from a given index, the mirror a read that names none
 * starts on ({@link #preferred}), the healthy ones after a failed one in turn (the order a repair
 * tries them in), every mirror's counters, and closing the devices. A mirror's health is its own
 * ({@link Mirror}); this class only reads it, so a mirror that turns FAULTY is skipped by every
 * choice made after that.
 *
 * <p><b>Read policy.</b> A read that names no mirror starts on the mirror its first block's stripe
 * of {@link #STRIPE_BLOCKS} blocks (1 MiB) maps to, the stripes taking the mirrors in turn: the
 * same position is always read from the same healthy mirror, so the OS page cache and the CPU
 * caches hold one copy of a hot block instead of one per mirror, while different positions (and
 * so different objects) still spread over the mirrors. Picking the next mirror for every read
 * instead (round-robin) made repeated reads of one object alternate between the mirrors' copies.
 * btrfs's default policy, the mirror by process id, likewise keeps one reader's reads on one
 * device. A stripe whose mirror is not healthy is read from the next healthy one.
 */
final class MirrorSet {
  private static final Logger log = LogManager.getLogger(MirrorSet.class);
  static final int MAX_MIRRORS = 4;

  /** Blocks per stripe of the read policy: 1 MiB, the longest read a store makes. */
  static final int STRIPE_BLOCKS = 256;

  private final List<Mirror> mirrors;

  /** Mirrors over {@code devices}, already checked by {@link #checkDevices}. */
  MirrorSet(List<BlockDevice> devices, int errorBudget) {
    List<Mirror> ms = new ArrayList<>();
    for (int i = 0; i < devices.size(); i++) {
      ms.add(new Mirror(i, devices.get(i), errorBudget));
    }
    this.mirrors = List.copyOf(ms);
  }

  /** 1 to 4 distinct devices of equal size, or an IllegalArgumentException saying which not. */
  static List<BlockDevice> checkDevices(List<BlockDevice> devices) {
    if (devices.isEmpty() || devices.size() > MAX_MIRRORS) {
      throw new IllegalArgumentException("a mirrored volume needs 1 to " + MAX_MIRRORS
          + " mirrors, got " + devices.size());
    }
    IdentityHashMap<BlockDevice, Integer> seen = new IdentityHashMap<>();
    long count = devices.get(0).blockCount();
    for (int i = 0; i < devices.size(); i++) {
      BlockDevice d = devices.get(i);
      Integer before = seen.put(d, i);
      if (before != null) {
        throw new IllegalArgumentException("mirrors " + before + " and " + i
            + " are the same device " + d + "; each mirror needs its own");
      }
      if (d.blockCount() != count) {
        throw new IllegalArgumentException("mirrors must be of equal size: mirror 0 has " + count
            + " blocks, mirror " + i + " (" + d + ") has " + d.blockCount());
      }
    }
    return devices;
  }

  int size() {
    return mirrors.size();
  }

  Mirror get(int mirror) {
    return mirrors.get(mirror);
  }

  /**
   * The mirror a read from {@code firstBlock} that names none starts on while it is healthy: the
   * stripe of {@link #STRIPE_BLOCKS} blocks holding it, modulo the number of mirrors.
   */
  int preferred(long firstBlock) {
    return preferred(firstBlock, mirrors.size());
  }

  /** {@link #preferred(long)} for a volume of {@code mirrors} mirrors. */
  static int preferred(long firstBlock, int mirrors) {
    return (int) Math.floorMod(firstBlock / STRIPE_BLOCKS, (long) mirrors);
  }

  /** Throws IllegalArgumentException naming {@code op} if there is no mirror {@code mirror}. */
  void check(String op, int mirror) {
    if (mirror < 0 || mirror >= mirrors.size()) {
      throw new IllegalArgumentException(op + ": mirror " + mirror + " does not exist; the volume "
          + "has mirrors 0 to " + (mirrors.size() - 1));
    }
  }

  List<Mirror> healthy() {
    List<Mirror> healthy = new ArrayList<>(mirrors.size());
    for (Mirror m : mirrors) {
      if (m.healthy()) {
        healthy.add(m);
      }
    }
    return healthy;
  }

  /** The first healthy mirror from {@code start} on, wrapping around, or null. */
  Mirror firstHealthyFrom(int start) {
    for (int k = 0; k < mirrors.size(); k++) {
      Mirror m = mirrors.get((start + k) % mirrors.size());
      if (m.healthy()) {
        return m;
      }
    }
    return null;
  }

  /** The healthy mirrors after {@code failed}, in turn, wrapping around, without it. */
  List<Mirror> others(Mirror failed) {
    List<Mirror> others = new ArrayList<>(mirrors.size() - 1);
    for (int k = 1; k < mirrors.size(); k++) {
      Mirror m = mirrors.get((failed.index + k) % mirrors.size());
      if (m.healthy()) {
        others.add(m);
      }
    }
    return others;
  }

  /** Every mirror's counters and state, by mirror index. */
  List<DeviceStats> stats() {
    List<DeviceStats> stats = new ArrayList<>(mirrors.size());
    for (Mirror m : mirrors) {
      stats.add(m.stats());
    }
    return List.copyOf(stats);
  }

  /** Closes every device; a failure is logged and the others are still closed. */
  void closeDevices() {
    for (Mirror m : mirrors) {
      try {
        m.device.close();
      } catch (IOException | RuntimeException e) {
        log.warn("closing {} failed", m, e);
      }
    }
  }

  @Override
  public String toString() {
    return mirrors.toString();
  }
}
