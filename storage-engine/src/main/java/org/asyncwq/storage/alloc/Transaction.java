package org.asyncwq.storage.alloc;

import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * The allocation side of one store transaction: the AGs it holds and the blocks it took.
 *
 * <p><b>Lock order (XFS, seed 001).</b> Space comes first from an AG the transaction already holds.
 * Otherwise it tries the AGs from its target onwards with {@code tryLock}, wrapping past the last,
 * which cannot deadlock because it never waits. Only then does it wait for a lock, and only in
 * ascending AG order and never below the highest AG it already holds: two transactions that both
 * wait therefore always wait "upwards", and the holder of the highest lock in any chain of waiters
 * is never itself waiting on a lock, so the chain drains. An AG locked and found full is unlocked at
 * once (nothing in it changed); one the transaction took space from stays locked until {@link
 * #commit} or {@link #abort}.
 *
 * <p>A transaction is used by one thread at a time (the one running it, or the {@code alloc} queue
 * worker it handed a split to while it waits); its methods are synchronized for visibility.
 */
public final class Transaction {
  private final AllocationGroups space;
  private final int target;
  private final NavigableSet<Integer> held = new TreeSet<>();
  private final List<Extent> allocated = new ArrayList<>();
  private final ArrayDeque<Long> reserved = new ArrayDeque<>();
  private boolean finished;

  Transaction(AllocationGroups space, int target) {
    this.space = space;
    this.target = target;
  }

  /** The AG this transaction tries first. */
  public int target() {
    return target;
  }

  /**
   * Takes between 1 and {@code wanted} contiguous blocks.
   *
   * @throws NoSpaceException when no AG this transaction may lock has a free block
   * @throws InterruptedIOException when interrupted while waiting for an AG lock
   */
  public Extent allocate(long wanted) throws NoSpaceException, InterruptedIOException {
    return allocate(wanted, true);
  }

  /**
   * As {@link #allocate(long)}; with {@code mayWait} false, skips the blocking pass, for callers
   * that must never wait for an AG lock (a commit, which the lock's holder may be waiting for).
   */
  public synchronized Extent allocate(long wanted, boolean mayWait)
      throws NoSpaceException, InterruptedIOException {
    if (finished) {
      throw new IllegalStateException("transaction already finished");
    }
    if (wanted < 1) {
      throw new IllegalArgumentException("wanted must be at least 1 block, got " + wanted);
    }
    for (int ag : held) {
      Extent e = space.groups().get(ag).take(wanted);
      if (e != null) {
        return record(e);
      }
    }
    int n = space.count();
    for (int i = 0; i < n; i++) {
      int ag = (target + i) % n;
      if (held.contains(ag)) {
        continue;
      }
      AllocationGroup g = space.groups().get(ag);
      if (g.tryLock()) {
        Extent e = g.take(wanted);
        if (e != null) {
          held.add(ag);
          return record(e);
        }
        g.unlock();
      }
    }
    int from = !mayWait ? n : held.isEmpty() ? 0 : held.last() + 1;
    for (int ag = from; ag < n; ag++) {
      AllocationGroup g = space.groups().get(ag);
      if (g.freeBlocks() == 0) {
        continue;
      }
      try {
        g.lock();
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted waiting for the lock of AG " + ag);
      }
      Extent e = g.take(wanted);
      if (e != null) {
        held.add(ag);
        return record(e);
      }
      g.unlock();
    }
    throw new NoSpaceException(
        "no free block in any allocation group this transaction may lock (holding "
            + held + ", " + space.freeBlocks() + " blocks free in all " + n + " groups)");
  }

  /** Sets aside {@code blocks} single blocks for metadata pages written at commit. */
  public synchronized void reserve(int blocks) throws NoSpaceException, InterruptedIOException {
    for (int i = 0; i < blocks; i++) {
      reserved.add(allocate(1).start());
    }
  }

  /** One block set aside by {@link #reserve}, or -1 when none is left. */
  public synchronized long takeReserved() {
    Long b = reserved.poll();
    return b == null ? -1 : b;
  }

  /** Whether an AG this transaction holds has {@code blocks} free blocks (seed 001's test). */
  public synchronized boolean holdsRoomFor(long blocks) {
    for (int ag : held) {
      if (space.groups().get(ag).freeBlocks() >= blocks) {
        return true;
      }
    }
    return false;
  }

  /** The AGs held now, ascending. */
  public synchronized List<Integer> heldGroups() {
    return List.copyOf(held);
  }

  /** Every run taken so far, reserved blocks included. */
  public synchronized List<Extent> allocated() {
    return List.copyOf(allocated);
  }

  /**
   * The transaction's blocks are now referenced by a durable commit: returns the unused reserved
   * blocks and unlocks every held AG.
   */
  public synchronized void commit() {
    if (finished) {
      return;
    }
    List<Extent> unused = new ArrayList<>();
    for (long b : reserved) {
      unused.add(new Extent(b, 1));
    }
    reserved.clear();
    space.free(unused);
    unlockAll();
  }

  /** Nothing this transaction took was committed: returns all of it and unlocks every held AG. */
  public synchronized void abort() {
    if (finished) {
      return;
    }
    reserved.clear();
    space.free(allocated);
    unlockAll();
  }

  private Extent record(Extent e) {
    allocated.add(e);
    return e;
  }

  private void unlockAll() {
    finished = true;
    for (int ag : held) {
      space.groups().get(ag).unlock();
    }
    held.clear();
  }
}
