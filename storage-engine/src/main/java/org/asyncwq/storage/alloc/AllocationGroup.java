package org.asyncwq.storage.alloc;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;

/**
 * One allocation group: a contiguous slice of the device with its own lock and its own free-space
 * index, as an XFS AG with its AGF (seed 001).
 *
 * <p><b>Two locks, two jobs.</b> The <em>AG lock</em> is what a {@link Transaction} takes before it
 * allocates here and holds until it commits or aborts; it is a semaphore, not an owner-checked lock,
 * because a transaction may be committed by another thread than the one that began it. The
 * <em>index monitor</em> ({@code synchronized (free)}) guards the free-extent map for the few
 * instructions of one take or return. Space freed by a commit goes back under the index monitor
 * only, never under the AG lock: the transaction holding the AG lock may be waiting for that very
 * commit, and a commit that waited for an AG lock would close the cycle.
 */
public final class AllocationGroup {
  private final int index;
  private final long start;
  private final long blocks;
  private final Semaphore lock = new Semaphore(1);
  private final LockObserver observer;

  /** Free runs: start block to length, merged with their neighbours. */
  private final TreeMap<Long, Long> free = new TreeMap<>();

  private long freeBlocks;

  AllocationGroup(int index, long start, long blocks, LockObserver observer) {
    this.index = index;
    this.start = start;
    this.blocks = blocks;
    this.observer = observer;
    free.put(start, blocks);
    freeBlocks = blocks;
  }

  public int index() {
    return index;
  }

  /** First device block of this group. */
  public long start() {
    return start;
  }

  /** Number of blocks in this group. */
  public long blocks() {
    return blocks;
  }

  /** Free blocks now (a snapshot; may change as soon as it is read). */
  public long freeBlocks() {
    synchronized (free) {
      return freeBlocks;
    }
  }

  /** Whether {@code block} lies in this group. */
  public boolean contains(long block) {
    return block >= start && block < start + blocks;
  }

  boolean tryLock() {
    observer.tryLock(index);
    return lock.tryAcquire();
  }

  void lock() throws InterruptedException {
    observer.lock(index);
    lock.acquire();
  }

  void unlock() {
    lock.release();
  }

  /** Whether the AG lock is free right now (for stats and tests). */
  public boolean isLocked() {
    return lock.availablePermits() == 0;
  }

  /**
   * Takes up to {@code wanted} contiguous blocks: the first free run that holds them all, else the
   * longest run there is. Null when the group is full. Caller holds the AG lock.
   */
  Extent take(long wanted) {
    synchronized (free) {
      if (freeBlocks == 0) {
        return null;
      }
      Map.Entry<Long, Long> chosen = null;
      for (Map.Entry<Long, Long> e : free.entrySet()) {
        if (e.getValue() >= wanted) {
          chosen = e;
          break;
        }
        if (chosen == null || e.getValue() > chosen.getValue()) {
          chosen = e;
        }
      }
      // Read the entry before removing it: entrySet() hands out TreeMap's live nodes, and
      // removing a node with two children moves its successor's key and value into it.
      long s = chosen.getKey();
      long runLength = chosen.getValue();
      long len = Math.min(wanted, runLength);
      free.remove(s);
      if (runLength > len) {
        free.put(s + len, runLength - len);
      }
      freeBlocks -= len;
      return new Extent(s, len);
    }
  }

  /** Returns a run to the free index, merging it with free neighbours. */
  void release(Extent e) {
    check(e);
    synchronized (free) {
      long s = e.start();
      long len = e.length();
      Map.Entry<Long, Long> before = free.floorEntry(s);
      if (before != null && before.getKey() + before.getValue() > s) {
        throw new IllegalStateException("double free of " + e + " in AG " + index);
      }
      Map.Entry<Long, Long> after = free.ceilingEntry(s);
      if (after != null && after.getKey() < s + len) {
        throw new IllegalStateException("double free of " + e + " in AG " + index);
      }
      if (before != null && before.getKey() + before.getValue() == s) {
        s = before.getKey();
        len += before.getValue();
        free.remove(before.getKey());
      }
      if (after != null && after.getKey() == e.end()) {
        len += after.getValue();
        free.remove(after.getKey());
      }
      free.put(s, len);
      freeBlocks += e.length();
    }
  }

  /** Marks a run in use (rebuilding the index at open). */
  void markUsed(Extent e) {
    check(e);
    synchronized (free) {
      Map.Entry<Long, Long> run = free.floorEntry(e.start());
      if (run == null || run.getKey() + run.getValue() < e.end()) {
        throw new IllegalStateException(e + " is not free in AG " + index);
      }
      long rs = run.getKey();
      long rl = run.getValue();
      free.remove(rs);
      if (e.start() > rs) {
        free.put(rs, e.start() - rs);
      }
      if (rs + rl > e.end()) {
        free.put(e.end(), rs + rl - e.end());
      }
      freeBlocks -= e.length();
    }
  }

  /** Whether {@code block} is in the free index. */
  public boolean isFree(long block) {
    synchronized (free) {
      Map.Entry<Long, Long> run = free.floorEntry(block);
      return run != null && block < run.getKey() + run.getValue();
    }
  }

  /** The free runs now, in block order. */
  public List<Extent> freeExtents() {
    synchronized (free) {
      List<Extent> out = new ArrayList<>(free.size());
      free.forEach((s, l) -> out.add(new Extent(s, l)));
      return out;
    }
  }

  private void check(Extent e) {
    if (e.start() < start || e.end() > start + blocks) {
      throw new IllegalArgumentException(e + " is outside AG " + index);
    }
  }

  @Override
  public String toString() {
    return "AG " + index + " [" + start + ", " + (start + blocks) + ")";
  }
}
