package org.asyncwq.storage.block;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A RAID1 volume: every block is written to every healthy mirror, every read is verified against
 * the checksum recorded at write time, and a bad copy is repaired from a good one (btrfs raid1 and
 * md raid1 semantics).
 *
 * <p><b>Queues.</b> A write checksums its blocks on {@code csum} (a large write in parallel pieces)
 * while {@code submit} writes the caller's buffer to every healthy mirror with one positional
 * write each, concurrently; the future completes on {@code endio-write}. A read is one positional
 * read of one mirror on {@code submit}, verified block by block on {@code endio}; a bad block is
 * handed to {@code endio-repair}, which reads the other mirrors in turn, verifies, and rewrites
 * every bad copy it tried. {@link #readOnCaller} does the healthy read and its verification on the
 * caller's thread instead (a positional read completes on its caller), and queues only repairs. No
 * work waits for another work of its own queue (seeds 002 and 003).
 *
 * <p><b>Buffers.</b> {@link #write} does not copy the caller's buffer: its bytes must not change
 * until the future completes (the buffer is the stable page). Its position is not moved. {@link
 * #read} returns a new buffer, position 0, limit {@code blocks * BLOCK_SIZE}.
 *
 * <p><b>Read policy.</b> A read that names no mirror starts, while it is healthy, on the mirror
 * its first block's 1 MiB stripe maps to (stripes take the mirrors in turn): one position is always
 * read from the same copy, and positions spread over the mirrors. A bad copy on a mirror that a
 * block's reads do not go to is found by {@link #scrub}, which reads every mirror.
 *
 * <p><b>Repair.</b> On a bad or unreadable copy the other mirrors are tried in turn from the failed
 * one; the first good copy is returned, and every bad copy that was tried is rewritten from it
 * (never a good one, never an untried one). If no copy is good, the read fails with {@link
 * UncorrectableDataException} after one read per mirror, and nothing is written. Wrong bytes are
 * never returned.
 * A repair rewrites a block with the copy that matches the checksum the caller gave, so a layer
 * above must not overwrite a block while reads of its previous contents are in flight (a
 * copy-on-write store never does); if it did, the next read would still detect and repair the
 * stale copy, never return it.
 *
 * <p><b>Errors.</b> Per-mirror counters as {@code btrfs device stats} ({@link #deviceStats()}); a
 * mirror whose device failures (read, write, flush and generation errors, not checksum mismatches,
 * which are repaired by rewriting) exceed the error budget becomes {@link DeviceState#FAULTY} and
 * is skipped by every later operation. A write or flush succeeds if it succeeded on at least one
 * healthy mirror; with no healthy mirror left every operation fails with an IOException saying so.
 *
 * <p><b>Bad input</b> (blocks out of range, a buffer that is not whole blocks, an empty or null
 * checksum list, a mirror index out of range) throws {@link IllegalArgumentException} or {@link
 * NullPointerException} at the call, before anything is read or written; so do mirrors that are
 * not 1 to 4 distinct devices of equal size, at {@link #builder}. A call on a closed volume throws
 * {@link IllegalStateException}, at the call, saying the volume is closed. {@link #close()} waits
 * for the operations in flight, then closes its own queues (not shared ones) and the devices.
 *
 * <p><b>Parts.</b> This class is the API, its argument checks ({@code BlockRange}) and the volume's
 * counters. The operations are {@code WriteOperation}, {@code ReadOperation}, {@code
 * ScrubOperation} and {@code MirrorIo}; {@code MirrorSet} holds the mirrors and picks the healthy
 * ones, {@code CopyRepair} rewrites bad copies, and {@code OperationsInFlight} refuses operations
 * on a closed volume and lets {@link #close()} wait for the ones in flight.
 */
public final class MirroredVolume implements AutoCloseable {
  private static final Logger log = LogManager.getLogger(MirroredVolume.class);

  private final MirrorSet mirrorSet;
  private final long blockCount;
  private final ChecksumType checksumType;
  private final StorageQueues queues;
  private final boolean ownQueues;
  final Executor csum;
  final Executor submit;
  final Executor endio;
  final Executor endioWrite;
  final Executor endioRepair;

  private final LongAdder reads = new LongAdder();
  private final LongAdder writes = new LongAdder();
  private final LongAdder uncorrectable = new LongAdder();
  private final CopyRepair repair = new CopyRepair();
  private final OperationsInFlight operations = new OperationsInFlight();

  private MirroredVolume(Builder b) {
    List<BlockDevice> devices = b.mirrors; // checked by the builder
    long count = devices.get(0).blockCount();
    this.mirrorSet = new MirrorSet(devices, b.errorBudget);
    this.blockCount = count;
    this.checksumType = b.checksum;
    this.ownQueues = b.queues == null;
    this.queues = ownQueues ? StorageQueues.create() : b.queues;
    this.csum = queues.executor(StorageQueues.CSUM);
    this.submit = queues.executor(StorageQueues.SUBMIT);
    this.endio = queues.executor(StorageQueues.ENDIO);
    this.endioWrite = queues.executor(StorageQueues.ENDIO_WRITE);
    this.endioRepair = queues.executor(StorageQueues.ENDIO_REPAIR);
    log.info("mirrored volume: {} mirrors of {} blocks, {}, error budget {}", devices.size(), count,
        checksumType, b.errorBudget);
  }

  /**
   * A builder over 1 to 4 mirrors of equal size. The volume owns the devices: {@link #close()}
   * closes them.
   *
   * @throws IllegalArgumentException at once (before {@code build()}) if there are not 1 to 4
   *     mirrors, their sizes differ or two are the same device; the message says which
   */
  public static Builder builder(List<? extends BlockDevice> mirrors) {
    return new Builder(mirrors);
  }

  /**
   * Writes {@code data.remaining() / BLOCK_SIZE} blocks from {@code firstBlock} to every healthy
   * mirror; completes with one checksum per block, or with an IOException if no mirror took the
   * write.
   */
  public CompletableFuture<List<Checksum>> write(long firstBlock, ByteBuffer data) {
    int blocks = BlockRange.check("write", firstBlock, data, blockCount);
    List<Mirror> targets = healthyMirrors();
    return operations.track(() -> targets.isEmpty()
        ? noHealthyMirror("write")
        : new WriteOperation(this, firstBlock, data.duplicate(), blocks, targets).start());
  }

  /**
   * {@link #write} on the calling thread: the checksums and one positional write per healthy
   * mirror, one after the other, so the write is complete (or failed) when this returns, with no
   * queue hop. Same result, counters and failure rule as {@link #write}. For small writes whose
   * caller waits for them anyway (a small put, a tree page); large and streaming writes belong on
   * {@link #write}, whose checksums and mirror writes run in parallel on {@code csum} and {@code
   * submit}. A caller whose interrupt flag is set gets the queued {@link #write} instead.
   */
  public CompletableFuture<List<Checksum>> writeOnCaller(long firstBlock, ByteBuffer data) {
    int blocks = BlockRange.check("write", firstBlock, data, blockCount);
    List<Mirror> targets = healthyMirrors();
    return operations.track(() -> targets.isEmpty()
        ? noHealthyMirror("write")
        : new WriteOperation(this, firstBlock, data.duplicate(), blocks, targets).startOnCaller());
  }

  /** {@link #read(long, List, int)} from the mirror that reads of {@code firstBlock} go to. */
  public CompletableFuture<ByteBuffer> read(long firstBlock, List<Checksum> expected) {
    return read(firstBlock, expected, mirrorSet.preferred(firstBlock));
  }

  /**
   * Reads {@code expected.size()} blocks from {@code firstBlock}, first from {@code firstMirror} (or
   * the next healthy mirror after it), verifies each against its checksum and repairs bad copies.
   * Completes with the verified bytes, or exceptionally with {@link UncorrectableDataException}
   * when a block has no good copy.
   */
  public CompletableFuture<ByteBuffer> read(long firstBlock, List<Checksum> expected,
      int firstMirror) {
    List<Checksum> sums = BlockRange.checkRead(firstBlock, expected, blockCount);
    mirrorSet.check("read", firstMirror);
    Mirror first = mirrorSet.firstHealthyFrom(firstMirror);
    return operations.track(() -> first == null
        ? noHealthyMirror("read")
        : new ReadOperation(this, firstBlock, sums, first).start());
  }

  /**
   * {@link #read(long, List)} with the healthy path on the calling thread: one positional read of
   * one mirror (the one {@link #read(long, List)} starts on) and the verification of every block,
   * so a read whose blocks all verify is complete when this returns, with no queue hop. A bad or
   * unreadable block is repaired exactly as {@link #read} repairs it, on {@code endio-repair}, and
   * the future completes there; {@link UncorrectableDataException} when a block has no good copy.
   * Only verified bytes are ever returned. For a caller that waits for the bytes anyway (a store's
   * get); a caller whose interrupt flag is set gets the queued {@link #read} instead, since an
   * interrupt during channel IO would close the device's channel.
   */
  public CompletableFuture<ByteBuffer> readOnCaller(long firstBlock, List<Checksum> expected) {
    List<Checksum> sums = BlockRange.checkRead(firstBlock, expected, blockCount);
    Mirror first = mirrorSet.firstHealthyFrom(mirrorSet.preferred(firstBlock));
    return operations.track(() -> first == null
        ? noHealthyMirror("read")
        : new ReadOperation(this, firstBlock, sums, first).startOnCaller());
  }

  /**
   * {@link #readOnCaller(long, List)} into the caller's {@code dst} instead of a new buffer: the
   * blocks are read into {@code dst}'s remaining bytes, which must be exactly {@code
   * expected.size() * BLOCK_SIZE}, and verified there; a bad block's good copy is written over it
   * there by the repair. Completes with a view of those bytes (position 0); {@code dst}'s own
   * position and limit do not move. If a block has no good copy the future fails with {@link
   * UncorrectableDataException} and those bytes of {@code dst} are left zeroed, so {@code dst}
   * never keeps bytes that failed verification. {@code dst} must not be touched until the future
   * completes.
   *
   * @throws IllegalArgumentException if {@code dst} is read-only or its remaining bytes are not
   *     exactly the blocks to read
   */
  public CompletableFuture<ByteBuffer> readOnCaller(long firstBlock, List<Checksum> expected,
      ByteBuffer dst) {
    List<Checksum> sums = BlockRange.checkRead(firstBlock, expected, blockCount);
    BlockRange.checkDestination(dst, sums.size());
    ByteBuffer into = dst.slice();
    Mirror first = mirrorSet.firstHealthyFrom(mirrorSet.preferred(firstBlock));
    return operations.track(() -> first == null
        ? noHealthyMirror("read")
        : new ReadOperation(this, firstBlock, sums, first, into).startOnCaller());
  }

  /** Flushes every healthy mirror; fails only if no mirror flushed. */
  public CompletableFuture<Void> flush() {
    List<Mirror> targets = healthyMirrors();
    return operations.track(() -> targets.isEmpty()
        ? noHealthyMirror("flush")
        : MirrorIo.flush(this, targets));
  }

  /**
   * {@link #flush} with the first healthy mirror flushed on the calling thread and each other one
   * on {@code submit} at the same time; the future completes when the last flush ends (on the
   * thread that ran it, with no {@code endio-write} hop). Same counters and failure rule as {@link
   * #flush}. For a caller that waits for the flush anyway (a commit).
   */
  public CompletableFuture<Void> flushOnCaller() {
    List<Mirror> targets = healthyMirrors();
    return operations.track(() -> targets.isEmpty()
        ? noHealthyMirror("flush")
        : MirrorIo.flushOnCaller(this, targets));
  }

  /**
   * Reads every given block on every healthy mirror, verifies each copy, rewrites bad copies from a
   * good one, and reports per-copy counters; {@code listener} hears progress up to the number of
   * blocks.
   */
  public CompletableFuture<ScrubReport> scrub(Iterable<BlockRef> blocks, ScrubListener listener) {
    Objects.requireNonNull(blocks, "blocks");
    Objects.requireNonNull(listener, "listener");
    List<BlockRef> refs = BlockRange.checkScrub(blocks, blockCount);
    List<Mirror> targets = healthyMirrors();
    return operations.track(() -> targets.isEmpty()
        ? noHealthyMirror("scrub")
        : new ScrubOperation(this, refs, listener).start());
  }

  /**
   * Reads {@code blocks} blocks of one mirror, unverified (for blocks that differ per mirror, such
   * as a superblock that records its mirror index). A failure counts as a read error.
   */
  public CompletableFuture<ByteBuffer> readMirror(int mirror, long firstBlock, int blocks) {
    mirrorSet.check("readMirror", mirror);
    if (blocks <= 0) {
      throw new IllegalArgumentException("readMirror: blocks must be positive, was " + blocks);
    }
    BlockRange.checkBlocks("readMirror", firstBlock, blocks, blockCount);
    Mirror m = mirrorSet.get(mirror);
    return operations.track(() -> MirrorIo.read(this, m, firstBlock, blocks));
  }

  /**
   * Writes blocks to one mirror only (see {@link #readMirror}); the caller's buffer must not change
   * until the future completes. A failure counts as a write error.
   */
  public CompletableFuture<Void> writeMirror(int mirror, long firstBlock, ByteBuffer data) {
    mirrorSet.check("writeMirror", mirror);
    BlockRange.check("writeMirror", firstBlock, data, blockCount);
    Mirror m = mirrorSet.get(mirror);
    ByteBuffer src = data.duplicate();
    return operations.track(() -> MirrorIo.write(this, m, firstBlock, src));
  }

  /**
   * Counts a generation error on {@code mirror}: a layer above found a stale block there (a lost
   * write). It counts against the error budget like any other error.
   */
  public void reportGenerationError(int mirror) {
    mirrorSet.check("reportGenerationError", mirror);
    mirrorSet.get(mirror).generationError();
  }

  /** Every mirror's counters and state, by mirror index. */
  public List<DeviceStats> deviceStats() {
    return mirrorSet.stats();
  }

  /** The volume's counters. */
  public VolumeStats stats() {
    return new VolumeStats(reads.sum(), writes.sum(), repair.corrected(), uncorrectable.sum());
  }

  /** How many mirrors the volume has, healthy or not. */
  public int mirrors() {
    return mirrorSet.size();
  }

  /** Blocks per mirror. */
  public long blockCount() {
    return blockCount;
  }

  /** The checksum {@link #write} computes. */
  public ChecksumType checksumType() {
    return checksumType;
  }

  /** The queues the volume runs on. */
  public StorageQueues queues() {
    return queues;
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return operations.isClosed();
  }

  /** Waits for the operations in flight, then closes its own queues and every device. */
  @Override
  public void close() {
    if (!operations.closeAndAwait()) {
      return;
    }
    if (ownQueues) {
      queues.close();
    }
    mirrorSet.closeDevices();
    log.info("mirrored volume closed: {}", stats());
  }

  @Override
  public String toString() {
    return "MirroredVolume[" + mirrorSet + ", " + blockCount + " blocks, " + checksumType + "]";
  }

  // For the operations (ReadOperation, WriteOperation, ScrubOperation, MirrorIo)

  private <T> CompletableFuture<T> noHealthyMirror(String op) {
    return CompletableFuture.failedFuture(new IOException(op + ": no healthy mirror left; all "
        + mirrors() + " mirrors are FAULTY " + deviceStats()));
  }

  List<Mirror> healthyMirrors() {
    return mirrorSet.healthy();
  }

  /** The healthy mirrors after {@code failed}, in turn, wrapping around, without it. */
  List<Mirror> otherMirrors(Mirror failed) {
    return mirrorSet.others(failed);
  }

  /** {@link CopyRepair#rewrite}: the bad copies of {@code block} rewritten from {@code good}. */
  long rewrite(long block, ByteBuffer good, List<Mirror> bad) {
    return repair.rewrite(block, good, bad);
  }

  /**
   * From now on bad copies are found and counted ({@link #withheldRepairs()}) but never rewritten:
   * reads still return the verified data of a good copy. For read-only use of a volume.
   */
  public void withholdRepairs() {
    repair.withhold();
  }

  /** How many bad copies were left as they were since {@link #withholdRepairs()}. */
  public long withheldRepairs() {
    return repair.withheld();
  }

  void countRead(int blocks) {
    reads.add(blocks);
  }

  void countWrite(int blocks) {
    writes.add(blocks);
  }

  void countUncorrectable(long n) {
    uncorrectable.add(n);
  }

  /** Builds a {@link MirroredVolume}; every setter checks its argument at once. */
  public static final class Builder {
    final List<BlockDevice> mirrors;
    ChecksumType checksum = ChecksumType.CRC32C;
    int errorBudget = 20;
    StorageQueues queues;

    private Builder(List<? extends BlockDevice> mirrors) {
      Objects.requireNonNull(mirrors, "mirrors");
      for (int i = 0; i < mirrors.size(); i++) {
        Objects.requireNonNull(mirrors.get(i), "mirror " + i + " is null");
      }
      this.mirrors = MirrorSet.checkDevices(List.copyOf(mirrors));
    }

    /** The checksum kept for every block written; default CRC32C. */
    public Builder checksum(ChecksumType type) {
      this.checksum = Objects.requireNonNull(type, "checksum");
      return this;
    }

    /**
     * How many device failures (read, write, flush, generation errors) a mirror may have; one more
     * marks it FAULTY. Default 20, md raid1's. Corruption errors do not count: they are repaired.
     */
    public Builder errorBudget(int errors) {
      if (errors < 0) {
        throw new IllegalArgumentException("errorBudget must not be negative, was " + errors);
      }
      this.errorBudget = errors;
      return this;
    }

    /** Shared queues to run on; the volume then does not close them. Default: its own. */
    public Builder queues(StorageQueues queues) {
      this.queues = Objects.requireNonNull(queues, "queues");
      return this;
    }

    public MirroredVolume build() {
      return new MirroredVolume(this);
    }
  }
}
