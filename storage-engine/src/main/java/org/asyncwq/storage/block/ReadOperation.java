package org.asyncwq.storage.block;

import static org.asyncwq.storage.block.BlockDevice.BLOCK_SIZE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One verified {@link MirroredVolume#read}: one positional read of one mirror on {@code submit};
 * verification in pieces on {@code endio}; each bad block handed to {@code endio-repair}, which
 * reads the other mirrors in turn from the failed one, verifies, copies the first good copy into
 * the result and rewrites every bad copy it tried.
 *
 * <p><b>On the caller.</b> {@link #startOnCaller} (for {@link MirroredVolume#readOnCaller}) does
 * the healthy path's read and verification on the calling thread instead: a positional read
 * completes on the thread that issued it (unlike a kernel bio, whose completion arrives on an
 * interrupt), so queueing it to {@code submit} and its verification to {@code endio} only adds two
 * thread hand-offs and a wake-up of the caller. Only a read that goes wrong hands work to a queue:
 * each bad or unreadable block goes to {@code endio-repair} exactly as above, and the future
 * completes there. A caller whose interrupt flag is set takes the queued path: a {@link
 * FileBlockDevice} survives an interrupted caller (it reopens the channel the JDK closed and keeps
 * the flag), but a device of the caller's own on an interruptible channel might not.
 *
 * <p><b>Seed 003.</b> The endio step never waits for a repair: it queues the repair and returns,
 * and the repair's reads and rewrites run on endio-repair, never on endio. btrfs' direct-IO repair
 * hung when the repair read's completion was queued on the end-IO queue whose worker was blocked
 * waiting for it; here no endio worker blocks, and even a single endio thread serves any number of
 * reads needing repair.
 *
 * <p>The future completes only when every piece and every repair is done, so the result buffer is
 * never touched after the caller gets it, and it never holds a block that failed verification: a
 * block with no good copy fails the whole read.
 */
final class ReadOperation {
  /** The fewest blocks an endio verification piece covers. */
  private static final int MIN_PIECE_BLOCKS = 16;

  private final MirroredVolume volume;
  private final long firstBlock;
  private final List<Checksum> expected;
  private final int blocks;
  private final Mirror first;
  private final ByteBuffer data;
  /** Whether {@link #data} is the caller's: then a failed read leaves it zeroed. */
  private final boolean callers;
  /** Steps queued and not finished; the read completes when it reaches zero. */
  private final AtomicInteger pending = new AtomicInteger(1);
  /** The lowest block with no good copy, or Long.MAX_VALUE. */
  private final AtomicLong uncorrectable = new AtomicLong(Long.MAX_VALUE);
  final CompletableFuture<ByteBuffer> result = new CompletableFuture<>();

  ReadOperation(MirroredVolume volume, long firstBlock, List<Checksum> expected, Mirror first) {
    this(volume, firstBlock, expected, first, null);
  }

  /**
   * A read into {@code dst} (exactly {@code expected.size()} blocks, indexed from 0; the caller's
   * own buffer), or into a new buffer if {@code dst} is null.
   */
  ReadOperation(MirroredVolume volume, long firstBlock, List<Checksum> expected, Mirror first,
      ByteBuffer dst) {
    this.volume = volume;
    this.firstBlock = firstBlock;
    this.expected = expected;
    this.blocks = expected.size();
    this.first = first;
    this.callers = dst != null;
    this.data = dst != null ? dst : ByteBuffer.allocate(blocks * BLOCK_SIZE);
  }

  CompletableFuture<ByteBuffer> start() {
    Step.queue(volume.submit, result, this::readFirst);
    return result;
  }

  /**
   * Reads and verifies on the calling thread; when every block verifies, the future is complete
   * on return. Bad blocks are repaired on endio-repair as {@link #start} does.
   */
  CompletableFuture<ByteBuffer> startOnCaller() {
    if (Thread.currentThread().isInterrupted()) {
      return start();
    }
    try {
      IOException failure = readFirstMirror();
      if (failure != null) {
        readEnded(failure);
      } else {
        verify(0, blocks);
      }
    } catch (RuntimeException | Error e) {
      result.completeExceptionally(e);
      if (e instanceof Error) {
        throw e;
      }
    }
    return result;
  }

  /** The read of the whole range from the first mirror: its failure, or null. */
  private IOException readFirstMirror() {
    try {
      first.device.read(firstBlock, data.duplicate());
      return null;
    } catch (IOException e) {
      return e;
    }
  }

  /** On submit: the read of the whole range from the first mirror. */
  private void readFirst() {
    IOException f = readFirstMirror();
    Step.queue(volume.endio, result, () -> readEnded(f));
  }

  /**
   * On endio (on the caller for {@link #startOnCaller} when the read failed): the first read ended;
   * verify it in pieces, or repair every block if it failed.
   */
  private void readEnded(IOException failure) {
    if (failure != null) {
      first.readError();
      pending.addAndGet(blocks);
      for (int i = 0; i < blocks; i++) {
        int block = i;
        Step.queue(volume.endioRepair, result, () -> repair(block));
      }
      arrive();
      return;
    }
    int endioLimit = volume.queues().limitActive(StorageQueues.ENDIO);
    int pieceBlocks = Math.max(MIN_PIECE_BLOCKS, (blocks + endioLimit - 1) / endioLimit);
    int pieces = (blocks + pieceBlocks - 1) / pieceBlocks;
    pending.addAndGet(pieces - 1);
    for (int p = 1; p < pieces; p++) {
      int from = p * pieceBlocks;
      int to = Math.min(blocks, from + pieceBlocks);
      Step.queue(volume.endio, result, () -> verify(from, to));
    }
    verify(0, Math.min(blocks, pieceBlocks)); // the first piece on this endio thread
  }

  /**
   * On endio (or the caller): verify blocks [from, to); queue a repair for each bad one, never wait
   * for it.
   */
  private void verify(int from, int to) {
    for (int i = from; i < to; i++) {
      if (!expected.get(i).matches(data, i * BLOCK_SIZE, BLOCK_SIZE)) {
        first.corruptionError();
        pending.incrementAndGet();
        int block = i;
        Step.queue(volume.endioRepair, result, () -> repair(block));
      }
    }
    arrive();
  }

  /** On endio-repair: find a good copy of block {@code i} on the other mirrors, rewrite bad ones. */
  private void repair(int i) {
    long block = firstBlock + i;
    Checksum sum = expected.get(i);
    List<Mirror> bad = new ArrayList<>(volume.mirrors());
    bad.add(first);
    ByteBuffer copy = ByteBuffer.allocate(BLOCK_SIZE);
    Mirror good = null;
    for (Mirror m : volume.otherMirrors(first)) {
      copy.clear();
      try {
        m.device.read(block, copy);
      } catch (IOException e) {
        m.readError();
        bad.add(m);
        continue;
      }
      if (sum.matches(copy, 0, BLOCK_SIZE)) {
        good = m;
        break;
      }
      m.corruptionError();
      bad.add(m);
    }
    if (good == null) {
      volume.countUncorrectable(1);
      uncorrectable.accumulateAndGet(block, Math::min);
      arrive();
      return;
    }
    data.put(i * BLOCK_SIZE, copy, 0, BLOCK_SIZE);
    volume.rewrite(block, copy, bad);
    arrive();
  }

  private void arrive() {
    if (pending.decrementAndGet() != 0) {
      return;
    }
    long bad = uncorrectable.get();
    if (bad != Long.MAX_VALUE) {
      if (callers) {
        // The caller's buffer holds the bytes as read, bad blocks among them: it keeps none.
        zero(data);
      }
      result.completeExceptionally(new UncorrectableDataException(bad, "block " + bad
          + " has no copy matching its checksum on any of the " + volume.mirrors()
          + " mirrors (read of blocks [" + firstBlock + ", " + (firstBlock + blocks) + "))"));
      return;
    }
    volume.countRead(blocks);
    result.complete(data);
  }

  /** Zeroes every byte of {@code b} (by absolute index; position and limit stay). */
  static void zero(ByteBuffer b) {
    if (b.hasArray()) {
      java.util.Arrays.fill(b.array(), b.arrayOffset(), b.arrayOffset() + b.capacity(), (byte) 0);
      return;
    }
    for (int i = 0; i < b.capacity(); i++) {
      b.put(i, (byte) 0);
    }
  }
}
