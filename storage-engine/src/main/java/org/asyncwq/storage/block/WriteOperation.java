package org.asyncwq.storage.block;

import static org.asyncwq.storage.block.BlockDevice.BLOCK_SIZE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One {@link MirroredVolume#write}: checksum pieces on {@code csum} and one positional write per
 * healthy mirror on {@code submit} run at the same time; each mirror's completion is recorded on
 * {@code endio-write}, and the last arrival completes the future there.
 *
 * <p>btrfs checksums a page before submitting it because a page may change under IO; here the
 * caller's buffer is the stable page (it must not change until the future completes), so the
 * checksums and the device writes read the same bytes and may overlap. Nothing is copied: every
 * piece works on a duplicate (a view) of the caller's buffer.
 *
 * <p><b>On the caller.</b> {@link #startOnCaller} (for {@link MirroredVolume#writeOnCaller}) does
 * the checksums and one positional write per mirror on the calling thread, one mirror after the
 * other, and completes the future before it returns: a positional write into the page cache
 * completes on the thread that issued it, so for a small write the five queue hand-offs (and the
 * wake-up of a caller that waits anyway) cost more than the work. Failures are counted per mirror
 * exactly as on the queues. A caller whose interrupt flag is set takes the queued path, as a read
 * on the caller does.
 */
final class WriteOperation {
  /**
   * The fewest blocks a csum piece covers: CRC32C of 64 blocks (a put's 256 KiB chunk) takes about
   * 14 µs here, less than handing a piece to another csum thread and waking it, so a chunk is one
   * piece and only writes over 64 blocks are split across the csum threads.
   */
  private static final int MIN_PIECE_BLOCKS = 64;

  private final MirroredVolume volume;
  private final long firstBlock;
  private final ByteBuffer data;
  private final int blocks;
  private final Checksum[] sums;
  private final List<Mirror> targets;
  private final AtomicInteger pending;
  private final AtomicInteger written = new AtomicInteger();
  private final IOException[] failures;
  final CompletableFuture<List<Checksum>> result = new CompletableFuture<>();

  WriteOperation(MirroredVolume volume, long firstBlock, ByteBuffer data, int blocks,
      List<Mirror> targets) {
    this.volume = volume;
    this.firstBlock = firstBlock;
    this.data = data;
    this.blocks = blocks;
    this.sums = new Checksum[blocks];
    this.targets = targets;
    this.failures = new IOException[targets.size()];
    this.pending = new AtomicInteger();
  }

  CompletableFuture<List<Checksum>> start() {
    int csumLimit = volume.queues().limitActive(StorageQueues.CSUM);
    int pieceBlocks = Math.max(MIN_PIECE_BLOCKS, (blocks + csumLimit - 1) / csumLimit);
    int pieces = (blocks + pieceBlocks - 1) / pieceBlocks;
    pending.set(pieces + targets.size());
    for (int t = 0; t < targets.size(); t++) {
      int target = t;
      Step.queue(volume.submit, result, () -> writeMirror(target));
    }
    for (int p = 0; p < pieces; p++) {
      int from = p * pieceBlocks;
      int to = Math.min(blocks, from + pieceBlocks);
      Step.queue(volume.csum, result, () -> checksum(from, to));
    }
    return result;
  }

  /** The whole write on the calling thread; the future is complete when this returns. */
  CompletableFuture<List<Checksum>> startOnCaller() {
    if (Thread.currentThread().isInterrupted()) {
      return start();
    }
    try {
      sum(0, blocks);
      for (int t = 0; t < targets.size(); t++) {
        IOException failure = null;
        try {
          targets.get(t).device.write(firstBlock, data.duplicate());
        } catch (IOException e) {
          failure = e;
        }
        record(t, failure);
      }
      finish();
    } catch (RuntimeException | Error e) {
      result.completeExceptionally(e);
    }
    return result;
  }

  /** On csum: the checksums of blocks [from, to) of the caller's buffer. */
  private void checksum(int from, int to) {
    sum(from, to);
    arrive(false);
  }

  private void sum(int from, int to) {
    int base = data.position();
    for (int i = from; i < to; i++) {
      sums[i] = Checksum.compute(volume.checksumType(), data, base + i * BLOCK_SIZE, BLOCK_SIZE);
    }
  }

  /** On submit: one positional write of the whole range to one mirror. */
  private void writeMirror(int target) {
    Mirror m = targets.get(target);
    IOException failure = null;
    try {
      m.device.write(firstBlock, data.duplicate());
    } catch (IOException e) {
      failure = e;
    }
    IOException f = failure;
    Step.queue(volume.endioWrite, result, () -> written(target, f));
  }

  /** On endio-write: a mirror's write ended. */
  private void written(int target, IOException failure) {
    record(target, failure);
    arrive(true);
  }

  private void record(int target, IOException failure) {
    if (failure == null) {
      written.incrementAndGet();
    } else {
      failures[target] = failure;
      targets.get(target).writeError();
    }
  }

  private void arrive(boolean onEndioWrite) {
    if (pending.decrementAndGet() != 0) {
      return;
    }
    if (onEndioWrite) {
      finish();
    } else {
      Step.queue(volume.endioWrite, result, this::finish);
    }
  }

  /** On endio-write, once every piece and every mirror arrived. */
  private void finish() {
    if (written.get() == 0) {
      IOException e = new IOException("write of blocks [" + firstBlock + ", "
          + (firstBlock + blocks) + ") failed on every mirror it was sent to " + targets);
      Arrays.stream(failures).filter(x -> x != null).forEach(e::addSuppressed);
      result.completeExceptionally(e);
      return;
    }
    volume.countWrite(blocks);
    result.complete(List.of(sums));
  }
}
