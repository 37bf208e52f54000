package org.asyncwq.storage;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.asyncwq.storage.alloc.AllocationGroups;
import org.asyncwq.storage.alloc.Extent;
import org.asyncwq.storage.alloc.Transaction;
import org.asyncwq.storage.tree.BlockPointer;
import org.asyncwq.storage.tree.CowTree;
import org.asyncwq.storage.tree.PageAllocator;
import org.asyncwq.storage.tree.PageKind;

/**
 * Group commit: one thread turns every change that is ready into the next generation.
 *
 * <p>A put or delete finishes its data and extent-map writes, then {@link #submit}s its change and
 * waits. The commit thread takes every change waiting at that moment, applies them in order to a
 * copy-on-write directory, writes the new directory pages into blocks the transactions reserved,
 * writes the superblock of generation {@code g} into slot {@code g % 2} of every mirror, and
 * flushes every mirror once, all mirrors at the same time: one flush round per commit (format
 * version 2). The superblock may therefore reach the disk before something it points at; it
 * covers every block its generation wrote through the checksums it and its pages hold, and open
 * verifies those blocks before taking the generation, else opens the previous commit ({@link
 * CommitProof}). That commit is intact: its round ended before this one began, and no block it
 * references is written before a later commit is durable (see {@link AllocationGroups}). Changes
 * that arrive meanwhile form the next group, so one commit costs one flush per mirror however many
 * puts share it.
 *
 * <p><b>Never waits for an AG lock.</b> The transactions in a group hold AG locks until their
 * commit; a commit that waited for an AG lock could wait for a transaction that waits for the
 * commit. Directory pages therefore come from blocks the group reserved up front, then from AGs
 * it can {@code tryLock}; never from a blocking lock.
 *
 * <p>Space a commit stops referencing is deferred (see {@link AllocationGroups}); space of an object
 * put and replaced within the same group was never committed and is freed at once.
 */
final class Committer implements AutoCloseable {
  private static final Logger log = LogManager.getLogger(Committer.class);

  /** One transaction's change: a new object record, or a delete when {@code record} is null. */
  static final class Change {
    final byte[] key;
    final ObjectRecord record;
    final Transaction txn;
    final CompletableFuture<Long> done = new CompletableFuture<>();
    volatile boolean existed;

    Change(byte[] key, ObjectRecord record, Transaction txn) {
      this.key = key;
      this.record = record;
      this.txn = txn;
    }
  }

  private final Mirrors mirrors;
  private final CommitPages pages;
  private final AllocationGroups space;
  private final AtomicLong nextObjectId;
  private final Object queueLock = new Object();
  private final ArrayDeque<Change> pending = new ArrayDeque<>();
  private final List<CompletableFuture<Long>> forced = new ArrayList<>();
  private final ReentrantLock commitLock = new ReentrantLock();
  private final Object pinLock = new Object();
  private final AtomicLong commits = new AtomicLong();
  private final Thread thread;
  private boolean closed;
  /** Puts between their start and their {@link #submitWritten}; guarded by queueLock. */
  private int writing;
  /** How long the last commit took, in nanoseconds; the commit thread's own. */
  private long lastCommitNanos;
  private volatile Superblock committed;
  private volatile int height;
  private volatile IOException broken;

  Committer(Mirrors mirrors, AllocationGroups space, Superblock committed, int height) {
    this.mirrors = mirrors;
    this.pages = new CommitPages(mirrors);
    this.space = space;
    this.committed = committed;
    this.height = height;
    this.nextObjectId = new AtomicLong(committed.nextObjectId());
    this.thread = new Thread(this::loop, "asyncwq-commit");
    thread.setDaemon(true);
    thread.start();
  }

  /** The newest durable superblock. */
  Superblock committed() {
    return committed;
  }

  long commits() {
    return commits.get();
  }

  long newObjectId() {
    return nextObjectId.getAndIncrement();
  }

  /** Blocks a transaction reserves for the directory pages its change may dirty. */
  int reserveBlocks() {
    return 2 * (height + 2) + 1;
  }

  /** Whether a failed commit stopped the store taking changes. */
  boolean broken() {
    return broken != null;
  }

  /** Fails with the error that broke the store, if a commit did. */
  void checkUsable() throws IOException {
    IOException b = broken;
    if (b != null) {
      throw new IOException("the store stopped accepting changes after a failed commit; reopen it",
          b);
    }
  }

  /** Queues a ready change; completes with the generation that made it durable. */
  CompletableFuture<Long> submit(Change c) {
    synchronized (queueLock) {
      if (closed) {
        c.done.completeExceptionally(new IOException("store is closed"));
        return c.done;
      }
      pending.add(c);
      queueLock.notifyAll();
    }
    return c.done;
  }

  /** A put starts writing: a commit waits a little for it (see {@link #loop}). */
  void startWriting() {
    synchronized (queueLock) {
      writing++;
    }
  }

  /** A put {@link #startWriting started} failed before it submitted its change. */
  void stopWriting() {
    synchronized (queueLock) {
      writing--;
      queueLock.notifyAll();
    }
  }

  /** {@link #submit} for a put that called {@link #startWriting}. */
  CompletableFuture<Long> submitWritten(Change c) {
    synchronized (queueLock) {
      writing--;
      return submit(c);
    }
  }

  /** Asks for a commit even if no change is waiting (releases space deferred by the last one). */
  CompletableFuture<Long> forceCommit() {
    CompletableFuture<Long> f = new CompletableFuture<>();
    synchronized (queueLock) {
      if (closed) {
        f.completeExceptionally(new IOException("store is closed"));
        return f;
      }
      forced.add(f);
      queueLock.notifyAll();
    }
    return f;
  }

  /**
   * Pins the newest commit for a reader, with no lock: pins the generation it read, then checks it
   * is still the newest, so a commit that landed in between cannot have released (two commits
   * later) what the reader is about to read; if one landed, pins the new one instead. See {@link
   * AllocationGroups#pin}.
   */
  Snapshot snapshot() {
    while (true) {
      Superblock sb = committed;
      space.pin(sb.generation());
      if (committed == sb) {
        return new Snapshot(sb, space);
      }
      space.unpin(sb.generation());
    }
  }

  /** Runs {@code action} with no commit in progress or starting. */
  <T> T exclusive(IoSupplier<T> action) throws IOException {
    commitLock.lock();
    try {
      return action.get();
    } finally {
      commitLock.unlock();
    }
  }

  /** An action that may fail with an IOException. */
  @FunctionalInterface
  interface IoSupplier<T> {
    T get() throws IOException;
  }

  private void loop() {
    while (true) {
      List<Change> batch;
      List<CompletableFuture<Long>> waiters;
      synchronized (queueLock) {
        while (pending.isEmpty() && forced.isEmpty() && !closed) {
          try {
            queueLock.wait();
          } catch (InterruptedException e) {
            // close() interrupts only after setting closed; re-check.
          }
        }
        if (pending.isEmpty() && forced.isEmpty()) {
          return;
        }
        awaitWriters();
        batch = new ArrayList<>(pending);
        pending.clear();
        waiters = new ArrayList<>(forced);
        forced.clear();
      }
      commitLock.lock();
      try {
        long gen;
        long started = System.nanoTime();
        try {
          gen = commit(batch);
          lastCommitNanos = System.nanoTime() - started;
        } catch (Throwable t) {
          pages.forget();
          throw t;
        }
        pages.committed();
        batch.forEach(c -> c.done.complete(gen));
        waiters.forEach(f -> f.complete(gen));
      } catch (Throwable t) {
        log.warn("commit of {} changes failed: {}", batch.size(), t.toString());
        for (Change c : batch) {
          c.txn.abort();
          c.done.completeExceptionally(t);
        }
        waiters.forEach(f -> f.completeExceptionally(t));
      } finally {
        commitLock.unlock();
      }
    }
  }

  /**
   * Group commit's batching, as ext4 does for fsync (jbd2's max_batch_time): while puts are still
   * writing their data, wait for them to join this commit, at most as long as the last commit took
   * and never over {@link #MAX_BATCH_WAIT_NANOS}. A put's own writes take about as long as a
   * commit, so without the wait four producers share a commit about two at a time. A lone producer
   * never waits (it is the one waiting for the commit), nor does a commit a put asked for to free
   * space. Called holding queueLock.
   */
  private void awaitWriters() {
    long deadline = System.nanoTime() + Math.min(lastCommitNanos, MAX_BATCH_WAIT_NANOS);
    while (writing > 0 && forced.isEmpty() && !closed) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return;
      }
      try {
        java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(queueLock, left);
      } catch (InterruptedException e) {
        // close() interrupts only after setting closed; re-check.
      }
    }
  }

  /** The longest a commit waits for puts still writing. */
  static final long MAX_BATCH_WAIT_NANOS = 10_000_000;

  private long commit(List<Change> batch) throws IOException {
    checkUsable();
    Superblock sb = committed;
    long gen = sb.generation() + 1;
    CowTree dir = new CowTree(pages, PageKind.DIRECTORY, Store.DIRECTORY_OWNER, sb.directory());
    List<Extent> deferred = new ArrayList<>();
    List<Extent> immediate = new ArrayList<>();
    StoreWalker walker = new StoreWalker(pages);
    long objects = sb.objects();
    for (Change c : batch) {
      byte[] old;
      if (c.record != null) {
        old = dir.put(c.key, c.record.committedAs(gen).encode());
        if (old == null) {
          objects++;
        }
      } else {
        old = dir.remove(c.key);
        c.existed = old != null;
        if (old != null) {
          objects--;
        }
      }
      if (old != null) {
        ObjectRecord r = ObjectRecord.decode(old);
        List<Extent> to = r.generation() == gen ? immediate : deferred;
        walker.object(r, (start, sums, meta) -> to.add(new Extent(start, sums.size())));
      }
    }
    Transaction extra = space.begin(0);
    PageAllocator alloc = () -> {
      for (Change c : batch) {
        long b = c.txn.takeReserved();
        if (b >= 0) {
          return b;
        }
      }
      return extra.allocate(1, false).start();
    };
    List<CompletableFuture<?>> writes = new ArrayList<>();
    BlockPointer root;
    // The changed tree's root is in memory now; write() lets go of it, and asking afterwards
    // would read back the page just written before the puts are acknowledged.
    int newHeight;
    try {
      newHeight = batch.isEmpty() ? height : dir.height();
      root = dir.write(alloc, gen, writes);
      for (CompletableFuture<?> f : writes) {
        Mirrors.join(f);
      }
      for (long b : dir.takeFreed()) {
        deferred.add(new Extent(b, 1));
      }
    } catch (IOException | RuntimeException e) {
      extra.abort();
      throw e;
    }
    Superblock next = new Superblock(sb.store(), 0, sb.mirrors(), sb.checksum(), sb.groups(),
        sb.deviceBlocks(), gen, nextObjectId.get(), objects, root);
    try {
      mirrors.writeSuperblock(next); // and the commit's one flush round
    } catch (IOException e) {
      extra.abort();
      // Some mirror may hold the new superblock: its blocks must never be handed out again.
      broken = e;
      throw e;
    }
    synchronized (pinLock) {
      committed = next;
    }
    commits.incrementAndGet();
    // The commit is durable from here on: a failure in the bookkeeping below must not abort
    // the transactions (their blocks are referenced now), so it stops further changes instead.
    try {
      extra.commit();
      space.deferFree(gen, deferred);
      space.free(immediate);
      for (Change c : batch) {
        c.txn.commit();
      }
      space.committed(gen);
      height = newHeight;
    } catch (RuntimeException e) {
      log.error("bookkeeping after durable commit {} failed; the store takes no more changes",
          gen, e);
      broken = new IOException(e);
    }
    return gen;
  }

  @Override
  public void close() {
    synchronized (queueLock) {
      closed = true;
      queueLock.notifyAll();
    }
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
