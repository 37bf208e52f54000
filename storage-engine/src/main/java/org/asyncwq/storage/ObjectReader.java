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
 * Reads committed objects: looks names up in a pinned snapshot's directory and reads data runs
 * through the volume's verified reads (a read waiting for a repair lets the next ones start, up to a
 * few ahead). Directory and extent-map pages come through a bounded cache of verified pages ({@link
 * PageCache}), so a get reads from the device only the data and the pages it has not met yet;
 * an extent map walked whole is kept decoded as the object's read plan ({@link ReadPlans}).
 * Extent runs that lie end to end on the device are read with one positional read of up to {@link
 * #MAX_READ_BLOCKS} blocks, read and verified on the caller's thread ({@code
 * MirroredVolume.readOnCaller}: no queue hop unless a copy needs repair): straight into the
 * caller's buffer for {@link #read(ObjectRecord, ByteBuffer)}, into a pooled buffer ({@link
 * ReadBuffers}) handed to the caller's stream for {@link #copy}. Only verified bytes reach the
 * caller; a block with no good copy fails the read with {@code UncorrectableDataException}.
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
  private final ReadBuffers buffers = new ReadBuffers();
  private final ReadPlans plans = new ReadPlans();
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

  /**
   * Writes the object's verified bytes to {@code out}: each run is read into a pooled buffer
   * ({@link ReadBuffers}), verified there, and handed to {@code out} from it.
   */
  void copy(ObjectRecord r, OutputStream out) throws IOException {
    walk(r, (deviceBlock, sums, start, bytes) -> {
      ByteBuffer b = buffers.take(sums.size() * BLOCK);
      CompletableFuture<ByteBuffer> read = mirrors.readOnCaller(deviceBlock, sums, b);
      return new Pending() {
        @Override
        public boolean isDone() {
          return read.isDone();
        }

        @Override
        public void finish() throws IOException {
          ByteBuffer v = Mirrors.joinReading(read);
          out.write(v.array(), v.arrayOffset(), bytes);
          buffers.give(b); // only now: no read writes into it any more
        }
      };
    });
  }

  /**
   * Reads the object's verified bytes straight into {@code dst} from its position, which it
   * advances by the object's size ({@code dst} has room: the caller checked). Each run is read
   * into its place in {@code dst} and verified there; only the object's last block, when the
   * object ends inside it, goes through a block of its own. On any failure the bytes of {@code
   * dst} the object would have filled are zeroed once no read writes into them any more, and its
   * position does not move: {@code dst} never keeps bytes that were not verified.
   */
  void read(ObjectRecord r, ByteBuffer dst) throws IOException {
    int base = dst.position();
    List<Pending> started = new ArrayList<>();
    try {
      walk(r, (deviceBlock, sums, start, bytes) -> {
        int at = base + (int) start;
        int whole = bytes / BLOCK;
        CompletableFuture<ByteBuffer> head = whole == 0 ? null : mirrors.readOnCaller(
            deviceBlock, whole == sums.size() ? sums : sums.subList(0, whole),
            dst.duplicate().limit(at + whole * BLOCK).position(at));
        if (whole == sums.size()) {
          Pending p = new Pending() {
            @Override
            public boolean isDone() {
              return head.isDone();
            }

            @Override
            public void finish() throws IOException {
              Mirrors.joinReading(head);
            }
          };
          started.add(p);
          return p;
        }
        ByteBuffer last = ByteBuffer.allocate(BLOCK);
        CompletableFuture<ByteBuffer> tail = mirrors.readOnCaller(deviceBlock + whole,
            sums.subList(whole, whole + 1), last);
        Pending p = new Pending() {
          @Override
          public boolean isDone() {
            return (head == null || head.isDone()) && tail.isDone();
          }

          @Override
          public void finish() throws IOException {
            if (head != null) {
              Mirrors.joinReading(head);
            }
            dst.put(at + whole * BLOCK, Mirrors.joinReading(tail), 0, bytes - whole * BLOCK);
          }
        };
        started.add(p);
        return p;
      });
    } catch (IOException | RuntimeException | Error e) {
      for (Pending p : started) {
        p.settle();
      }
      zero(dst, base, (int) r.size());
      throw e;
    }
    dst.position(base + (int) r.size());
  }

  /** Zeroes bytes {@code [from, from + n)} of {@code b} by absolute index. */
  private static void zero(ByteBuffer b, int from, int n) {
    if (b.hasArray()) {
      java.util.Arrays.fill(b.array(), b.arrayOffset() + from, b.arrayOffset() + from + n,
          (byte) 0);
      return;
    }
    byte[] zeros = new byte[Math.min(n, 64 * 1024)];
    for (int at = from; at < from + n; at += zeros.length) {
      b.put(at, zeros, 0, Math.min(zeros.length, from + n - at));
    }
  }

  /** Where one get's runs go: starts the verified read of one run into its target. */
  @FunctionalInterface
  private interface Target {
    /**
     * Starts reading device blocks {@code deviceBlock} on, one per checksum of {@code sums}, which
     * hold bytes {@code [start, start + bytes)} of the object.
     */
    Pending start(long deviceBlock, List<Checksum> sums, long start, int bytes) throws IOException;
  }

  /** A verified read in flight. */
  private interface Pending {
    /** Whether its reads have completed (then {@link #finish} does not wait). */
    boolean isDone();

    /** Waits for its reads and hands the bytes on; throws the read's failure. */
    void finish() throws IOException;

    /** Waits until its reads have completed, whatever their outcome. */
    default void settle() {
      try {
        finish();
      } catch (IOException | RuntimeException e) {
        // the get fails with the first failure already; this one only had to end
      }
    }
  }

  /**
   * Walks the object's extent map in order, gathers runs that lie end to end on the device into
   * reads of up to {@link #MAX_READ_BLOCKS} blocks and starts each through {@code target}; a read
   * that completed on this thread (the healthy case) is finished at once, reads waiting for a
   * repair stay in flight, up to {@link #READ_AHEAD}. A map walked and checked whole is kept as
   * the object's read plan ({@link ReadPlans}): the next get of it starts the same reads without
   * the walk.
   */
  private void walk(ObjectRecord r, Target target) throws IOException {
    if (r.extentMap() == null) {
      return;
    }
    ArrayDeque<Pending> ahead = new ArrayDeque<>();
    ReadPlans.Plan plan = plans.find(r);
    if (plan != null) {
      for (ReadPlans.Run run : plan.runs()) {
        issue(run, ahead, target);
      }
      finishAll(ahead);
      return;
    }
    List<ReadPlans.Run> planned = ReadPlans.keeps(r) ? new ArrayList<>() : null;
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
        issue(r, run, planned, ahead, target);
        run.start(e);
      }
      return true;
    });
    issue(r, run, planned, ahead, target);
    finishAll(ahead);
    if (next[0] != r.dataBlocks()) {
      throw new CorruptStoreException("object of " + r.size() + " bytes: its extent map covers "
          + next[0] + " of its " + r.dataBlocks() + " blocks (damaged metadata)");
    }
    if (planned != null) {
      plans.keep(r, planned);
    }
  }

  /** Starts the verified read of {@code run} (if it holds blocks), finishing the oldest if full. */
  private void issue(ObjectRecord r, Coalesced run, List<ReadPlans.Run> planned,
      ArrayDeque<Pending> ahead, Target target) throws IOException {
    if (run.sums.isEmpty()) {
      return;
    }
    long start = run.fileBlock * BLOCK;
    int bytes = (int) Math.min((long) run.sums.size() * BLOCK, r.size() - start);
    ReadPlans.Run read = new ReadPlans.Run(run.deviceBlock, List.copyOf(run.sums), start, bytes);
    run.sums.clear();
    if (planned != null) {
      planned.add(read);
    }
    issue(read, ahead, target);
  }

  private static void issue(ReadPlans.Run read, ArrayDeque<Pending> ahead, Target target)
      throws IOException {
    ahead.add(target.start(read.deviceBlock(), read.sums(), read.start(), read.bytes()));
    // A healthy read has completed on this thread already: hand it on at once. Only reads that
    // wait for a repair stay in flight, up to READ_AHEAD of them.
    while (!ahead.isEmpty() && (ahead.size() >= READ_AHEAD || ahead.peek().isDone())) {
      ahead.poll().finish();
    }
  }

  private static void finishAll(ArrayDeque<Pending> ahead) throws IOException {
    while (!ahead.isEmpty()) {
      ahead.poll().finish();
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
