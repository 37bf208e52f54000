package org.asyncwq.storage.block;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;

/**
 * A fault-injecting {@link BlockDevice} decorator for tests and demos: Linux's dm-flakey and
 * dm-dust, plus a power-loss simulator in the manner of H2's {@code FilePathReorderWrites}, RocksDB's
 * {@code FaultInjectionTestFS} and Lucene's {@code MockDirectoryWrapper}.
 *
 * <p><b>Failures.</b> {@link #failReads(long)} and {@link #failWrites(long)} make every read or
 * write call that touches the block throw an IOException (a failed write writes nothing); {@link
 * #failFlushes(boolean)} makes every flush throw. {@link #heal()} clears them all. {@link
 * #corrupt(long, int)} flips every bit of one stored byte, on the device underneath, as bit rot
 * would; {@code heal()} does not undo it.
 *
 * <p><b>Counters.</b> {@link #reads(long)} and {@link #writes(long)} count the IO calls through
 * this decorator that touched a block, failed calls included ({@code corrupt} is not IO and is not
 * counted).
 *
 * <p><b>Power loss.</b> The decorator remembers every write made since the last successful {@link
 * #flush()} as <em>unsynced</em>: the blocks it wrote, their new contents, and each block's content
 * as of that flush. Reads see the unsynced writes, as a page cache would. A successful flush makes
 * them durable and forgets them; a failed flush does not. {@link #crash(long)} returns what the
 * device would hold after a power loss now: a new {@link MemoryBlockDevice} with the durable
 * contents, onto which each unsynced block write is, chosen at random from the seed,
 *
 * <ul>
 *   <li><em>dropped</em> (lost with the cache),
 *   <li><em>kept</em> (it reached the media; since each block write is chosen independently, a later
 *       write may survive while an earlier one is lost: writes are reordered), or
 *   <li><em>torn</em>: a random subset of its eight 512-byte sectors reached the media, the rest hold
 *       the previous contents.
 * </ul>
 *
 * <p>{@link #crash(PowerLoss, long)} restricts the outcome to one of these ({@link
 * PowerLoss#DROP_ALL}: the durable image only; {@link PowerLoss#REORDER}: a random subset of whole
 * block writes; {@link PowerLoss#TEAR}: every unsynced block write torn), and {@link
 * #crash(IntFunction, long)} lets a test choose each write's fate, to go through every outcome of a
 * few writes. Surviving writes of the
 * same block are applied in the order they were made. The same seed gives the same image. This
 * device is unchanged by a crash and may go on being used; reopen the store under test on the
 * returned image. Corruption injected with {@code corrupt} is treated as already on the media.
 */
public final class FaultyBlockDevice implements BlockDevice {
  private final BlockDevice inner;
  private final Set<Long> failedReads = ConcurrentHashMap.newKeySet();
  private final Set<Long> failedWrites = ConcurrentHashMap.newKeySet();
  private volatile boolean failFlushes;
  private final ConcurrentHashMap<Long, LongAdder> readCounts = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, LongAdder> writeCounts = new ConcurrentHashMap<>();

  /** What a power loss does to the unsynced writes; see the class comment. */
  public enum PowerLoss {
    /** Every unsynced write is lost: the image is the device as of the last successful flush. */
    DROP_ALL,
    /** Each unsynced block write independently survives whole or is lost. */
    REORDER,
    /** Every unsynced block write is torn: a random subset of its 512-byte sectors survives. */
    TEAR,
    /** Each unsynced block write is lost, survives whole or is torn, at random. */
    ANY
  }

  /** The sector size a torn write is cut at: what a disk writes atomically. */
  public static final int SECTOR_SIZE = 512;

  /** Unsynced block writes in the order they were made; guarded by {@code this}. */
  private final List<BlockWrite> unsynced = new ArrayList<>();

  /** Each block's content as of the last successful flush, for blocks written since; guarded by this. */
  private final Map<Long, byte[]> durable = new HashMap<>();

  /** One block's worth of one unsynced write. */
  private record BlockWrite(long block, byte[] data) {}

  /** Wraps {@code inner}; reads and writes go through to it. */
  public FaultyBlockDevice(BlockDevice inner) {
    this.inner = Objects.requireNonNull(inner, "inner");
  }

  /** Every read that touches {@code block} fails with an IOException from now on. */
  public void failReads(long block) {
    BlockRange.checkBlock("failReads", block, blockCount());
    failedReads.add(block);
  }

  /** Every write that touches {@code block} fails with an IOException, writing nothing. */
  public void failWrites(long block) {
    BlockRange.checkBlock("failWrites", block, blockCount());
    failedWrites.add(block);
  }

  /** Whether every flush fails with an IOException from now on. */
  public void failFlushes(boolean fail) {
    this.failFlushes = fail;
  }

  /**
   * Flips every bit of the stored byte at {@code byteOffset} of {@code block}, on the device
   * underneath (not counted as IO, not subject to injected failures). Declares no checked
   * exception, as the other fault controls, so a test can damage blocks anywhere, in a lambda too.
   *
   * @throws IllegalArgumentException if the block or the offset is out of range
   * @throws UncheckedIOException if the device underneath fails the read or the write
   */
  public synchronized void corrupt(long block, int byteOffset) {
    BlockRange.checkBlock("corrupt", block, blockCount());
    if (byteOffset < 0 || byteOffset >= BLOCK_SIZE) {
      throw new IllegalArgumentException("corrupt: byteOffset must be in [0, " + BLOCK_SIZE
          + "), was " + byteOffset);
    }
    ByteBuffer buf = ByteBuffer.allocate(BLOCK_SIZE);
    try {
      inner.read(block, buf);
      buf.put(byteOffset, (byte) ~buf.get(byteOffset));
      buf.clear();
      inner.write(block, buf);
    } catch (IOException e) {
      throw new UncheckedIOException("corrupt: block " + block + " of " + inner + ": " + e, e);
    }
  }

  /** Clears every injected failure; corruption already done stays. */
  public void heal() {
    failedReads.clear();
    failedWrites.clear();
    failFlushes = false;
  }

  /** Read calls through this decorator that touched {@code block}, failed ones included. */
  public long reads(long block) {
    LongAdder a = readCounts.get(block);
    return a == null ? 0 : a.sum();
  }

  /** Write calls through this decorator that touched {@code block}, failed ones included. */
  public long writes(long block) {
    LongAdder a = writeCounts.get(block);
    return a == null ? 0 : a.sum();
  }

  @Override
  public long blockCount() {
    return inner.blockCount();
  }

  @Override
  public void read(long firstBlock, ByteBuffer dst) throws IOException {
    int blocks = BlockRange.check("read of faulty device", firstBlock, dst, blockCount());
    count(readCounts, firstBlock, blocks);
    fail(failedReads, "read", firstBlock, blocks);
    inner.read(firstBlock, dst);
  }

  @Override
  public void write(long firstBlock, ByteBuffer src) throws IOException {
    int blocks = BlockRange.check("write to faulty device", firstBlock, src, blockCount());
    count(writeCounts, firstBlock, blocks);
    fail(failedWrites, "write", firstBlock, blocks);
    synchronized (this) { // keeps the unsynced log in the order the device applied the writes
      int start = src.position();
      for (int i = 0; i < blocks; i++) {
        long b = firstBlock + i;
        if (!durable.containsKey(b)) {
          ByteBuffer before = ByteBuffer.allocate(BLOCK_SIZE);
          inner.read(b, before);
          durable.put(b, before.array());
        }
        byte[] data = new byte[BLOCK_SIZE];
        src.get(start + i * BLOCK_SIZE, data);
        unsynced.add(new BlockWrite(b, data));
      }
      inner.write(firstBlock, src);
    }
  }

  @Override
  public void flush() throws IOException {
    if (failFlushes) {
      throw new IOException("injected flush failure");
    }
    synchronized (this) {
      inner.flush();
      unsynced.clear();
      durable.clear();
    }
  }

  /** Block writes made since the last successful flush. */
  public synchronized int unsyncedWrites() {
    return unsynced.size();
  }

  /**
   * The device after a power loss now: each unsynced block write lost, kept or torn at random
   * ({@link PowerLoss#ANY}); see the class comment.
   */
  public BlockDevice crash(long seed) throws IOException {
    return crash(PowerLoss.ANY, seed);
  }

  /**
   * The device after a power loss now, the unsynced writes treated as {@code mode} says, chosen
   * from {@code seed}: a new in-memory device; this one is unchanged.
   */
  public synchronized BlockDevice crash(PowerLoss mode, long seed) throws IOException {
    Objects.requireNonNull(mode, "mode");
    Random random = new Random(seed);
    return crash(i -> {
      PowerLoss f = mode != PowerLoss.ANY ? mode : PowerLoss.values()[random.nextInt(3)];
      return switch (f) {
        case DROP_ALL -> WriteFate.LOST;
        case REORDER -> random.nextBoolean() ? WriteFate.KEPT : WriteFate.LOST;
        default -> WriteFate.TORN;
      };
    }, random);
  }

  /** What a power loss does to one unsynced block write, for {@link #crash(IntFunction, long)}. */
  public enum WriteFate {
    /** Lost with the cache. */
    LOST,
    /** Reached the media whole. */
    KEPT,
    /** Torn: a random subset of its 512-byte sectors (some, never none or all) reached the media. */
    TORN
  }

  /**
   * The device after a power loss now, each unsynced block write (numbered from 0 in the order
   * made, see {@link #unsyncedWrites()}) treated as {@code fate} says; the sectors a torn write
   * keeps are chosen from {@code seed}. For tests that go through every outcome of a few writes.
   */
  public synchronized BlockDevice crash(IntFunction<WriteFate> fate, long seed)
      throws IOException {
    Objects.requireNonNull(fate, "fate");
    return crash(fate, new Random(seed));
  }

  private BlockDevice crash(IntFunction<WriteFate> fates, Random random) throws IOException {
    MemoryBlockDevice image = MemoryBlockDevice.copyOf(inner);
    for (Map.Entry<Long, byte[]> e : durable.entrySet()) {
      image.write(e.getKey(), ByteBuffer.wrap(e.getValue()));
    }
    int sectors = BLOCK_SIZE / SECTOR_SIZE;
    for (int i = 0; i < unsynced.size(); i++) {
      BlockWrite w = unsynced.get(i);
      switch (fates.apply(i)) {
        case LOST -> { }
        case KEPT -> image.write(w.block, ByteBuffer.wrap(w.data));
        case TORN -> {
          ByteBuffer now = ByteBuffer.allocate(BLOCK_SIZE);
          image.read(w.block, now);
          byte[] torn = now.array();
          int survive = 1 + random.nextInt(sectors - 1); // some, never none or all
          for (int s : randomSectors(random, sectors, survive)) {
            System.arraycopy(w.data, s * SECTOR_SIZE, torn, s * SECTOR_SIZE, SECTOR_SIZE);
          }
          image.write(w.block, ByteBuffer.wrap(torn));
        }
      }
    }
    return image;
  }

  private static int[] randomSectors(Random random, int sectors, int count) {
    int[] all = new int[sectors];
    for (int i = 0; i < sectors; i++) {
      all[i] = i;
    }
    for (int i = sectors - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = all[i];
      all[i] = all[j];
      all[j] = t;
    }
    return java.util.Arrays.copyOf(all, count);
  }

  @Override
  public void close() throws IOException {
    inner.close();
  }

  private static void count(ConcurrentHashMap<Long, LongAdder> counts, long first, int blocks) {
    for (int i = 0; i < blocks; i++) {
      counts.computeIfAbsent(first + i, k -> new LongAdder()).increment();
    }
  }

  private static void fail(Set<Long> failed, String op, long first, int blocks)
      throws IOException {
    if (failed.isEmpty()) {
      return;
    }
    for (int i = 0; i < blocks; i++) {
      if (failed.contains(first + i)) {
        throw new IOException("injected " + op + " failure at block " + (first + i));
      }
    }
  }

  @Override
  public String toString() {
    return "FaultyBlockDevice[" + inner + "]";
  }
}
