package org.asyncwq.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.asyncwq.storage.alloc.AllocationGroups;
import org.asyncwq.storage.alloc.Extent;
import org.asyncwq.storage.alloc.NoSpaceException;
import org.asyncwq.storage.alloc.SplitAllocation;
import org.asyncwq.storage.alloc.Transaction;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.Checksum;
import org.asyncwq.storage.block.ChecksumType;
import org.asyncwq.storage.tree.BlockPointer;
import org.asyncwq.storage.tree.PageKind;
import org.asyncwq.storage.tree.TreeBuilder;

/**
 * One put, streamed: read a chunk, allocate blocks for it in the put's transaction, write it to
 * every mirror (the volume checksums it on {@code csum} and writes on {@code submit}), and once the
 * write completes append its runs and checksums to the object's new extent map. At most {@link
 * #IN_FLIGHT} chunks of {@link #CHUNK_BLOCKS} blocks are in memory, whatever the object's size.
 * Then the change goes to the {@link Committer} and the put returns once its commit is durable.
 *
 * <p><b>Small puts on the caller.</b> A chunk of at most {@link #CALLER_WRITE_BLOCKS} blocks is
 * checksummed and written to every mirror on the calling thread ({@link Mirrors#writeOnCaller}),
 * and so is every extent-map page (the pages {@code finish} writes take their block inline; only
 * a split's block follows seed 001's rule for the {@code alloc} queue): the put waits for those
 * writes anyway, and for a few blocks the queue hand-offs cost more than the work. Larger chunks go through {@code csum} and {@code
 * submit} in parallel (seed 002's stages), overlapping the read of the next chunk. The first chunk
 * buffer is sized from {@link InputStream#available()} (at most a chunk), so a 4 KiB put does not
 * allocate and zero {@code IN_FLIGHT} chunks of 256 KiB; the others are allocated when needed.
 *
 * <p><b>Large puts flush as they go.</b> A commit's one flush round makes its superblock durable
 * with everything it covers, so an open after a crash proves every block the newest commit wrote
 * ({@link CommitProof}). A put flushes the mirrors itself after every {@link #FLUSH_BLOCKS} blocks
 * (64 MiB) whose writes have completed, and records how many leading blocks it flushed so: the
 * proof reads only the rest (under 64 MiB plus the extent map), whatever the object's size. A put
 * under 64 MiB flushes nothing of its own.
 *
 * <p>On any failure before the commit, the transaction is aborted: every block it took goes back
 * (no commit references it), the AG locks are released, and the old object, if any, is untouched.
 */
final class PutWriter {
  static final int CHUNK_BLOCKS = 64;
  static final int IN_FLIGHT = 4;
  /** Chunks up to this many blocks (64 KiB) are written on the caller's thread. */
  static final int CALLER_WRITE_BLOCKS = 16;
  /** A streaming put flushes after each this many written blocks (64 MiB). */
  static final int FLUSH_BLOCKS = 16_384;
  private static final int BLOCK = BlockDevice.BLOCK_SIZE;
  private static final AtomicInteger NEXT_TARGET = new AtomicInteger();

  private final Mirrors mirrors;
  private final AllocationGroups space;
  private final Committer committer;
  private final SplitAllocation splits;
  private final ChecksumType type;

  PutWriter(Mirrors mirrors, AllocationGroups space, Committer committer, SplitAllocation splits) {
    this.mirrors = mirrors;
    this.space = space;
    this.committer = committer;
    this.splits = splits;
    this.type = mirrors.checksumType();
  }

  /** A written chunk piece waiting for its checksums. */
  private record Piece(long fileBlock, Extent extent, CompletableFuture<List<Checksum>> write) {}

  ObjectInfo put(String name, byte[] key, InputStream in) throws IOException {
    committer.checkUsable();
    Transaction txn = space.begin(NEXT_TARGET.getAndIncrement());
    ArrayDeque<List<Piece>> inflight = new ArrayDeque<>();
    TreeBuilder[] built = new TreeBuilder[1];
    boolean submitted = false;
    committer.startWriting();
    try {
      allocateWithRetry(() -> {
        txn.reserve(committer.reserveBlocks());
        return null;
      }, name, 0);
      long id = committer.newObjectId();
      long gen = committer.committed().generation() + 1;
      // A split's block follows seed 001's rule; the pages finish() writes are no split, and
      // the rule lets any allocation run inline on the caller (it may wait for an AG lock
      // there: only this put waits).
      TreeBuilder extents = new TreeBuilder(mirrors.onCaller(), PageKind.EXTENTS, id, gen,
          () -> splits.allocateBlock(txn), () -> txn.allocate(1).start());
      built[0] = extents;
      Runs runs = new Runs(extents, ExtentRun.maxBlocks(type));
      ArrayDeque<byte[]> busy = new ArrayDeque<>();
      int firstChunk = firstChunk(in);
      int allocated = 0;
      long size = 0;
      long fileBlock = 0;
      long durable = 0;
      while (true) {
        byte[] buf;
        int n;
        if (allocated == 0) {
          buf = new byte[firstChunk];
          allocated++;
          n = in.readNBytes(buf, 0, buf.length);
        } else if (allocated < IN_FLIGHT) {
          // One block first, so the end of the stream shows before a chunk is allocated for it.
          byte[] head = new byte[BLOCK];
          int h = in.readNBytes(head, 0, BLOCK);
          if (h == 0) {
            break;
          }
          buf = new byte[CHUNK_BLOCKS * BLOCK];
          allocated++;
          System.arraycopy(head, 0, buf, 0, h);
          n = h < BLOCK ? h : h + in.readNBytes(buf, h, buf.length - h);
        } else {
          runs.complete(inflight.poll());
          if (runs.completed - durable >= FLUSH_BLOCKS) {
            mirrors.flush();
            durable = runs.completed;
          }
          buf = busy.poll();
          n = in.readNBytes(buf, 0, buf.length);
        }
        if (n == 0) {
          break;
        }
        size += n;
        int blocks = (n + BLOCK - 1) / BLOCK;
        java.util.Arrays.fill(buf, n, blocks * BLOCK, (byte) 0);
        List<Piece> pieces = new ArrayList<>();
        int off = 0;
        while (off < blocks) {
          int want = blocks - off;
          long sizeSoFar = size;
          Extent e = allocateWithRetry(() -> dataExtent(txn, want), name, sizeSoFar);
          ByteBuffer slice = ByteBuffer.wrap(buf, off * BLOCK, (int) e.length() * BLOCK).slice();
          CompletableFuture<List<Checksum>> w = e.length() <= CALLER_WRITE_BLOCKS
              ? mirrors.writeOnCaller(e.start(), slice)
              : mirrors.write(e.start(), slice);
          pieces.add(new Piece(fileBlock + off, e, w));
          off += (int) e.length();
        }
        fileBlock += blocks;
        inflight.add(pieces);
        busy.add(buf);
        if (n < buf.length) {
          break;
        }
      }
      while (!inflight.isEmpty()) {
        runs.complete(inflight.poll());
      }
      runs.flush();
      BlockPointer root = extents.finish();
      for (CompletableFuture<?> f : extents.writes()) {
        Mirrors.join(f);
      }
      ObjectRecord rec = new ObjectRecord(id, size, 0, Instant.now(), type, runs.extents,
          fileBlock, root, durable);
      Committer.Change change = new Committer.Change(key, rec, txn);
      submitted = true;
      long committedGen = Mirrors.join(committer.submitWritten(change));
      return rec.committedAs(committedGen).info(name);
    } catch (IOException | RuntimeException | Error e) {
      if (!submitted) {
        committer.stopWriting();
        // Only unconsumed writes are kept (a 4 GiB put must not hold a future per chunk).
        List<CompletableFuture<?>> running = new ArrayList<>();
        inflight.forEach(l -> l.forEach(p -> running.add(p.write())));
        if (built[0] != null) {
          running.addAll(built[0].writes());
        }
        settle(running);
        txn.abort();
      }
      throw e;
    }
  }

  /**
   * The first chunk buffer's size: what {@code in} says is available, in whole blocks, at least one
   * block and at most a chunk (a stream that does not know gets {@link #CALLER_WRITE_BLOCKS}).
   */
  private static int firstChunk(InputStream in) throws IOException {
    int available = in.available();
    if (available <= 0) {
      return CALLER_WRITE_BLOCKS * BLOCK;
    }
    int blocks = (int) Math.min(CHUNK_BLOCKS, ((long) available + BLOCK - 1) / BLOCK);
    return blocks * BLOCK;
  }

  /** Deletes {@code name}; true if it existed when the delete committed. */
  boolean delete(String name, byte[] key) throws IOException {
    committer.checkUsable();
    Transaction txn = space.begin(NEXT_TARGET.getAndIncrement());
    boolean submitted = false;
    try {
      allocateWithRetry(() -> {
        txn.reserve(committer.reserveBlocks());
        return null;
      }, name, 0);
      Committer.Change change = new Committer.Change(key, null, txn);
      submitted = true;
      Mirrors.join(committer.submit(change));
      return change.existed;
    } catch (IOException | RuntimeException | Error e) {
      if (!submitted) {
        txn.abort();
      }
      throw e;
    }
  }

  /**
   * Data never takes the last {@link #floor()} free blocks: they stay for the directory pages a
   * delete must copy-on-write, so a full store can always be emptied.
   */
  private Extent dataExtent(Transaction txn, int want) throws IOException {
    long room = space.freeBlocks() - floor();
    if (room < 1) {
      throw new NoSpaceException("only the " + floor() + " blocks kept for deletes are free");
    }
    return txn.allocate(Math.min(want, room));
  }

  private long floor() {
    long total = 0;
    for (var g : space.groups()) {
      total += g.blocks();
    }
    return Math.max(32, Math.min(256, total / 100));
  }

  /** Waits for writes still running before their blocks go back, so none lands after reuse. */
  private static void settle(List<CompletableFuture<?>> started) {
    for (CompletableFuture<?> f : started) {
      try {
        f.join();
      } catch (RuntimeException ignored) {
        // the put fails anyway; the block is freed either way
      }
    }
  }

  /** An allocation step. */
  @FunctionalInterface
  private interface Step<T> {
    T run() throws IOException;
  }

  /**
   * Runs an allocation; when space runs out while a commit could free some (space deferred until
   * the next commit), forces that commit and tries again, as btrfs commits to free pinned extents.
   */
  private <T> T allocateWithRetry(Step<T> step, String name, long written) throws IOException {
    for (int attempt = 0; ; attempt++) {
      try {
        return step.run();
      } catch (NoSpaceException e) {
        if (attempt >= 3 || space.deferredBlocks() == 0) {
          throw new StoreFullException("no room for object \"" + name + "\": space ran out after "
              + written + " bytes (" + space.freeBlocks() + " blocks of " + BLOCK
              + " bytes free); nothing was changed", e);
        }
        Mirrors.join(committer.forceCommit());
      }
    }
  }

  /** Collects written blocks into extent-map entries and counts contiguous extents. */
  private static final class Runs {
    private final TreeBuilder tree;
    private final int max;
    private final List<Checksum> sums = new ArrayList<>();
    private long firstFileBlock = -1;
    private long firstDevice;
    private long lastDeviceEnd = -1;
    int extents;
    /** Every file block below this one is written (chunks complete in order). */
    long completed;

    Runs(TreeBuilder tree, int max) {
      this.tree = tree;
      this.max = max;
    }

    void complete(List<Piece> pieces) throws IOException {
      for (Piece p : pieces) {
        List<Checksum> s = Mirrors.join(p.write());
        for (int i = 0; i < s.size(); i++) {
          add(p.fileBlock() + i, p.extent().start() + i, s.get(i));
        }
        completed = Math.max(completed, p.fileBlock() + s.size());
      }
    }

    private void add(long fileBlock, long device, Checksum sum) throws IOException {
      if (device != lastDeviceEnd) {
        extents++;
      }
      if (sums.size() == max || (firstFileBlock >= 0 && device != lastDeviceEnd)) {
        flush();
      }
      if (firstFileBlock < 0) {
        firstFileBlock = fileBlock;
        firstDevice = device;
      }
      sums.add(sum);
      lastDeviceEnd = device + 1;
    }

    void flush() throws IOException {
      if (sums.isEmpty()) {
        return;
      }
      ExtentRun run = new ExtentRun(firstFileBlock, firstDevice, List.copyOf(sums));
      tree.append(run.key(), run.value());
      sums.clear();
      firstFileBlock = -1;
    }
  }
}
