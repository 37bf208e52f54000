package org.asyncwq.storage.block;

import static org.asyncwq.storage.block.BlockDevice.BLOCK_SIZE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One {@link MirroredVolume#scrub}: the blocks are taken in runs (references to consecutive blocks,
 * up to {@link #RUN_BLOCKS} of them); each healthy mirror's copy of a run is read with one
 * positional read and verified block by block on the {@code submit} thread that read it, every
 * mirror of a run in parallel; the bad copies of a block with a good copy are rewritten from it on
 * {@code endio-repair}. A run whose read fails on a mirror is read again there block by block, so
 * only the blocks that cannot be read count as read errors. A window of runs is in flight at once;
 * each finished run starts the next, so a scrub of any size holds a bounded amount of memory
 * ({@code RUNS_IN_FLIGHT * RUN_BLOCKS} blocks per mirror, in reused direct buffers) and never
 * floods the queues.
 */
final class ScrubOperation {
  private static final Logger log = LogManager.getLogger(ScrubOperation.class);
  /** The most blocks one read covers: 1 MiB. */
  static final int RUN_BLOCKS = 256;
  private static final int RUNS_IN_FLIGHT = 4;
  private static final byte GOOD = 0;
  private static final byte CSUM = 1;
  private static final byte UNREADABLE = 2;

  private final MirroredVolume volume;
  private final List<BlockRef> refs;
  private final ScrubListener listener;
  /** Runs as [first index, end index) into refs, each of consecutive blocks. */
  private final List<int[]> runs = new ArrayList<>();
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicLong csumErrors = new AtomicLong();
  private final AtomicLong readErrors = new AtomicLong();
  private final AtomicLong corrected = new AtomicLong();
  private final AtomicLong uncorrectable = new AtomicLong();
  /** Blocks finished; guarded by this, so progress calls are serial and rising. */
  private long done;
  /**
   * Per block index, what its scrub counted (csum, read, corrected, uncorrectable errors; at most
   * one per mirror each), and which are finished: guarded by this. {@code below} is the count of
   * leading finished blocks, {@code prefix} their counts, for {@link ScrubListener#scrubbedBelow}.
   */
  private final byte[][] counts;
  private final java.util.BitSet finished;
  private int below;
  private final long[] prefix = new long[4];
  /**
   * Read buffers of one run on one mirror, direct (a positional read fills them with no copy
   * through a temporary buffer), reused: a run's buffers come back when its last block is done, so
   * the scrub holds at most {@code RUNS_IN_FLIGHT} runs' worth per mirror.
   */
  /** Each run in flight's buffers, by its count of unfinished blocks. */
  private final java.util.Map<AtomicInteger, ByteBuffer[]> runCopies =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.concurrent.ConcurrentLinkedQueue<ByteBuffer> buffers =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  final CompletableFuture<ScrubReport> result = new CompletableFuture<>();

  ScrubOperation(MirroredVolume volume, List<BlockRef> refs, ScrubListener listener) {
    this.volume = volume;
    this.refs = refs;
    this.listener = listener;
    this.counts = new byte[4][refs.size()];
    this.finished = new java.util.BitSet(refs.size());
    int from = 0;
    for (int i = 1; i <= refs.size(); i++) {
      if (i == refs.size() || i - from == RUN_BLOCKS
          || refs.get(i).block() != refs.get(i - 1).block() + 1) {
        runs.add(new int[] {from, i});
        from = i;
      }
    }
  }

  CompletableFuture<ScrubReport> start() {
    if (refs.isEmpty()) {
      progress();
      result.complete(new ScrubReport(0, 0, 0, 0, 0));
      return result;
    }
    for (int i = 0; i < Math.min(RUNS_IN_FLIGHT, runs.size()); i++) {
      startNext();
    }
    return result;
  }

  private void startNext() {
    int r = next.getAndIncrement();
    if (r >= runs.size()) {
      return;
    }
    int[] run = runs.get(r);
    List<Mirror> mirrors = volume.healthyMirrors();
    byte[][] state = new byte[mirrors.size()][];
    ByteBuffer[] copies = new ByteBuffer[mirrors.size()];
    if (mirrors.isEmpty()) { // every mirror went faulty meanwhile: nothing left to read
      classify(run, mirrors, state, copies);
      return;
    }
    AtomicInteger pending = new AtomicInteger(mirrors.size());
    for (int k = 0; k < mirrors.size(); k++) {
      int mirror = k;
      Step.queue(volume.submit, result, () -> {
        readAndVerify(run, mirrors.get(mirror), mirror, state, copies);
        if (pending.decrementAndGet() == 0) {
          classify(run, mirrors, state, copies);
        }
      });
    }
  }

  /** On submit: one mirror's copy of a run, read in one piece (block by block if that fails). */
  private void readAndVerify(int[] run, Mirror m, int mirror, byte[][] state,
      ByteBuffer[] copies) {
    int from = run[0];
    int blocks = run[1] - from;
    long firstBlock = refs.get(from).block();
    ByteBuffer pooled = buffers.poll();
    ByteBuffer copy = (pooled != null ? pooled
        : ByteBuffer.allocateDirect(RUN_BLOCKS * BLOCK_SIZE)).clear().limit(blocks * BLOCK_SIZE);
    byte[] st = new byte[blocks];
    try {
      m.device.read(firstBlock, copy.duplicate());
    } catch (IOException e) {
      for (int i = 0; i < blocks; i++) {
        try {
          m.device.read(firstBlock + i,
              copy.duplicate().position(i * BLOCK_SIZE).limit((i + 1) * BLOCK_SIZE));
        } catch (IOException one) {
          st[i] = UNREADABLE;
        }
      }
    }
    for (int i = 0; i < blocks; i++) {
      if (st[i] == GOOD && !refs.get(from + i).checksum().matches(copy, i * BLOCK_SIZE,
          BLOCK_SIZE)) {
        st[i] = CSUM;
      }
    }
    state[mirror] = st;
    copies[mirror] = copy;
  }

  /**
   * On the submit thread that finished a run's last read: count each block's bad copies and hand
   * those with a good copy to endio-repair.
   */
  private void classify(int[] run, List<Mirror> mirrors, byte[][] state, ByteBuffer[] copies) {
    AtomicInteger left = new AtomicInteger(run[1] - run[0]);
    runCopies.put(left, copies);
    // Blocks whose every copy verified (the common case) are finished together, after the loop.
    int[] clean = new int[run[1] - run[0]];
    int cleanCount = 0;
    for (int i = 0; i < run[1] - run[0]; i++) {
      int index = run[0] + i;
      if (allGood(state, i) && !mirrors.isEmpty()) {
        clean[cleanCount++] = index;
        continue;
      }
      BlockRef ref = refs.get(index);
      List<Mirror> bad = new ArrayList<>();
      ByteBuffer good = null;
      int csum = 0;
      int read = 0;
      for (int k = 0; k < mirrors.size(); k++) {
        Mirror m = mirrors.get(k);
        byte st = state[k][i];
        if (st == UNREADABLE) {
          m.readError();
          readErrors.incrementAndGet();
          read++;
          bad.add(m);
        } else if (st == CSUM) {
          m.corruptionError();
          csumErrors.incrementAndGet();
          csum++;
          bad.add(m);
        } else if (good == null) {
          good = copies[k].duplicate().position(i * BLOCK_SIZE).limit((i + 1) * BLOCK_SIZE)
              .slice();
        }
      }
      int csumErrs = csum;
      int readErrs = read;
      if (bad.isEmpty()) { // no mirror left to read it from
        blockDone(left, index, 0, 0, 0, 0);
      } else if (good == null) {
        uncorrectable.addAndGet(bad.size());
        volume.countUncorrectable(bad.size());
        log.warn("scrub: block {} has no good copy on any of {} mirrors", ref.block(), bad.size());
        blockDone(left, index, csumErrs, readErrs, 0, bad.size());
      } else {
        ByteBuffer source = good;
        Step.queue(volume.endioRepair, result, () -> {
          long fixed = volume.rewrite(ref.block(), source, bad);
          corrected.addAndGet(fixed);
          uncorrectable.addAndGet(bad.size() - fixed);
          blockDone(left, index, csumErrs, readErrs, (int) fixed, (int) (bad.size() - fixed));
        });
      }
    }
    if (cleanCount > 0) {
      cleanBlocksDone(left, clean, cleanCount);
    }
  }

  /** Whether every mirror's copy of block {@code i} of a run verified. */
  private static boolean allGood(byte[][] state, int i) {
    for (byte[] st : state) {
      if (st[i] != GOOD) {
        return false;
      }
    }
    return true;
  }

  /**
   * {@link #blockDone} for {@code n} blocks of one run (indices {@code clean[0..n)}, rising) whose
   * every copy verified: nothing to count, one progress call for them all.
   */
  private void cleanBlocksDone(AtomicInteger left, int[] clean, int n) {
    boolean runDone = left.addAndGet(-n) == 0;
    if (runDone) {
      recycle(left);
    }
    boolean last;
    synchronized (this) {
      done += n;
      last = done == refs.size();
      for (int k = 0; k < n; k++) {
        finished.set(clean[k]);
      }
      progress();
      advanceBelow();
    }
    finishedBlocks(last, runDone);
  }

  /** A run's last block is done: its copies are no longer read, so its buffers are reused. */
  private void recycle(AtomicInteger left) {
    for (ByteBuffer b : runCopies.remove(left)) {
      if (b != null) {
        buffers.add(b);
      }
    }
  }

  /** After blocks finished: completes the scrub after the last one, or starts the next run. */
  private void finishedBlocks(boolean last, boolean runDone) {
    if (last) {
      result.complete(new ScrubReport(refs.size(), csumErrors.get(), readErrors.get(),
          corrected.get(), uncorrectable.get()));
    } else if (runDone) {
      startNext();
    }
  }

  /** A block is finished; {@code left} counts its run's unfinished blocks. */
  private void blockDone(AtomicInteger left, int index, int csum, int read, int fixed,
      int unfixed) {
    boolean runDone = left.decrementAndGet() == 0;
    if (runDone) { // every repair of the run has rewritten from its copies: reuse them
      recycle(left);
    }
    boolean last;
    synchronized (this) {
      done++;
      last = done == refs.size();
      counts[0][index] = (byte) csum;
      counts[1][index] = (byte) read;
      counts[2][index] = (byte) fixed;
      counts[3][index] = (byte) unfixed;
      finished.set(index);
      progress();
      advanceBelow();
    }
    finishedBlocks(last, runDone);
  }

  /** Moves the finished prefix on and tells the listener where it ends. Holds this. */
  private void advanceBelow() {
    int from = below;
    while (below < refs.size() && finished.get(below)) {
      for (int c = 0; c < 4; c++) {
        prefix[c] += counts[c][below];
      }
      below++;
    }
    if (below == from) {
      return;
    }
    long block = below < refs.size() ? refs.get(below).block() : refs.get(below - 1).block() + 1;
    try {
      listener.scrubbedBelow(block,
          new ScrubReport(below, prefix[0], prefix[1], prefix[2], prefix[3]));
    } catch (RuntimeException e) {
      log.warn("scrub listener threw; the scrub goes on", e);
    }
  }

  private void progress() {
    try {
      listener.progress(done, refs.size());
    } catch (RuntimeException e) {
      log.warn("scrub listener threw; the scrub goes on", e);
    }
  }
}
