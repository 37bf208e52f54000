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
  /** Steps queued and not finished; the read completes when it reaches zero. */
  private final AtomicInteger pending = new AtomicInteger(1);
  /** The lowest block with no good copy, or Long.MAX_VALUE. */
  private final AtomicLong uncorrectable = new AtomicLong(Long.MAX_VALUE);
  final CompletableFuture<ByteBuffer> result = new CompletableFuture<>();

  ReadOperation(MirroredVolume volume, long firstBlock, List<Checksum> expected, Mirror first) {
    this.volume = volume;
    this.firstBlock = firstBlock;
    this.expected = expected;
    this.blocks = expected.size();
    this.first = first;
    this.data = ByteBuffer.allocate(blocks * BLOCK_SIZE);
  }

  CompletableFuture<ByteBuffer> start() {
    Step.queue(volume.submit, result, this::readFirst);
    return result;
  }

  /** On submit: the read of the whole range from the first mirror. */
  private void readFirst() {
    IOException failure = null;
    try {
      first.device.read(firstBlock, data.duplicate());
    } catch (IOException e) {
      failure = e;
    }
    IOException f = failure;
    Step.queue(volume.endio, result, () -> readEnded(f));
  }

  /** On endio: the first read ended; verify it in pieces, or repair every block if it failed. */
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

  /** On endio: verify blocks [from, to); queue a repair for each bad one, never wait for it. */
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
      result.completeExceptionally(new UncorrectableDataException(bad, "block " + bad
          + " has no copy matching its checksum on any of the " + volume.mirrors()
          + " mirrors (read of blocks [" + firstBlock + ", " + (firstBlock + blocks) + "))"));
      return;
    }
    volume.countRead(blocks);
    result.complete(data);
  }
}
