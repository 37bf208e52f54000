package org.asyncwq.storage.block;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

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
 * every bad copy it tried. No work waits for another work of its own queue (seeds 002 and 003).
 *
 * <p><b>Buffers.</b> {@link #write} does not copy the caller's buffer: its bytes must not change
 * until the future completes (the buffer is the stable page). Its position is not moved. {@link
 * #read} returns a new buffer, position 0, limit {@code blocks * BLOCK_SIZE}.
 *
 * <p><b>Repair.</b> On a bad or unreadable copy the other mirrors are tried in turn from the failed
 * one; the first good copy is returned, and every bad copy that was tried is rewritten from it
 * (never a good one, never an untried one). If no copy is good, the read fails with {@link
 * UncorrectableDataException} after one read per mirror, and nothing is written. Wrong bytes are
 * never returned.
 *
 * <p><b>Errors.</b> Per-mirror counters as {@code btrfs device stats} ({@link #deviceStats()}); a
 * mirror whose errors exceed the error budget becomes {@link DeviceState#FAULTY} and is skipped by
 * every later operation. A write or flush succeeds if it succeeded on at least one healthy mirror;
 * with no healthy mirror left every operation fails with an IOException saying so.
 *
 * <p><b>Bad input</b> (blocks out of range, a buffer that is not whole blocks, an empty or null
 * checksum list, a mirror index out of range) throws {@link IllegalArgumentException} or {@link
 * NullPointerException} at the call, before anything is read or written. A call on a closed volume
 * throws {@link IllegalStateException}. {@link #close()} waits for the operations in flight, then
 * closes its own queues (not shared ones) and the devices.
 */
public final class MirroredVolume implements AutoCloseable {

  private MirroredVolume(Builder b) {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * A builder over 1 to 4 mirrors of equal size. The volume owns the devices: {@link #close()}
   * closes them.
   */
  public static Builder builder(List<BlockDevice> mirrors) {
    return new Builder(mirrors);
  }

  /**
   * Writes {@code data.remaining() / BLOCK_SIZE} blocks from {@code firstBlock} to every healthy
   * mirror; completes with one checksum per block, or with an IOException if no mirror took the
   * write.
   */
  public CompletableFuture<List<Checksum>> write(long firstBlock, ByteBuffer data) {
    throw new UnsupportedOperationException("not yet");
  }

  /** {@link #read(long, List, int)} starting at a mirror chosen round-robin among healthy ones. */
  public CompletableFuture<ByteBuffer> read(long firstBlock, List<Checksum> expected) {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * Reads {@code expected.size()} blocks from {@code firstBlock}, first from {@code firstMirror} (or
   * the next healthy mirror after it), verifies each against its checksum and repairs bad copies.
   * Completes with the verified bytes, or exceptionally with {@link UncorrectableDataException}
   * when a block has no good copy.
   */
  public CompletableFuture<ByteBuffer> read(long firstBlock, List<Checksum> expected,
      int firstMirror) {
    throw new UnsupportedOperationException("not yet");
  }

  /** Flushes every healthy mirror; fails only if no mirror flushed. */
  public CompletableFuture<Void> flush() {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * Reads every given block on every healthy mirror, verifies each copy, rewrites bad copies from a
   * good one, and reports per-copy counters; {@code listener} hears progress up to the number of
   * blocks.
   */
  public CompletableFuture<ScrubReport> scrub(Iterable<BlockRef> blocks, ScrubListener listener) {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * Reads {@code blocks} blocks of one mirror, unverified (for blocks that differ per mirror, such
   * as a superblock that records its mirror index). A failure counts as a read error.
   */
  public CompletableFuture<ByteBuffer> readMirror(int mirror, long firstBlock, int blocks) {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * Writes blocks to one mirror only (see {@link #readMirror}); the caller's buffer must not change
   * until the future completes. A failure counts as a write error.
   */
  public CompletableFuture<Void> writeMirror(int mirror, long firstBlock, ByteBuffer data) {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * Counts a generation error on {@code mirror}: a layer above found a stale block there (a lost
   * write). It counts against the error budget like any other error.
   */
  public void reportGenerationError(int mirror) {
    throw new UnsupportedOperationException("not yet");
  }

  /** Every mirror's counters and state, by mirror index. */
  public List<DeviceStats> deviceStats() {
    throw new UnsupportedOperationException("not yet");
  }

  /** The volume's counters. */
  public VolumeStats stats() {
    throw new UnsupportedOperationException("not yet");
  }

  /** How many mirrors the volume has, healthy or not. */
  public int mirrors() {
    throw new UnsupportedOperationException("not yet");
  }

  /** Blocks per mirror. */
  public long blockCount() {
    throw new UnsupportedOperationException("not yet");
  }

  /** The checksum {@link #write} computes. */
  public ChecksumType checksumType() {
    throw new UnsupportedOperationException("not yet");
  }

  /** The queues the volume runs on. */
  public StorageQueues queues() {
    throw new UnsupportedOperationException("not yet");
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    throw new UnsupportedOperationException("not yet");
  }

  /** Waits for the operations in flight, then closes its own queues and every device. */
  @Override
  public void close() {
    throw new UnsupportedOperationException("not yet");
  }

  /** Builds a {@link MirroredVolume}; every setter checks its argument at once. */
  public static final class Builder {
    final List<BlockDevice> mirrors;
    ChecksumType checksum = ChecksumType.CRC32C;
    int errorBudget = 20;
    StorageQueues queues;

    private Builder(List<BlockDevice> mirrors) {
      this.mirrors = List.copyOf(Objects.requireNonNull(mirrors, "mirrors"));
    }

    /** The checksum kept for every block written; default CRC32C. */
    public Builder checksum(ChecksumType type) {
      this.checksum = Objects.requireNonNull(type, "checksum");
      return this;
    }

    /** How many errors a mirror may have before it is marked FAULTY; default 20 (md's). */
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
