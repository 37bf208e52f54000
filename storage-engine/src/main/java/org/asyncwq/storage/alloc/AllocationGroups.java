package org.asyncwq.storage.alloc;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The device's space split into allocation groups, plus the ledger that decides when freed space
 * may be used again.
 *
 * <p><b>Reuse rule.</b> The store keeps its two newest commits openable, so a block that commit
 * {@code g} stopped referencing is still referenced by commit {@code g-1}. It is handed to {@link
 * #deferFree} with {@code g} and comes back to its group's free index only once commit {@code g+1}
 * is durable ({@link #committed}) <em>and</em> no reader still pinned to a generation older than
 * {@code g} could be reading it ({@link #pin}). Blocks that no commit ever referenced (an aborted
 * transaction's) go back at once through {@link #free}.
 */
public final class AllocationGroups {
  private final List<AllocationGroup> groups;
  private final long firstBlock;
  private final long groupBlocks;

  /** Freed-in generation to the runs it freed. */
  private final TreeMap<Long, List<Extent>> deferred = new TreeMap<>();

  /**
   * Pinned generation to the number of readers on it, taken and dropped without a lock (a get pins
   * and unpins once each). A count of 0 may be retired to -1, only under the lock by {@link
   * #takeReusable}, after which no pin joins it: a pin that meets a retired count drops it from the
   * map and starts a new one. So a count in the map above 0 is a reader {@link #takeReusable} sees.
   */
  private final ConcurrentSkipListMap<Long, AtomicInteger> pins = new ConcurrentSkipListMap<>();

  /**
   * Whether deferred runs wait for readers to unpin (not for a commit): read without the lock by
   * {@link #unpin}, so a get that ends while nothing waits for it takes no lock at all.
   */
  private volatile boolean waitingForReaders;

  private long committed;

  private AllocationGroups(long firstBlock, long endBlock, int count, LockObserver observer) {
    if (count < 1) {
      throw new IllegalArgumentException("allocation groups must be at least 1, got " + count);
    }
    long span = endBlock - firstBlock;
    if (span < count) {
      throw new IllegalArgumentException(
          "cannot split " + span + " blocks into " + count + " allocation groups");
    }
    this.firstBlock = firstBlock;
    this.groupBlocks = span / count;
    List<AllocationGroup> list = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      long s = firstBlock + i * groupBlocks;
      long len = i == count - 1 ? endBlock - s : groupBlocks;
      list.add(new AllocationGroup(i, s, len, observer));
    }
    this.groups = List.copyOf(list);
  }

  /** Splits blocks {@code [firstBlock, endBlock)} into {@code count} groups, all free. */
  public static AllocationGroups of(long firstBlock, long endBlock, int count) {
    return new AllocationGroups(firstBlock, endBlock, count, LockObserver.NONE);
  }

  /** As {@link #of(long, long, int)}, with every AG lock attempt reported to {@code observer}. */
  public static AllocationGroups of(
      long firstBlock, long endBlock, int count, LockObserver observer) {
    return new AllocationGroups(firstBlock, endBlock, count, observer);
  }

  public List<AllocationGroup> groups() {
    return groups;
  }

  public int count() {
    return groups.size();
  }

  /** The group holding {@code block}. */
  public AllocationGroup groupOf(long block) {
    if (block < firstBlock) {
      throw new IllegalArgumentException("block " + block + " is below the first AG");
    }
    int i = (int) Math.min((block - firstBlock) / groupBlocks, groups.size() - 1);
    AllocationGroup g = groups.get(i);
    if (!g.contains(block)) {
      throw new IllegalArgumentException("block " + block + " is beyond the last AG");
    }
    return g;
  }

  /** A new transaction that starts looking for space in AG {@code target} (taken modulo count). */
  public Transaction begin(int target) {
    return new Transaction(this, Math.floorMod(target, groups.size()));
  }

  /** Free blocks over all groups now. */
  public long freeBlocks() {
    long sum = 0;
    for (AllocationGroup g : groups) {
      sum += g.freeBlocks();
    }
    return sum;
  }

  /** Whether {@code block} is in a free index. */
  public boolean isFree(long block) {
    return groupOf(block).isFree(block);
  }

  /** Marks a run in use while the index is rebuilt at open. */
  public void markUsed(Extent e) {
    for (Extent part : split(e)) {
      groupOf(part.start()).markUsed(part);
    }
  }

  /** Returns runs that no openable commit references to the free index at once. */
  public void free(Collection<Extent> runs) {
    for (Extent e : runs) {
      for (Extent part : split(e)) {
        groupOf(part.start()).release(part);
      }
    }
  }

  /** Runs that commit {@code generation} stopped referencing; see the class comment. */
  public void deferFree(long generation, Collection<Extent> runs) {
    if (runs.isEmpty()) {
      return;
    }
    synchronized (deferred) {
      deferred.computeIfAbsent(generation, g -> new ArrayList<>()).addAll(runs);
    }
  }

  /** Commit {@code generation} is durable: releases what no openable commit or reader needs. */
  public void committed(long generation) {
    synchronized (deferred) {
      committed = Math.max(committed, generation);
    }
    releaseReusable();
  }

  /**
   * A reader starts using the tree of {@code generation}; no block it references is reused. Takes
   * no lock. A caller that reads "the newest commit" and then pins it must check afterwards that it
   * is still the newest (and pin again if not): a pin only holds back space not yet released.
   */
  public void pin(long generation) {
    while (true) {
      AtomicInteger readers = pins.computeIfAbsent(generation, g -> new AtomicInteger());
      int n = readers.get();
      if (n < 0) {
        pins.remove(generation, readers); // retired: the next round starts a new count
      } else if (readers.compareAndSet(n, n + 1)) {
        return;
      }
    }
  }

  /** The reader of {@code generation} is done. Takes no lock unless space waits for readers. */
  public void unpin(long generation) {
    AtomicInteger readers = pins.get(generation);
    if (readers == null) {
      return;
    }
    while (true) {
      int n = readers.get();
      if (n <= 0) {
        return; // not pinned
      }
      if (readers.compareAndSet(n, n - 1)) {
        if (n == 1 && waitingForReaders) {
          releaseReusable(); // it may have been the oldest reader
        }
        return;
      }
    }
  }

  /** Blocks waiting for a later commit or for readers before they can be reused. */
  public long deferredBlocks() {
    synchronized (deferred) {
      long sum = 0;
      for (List<Extent> l : deferred.values()) {
        for (Extent e : l) {
          sum += e.length();
        }
      }
      return sum;
    }
  }

  private void releaseReusable() {
    List<Extent> out;
    synchronized (deferred) {
      out = takeReusable();
    }
    free(out);
  }

  /** Takes the deferred extents no openable commit or reader needs any more; holds the lock. */
  private List<Extent> takeReusable() {
    // Set before the counts are read: an unpin that drops a count this scan still sees reads the
    // flag after its drop, so it sees true and releases what this scan had to keep.
    waitingForReaders = true;
    List<Extent> out = new ArrayList<>();
    long oldestReader = oldestReader();
    boolean readersHold = false;
    while (!deferred.isEmpty()) {
      Map.Entry<Long, List<Extent>> first = deferred.firstEntry();
      long g = first.getKey();
      if (g + 1 > committed) {
        break; // waits for a commit, which releases it (committed)
      }
      if (oldestReader < g) {
        readersHold = true;
        break;
      }
      out.addAll(first.getValue());
      deferred.pollFirstEntry();
    }
    waitingForReaders = readersHold;
    return out;
  }

  /**
   * The oldest generation a reader holds, or Long.MAX_VALUE; retires and drops the counts of
   * generations no reader holds on the way. Holds the lock (the only place a count is retired).
   */
  private long oldestReader() {
    for (Map.Entry<Long, AtomicInteger> e : pins.entrySet()) {
      AtomicInteger readers = e.getValue();
      int n = readers.get();
      if (n < 0 || (n == 0 && readers.compareAndSet(0, -1))) {
        pins.remove(e.getKey(), readers);
        continue;
      }
      return e.getKey(); // a reader holds it (or one joined while it was about to be retired)
    }
    return Long.MAX_VALUE;
  }

  private List<Extent> split(Extent e) {
    List<Extent> parts = new ArrayList<>(1);
    long s = e.start();
    while (s < e.end()) {
      AllocationGroup g = groupOf(s);
      long end = Math.min(e.end(), g.start() + g.blocks());
      parts.add(new Extent(s, end - s));
      s = end;
    }
    return parts;
  }
}
