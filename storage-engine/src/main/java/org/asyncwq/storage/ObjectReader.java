package org.asyncwq.storage;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.Checksum;
import org.asyncwq.storage.tree.PageCache;
import org.asyncwq.storage.tree.PageKind;
import org.asyncwq.storage.tree.TreeReader;

/**
 * Reads committed objects: looks names up in a pinned snapshot's directory and streams data runs
 * through the volume's verified reads (a read waiting for a repair lets the next ones start, up to a
 * few ahead). Directory and
 * extent-map pages come through a bounded cache of verified pages ({@link PageCache}), so a get
 * reads from the device only the data and the pages it has not met yet. Extent runs that lie end to
 * end on the device are read with one positional read of up to {@link #MAX_READ_BLOCKS} blocks, read
 * and verified on the caller's thread ({@code MirroredVolume.readOnCaller}: no queue hop unless a
 * copy needs repair), and the verified buffer is handed to the caller's stream without another copy. Only verified bytes
 * reach the caller; a block with no good copy fails the read with {@code
 * UncorrectableDataException}.
 */
final class ObjectReader {
  private static final int READ_AHEAD = 8;
  private static final int BLOCK = BlockDevice.BLOCK_SIZE;
  /** The most blocks one read covers: 1 MiB, about where a larger pread stops paying. */
  static final int MAX_READ_BLOCKS = 256;
  /** Pages the cache keeps: 4,096 pages of 4 KiB, about 16 MiB of metadata at most. */
  static final int CACHED_PAGES = 4096;

  private final Mirrors mirrors;
  private final PageCache pages = new PageCache(CACHED_PAGES);
  private final TreeReader directory;

  ObjectReader(Mirrors mirrors) {
    this.mirrors = mirrors;
    this.directory = new TreeReader(mirrors, PageKind.DIRECTORY, Store.DIRECTORY_OWNER, pages);
  }

  /** The cache of verified tree pages the reads go through. */
  PageCache pages() {
    return pages;
  }

  ObjectRecord find(Snapshot s, byte[] key) throws IOException {
    byte[] v = directory.get(s.superblock().directory(), key);
    return v == null ? null : ObjectRecord.decode(v);
  }

  ObjectRecord require(Snapshot s, String name, byte[] key) throws IOException {
    ObjectRecord r = find(s, key);
    if (r == null) {
      throw new NoSuchObjectException(name);
    }
    return r;
  }

  /** Every object whose name starts with {@code prefix}, in name (UTF-8 byte) order. */
  List<ObjectInfo> list(Snapshot s, byte[] prefix) throws IOException {
    List<ObjectInfo> out = new ArrayList<>();
    directory.scan(s.superblock().directory(), prefix.length == 0 ? null : prefix, false,
        (k, v) -> {
          if (!startsWith(k, prefix)) {
            return false;
          }
          out.add(ObjectRecord.decode(v).info(Names.decodeStored(k)));
          return true;
        });
    return out;
  }

  void copy(ObjectRecord r, OutputStream out) throws IOException {
    if (r.extentMap() == null) {
      return;
    }
    ArrayDeque<Pending> ahead = new ArrayDeque<>();
    Coalesced run = new Coalesced();
    long[] next = {0}; // the runs must tile the object's blocks exactly, or bytes would go missing
    extents(r).scan(r.extentMap(), null, false, (k, v) -> {
      ExtentRun e = ExtentRun.decode(k, v, r.checksum());
      if (e.fileBlock() != next[0] || e.fileBlock() + e.blocks() > r.dataBlocks()) {
        throw new CorruptStoreException("object of " + r.size() + " bytes: its extent map has "
            + "blocks " + e.fileBlock() + "+" + e.blocks() + " where block " + next[0]
            + " was due (damaged metadata)");
      }
      next[0] += e.blocks();
      if (!run.extend(e)) {
        issue(r, run, ahead, out);
        run.start(e);
      }
      return true;
    });
    issue(r, run, ahead, out);
    while (!ahead.isEmpty()) {
      ahead.poll().drain(out);
    }
    if (next[0] != r.dataBlocks()) {
      throw new CorruptStoreException("object of " + r.size() + " bytes: its extent map covers "
          + next[0] + " of its " + r.dataBlocks() + " blocks (damaged metadata)");
    }
  }

  /** Starts the verified read of {@code run} (if it holds blocks), draining the oldest if full. */
  private void issue(ObjectRecord r, Coalesced run, ArrayDeque<Pending> ahead, OutputStream out)
      throws IOException {
    if (run.sums.isEmpty()) {
      return;
    }
    long start = run.fileBlock * BLOCK;
    int bytes = (int) Math.min((long) run.sums.size() * BLOCK, r.size() - start);
    ahead.add(new Pending(mirrors.readOnCaller(run.deviceBlock, List.copyOf(run.sums)), bytes));
    run.sums.clear();
    // A healthy read has completed on this thread already: hand it on at once. Only reads that
    // wait for a repair stay in flight, up to READ_AHEAD of them.
    while (!ahead.isEmpty() && (ahead.size() >= READ_AHEAD || ahead.peek().read().isDone())) {
      ahead.poll().drain(out);
    }
  }

  /** A verified read in flight and how many of its bytes belong to the object. */
  private record Pending(CompletableFuture<ByteBuffer> read, int bytes) {
    void drain(OutputStream out) throws IOException {
      ByteBuffer b = Mirrors.joinReading(read);
      int n = Math.min(bytes, b.remaining());
      if (b.hasArray()) {
        out.write(b.array(), b.arrayOffset() + b.position(), n);
      } else {
        byte[] copy = new byte[n];
        b.duplicate().get(copy);
        out.write(copy);
      }
    }
  }

  /** Extent runs that follow each other on the device, gathered into one read. */
  private static final class Coalesced {
    long fileBlock;
    long deviceBlock;
    final List<Checksum> sums = new ArrayList<>();

    void start(ExtentRun e) {
      fileBlock = e.fileBlock();
      deviceBlock = e.deviceBlock();
      sums.addAll(e.checksums());
    }

    /** Adds {@code e} if it continues this read on the device and fits; false otherwise. */
    boolean extend(ExtentRun e) {
      if (sums.isEmpty()) {
        start(e);
        return true;
      }
      if (e.deviceBlock() != deviceBlock + sums.size()
          || sums.size() + e.blocks() > MAX_READ_BLOCKS) {
        return false;
      }
      sums.addAll(e.checksums());
      return true;
    }
  }

  private TreeReader extents(ObjectRecord r) {
    return new TreeReader(mirrors, PageKind.EXTENTS, r.id(), pages);
  }

  /** The device block holding byte {@code offset} of the object. */
  long deviceBlock(ObjectRecord r, String name, long offset) throws IOException {
    if (offset < 0 || offset >= r.size()) {
      throw new IllegalArgumentException("offset " + offset + " is outside object \"" + name
          + "\" of " + r.size() + " bytes");
    }
    long fileBlock = offset / BLOCK;
    long[] found = {-1};
    extents(r).scan(r.extentMap(), TreeReader.longKey(fileBlock), true, (k, v) -> {
          ExtentRun run = ExtentRun.decode(k, v, r.checksum());
          if (run.fileBlock() <= fileBlock && fileBlock < run.fileBlock() + run.blocks()) {
            found[0] = run.deviceBlock() + (fileBlock - run.fileBlock());
          }
          return false;
        });
    if (found[0] < 0) {
      throw new CorruptStoreException("extent map of \"" + name + "\" has no entry for block "
          + fileBlock);
    }
    return found[0];
  }

  private static boolean startsWith(byte[] key, byte[] prefix) {
    if (key.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (key[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
