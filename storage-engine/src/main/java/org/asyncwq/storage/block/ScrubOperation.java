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
 * One {@link MirroredVolume#scrub}: for each block, read every healthy mirror's copy (on {@code
 * submit}), verify them (on {@code endio}), and rewrite the bad copies from a good one (on {@code
 * endio-repair}). A window of blocks is in flight at once; each finished block starts the next, so
 * a scrub of any size holds a bounded amount of memory and never floods the queues.
 */
final class ScrubOperation {
  private static final Logger log = LogManager.getLogger(ScrubOperation.class);
  private static final int WINDOW = 32;

  private final MirroredVolume volume;
  private final List<BlockRef> refs;
  private final ScrubListener listener;
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
  final CompletableFuture<ScrubReport> result = new CompletableFuture<>();

  ScrubOperation(MirroredVolume volume, List<BlockRef> refs, ScrubListener listener) {
    this.volume = volume;
    this.refs = refs;
    this.listener = listener;
    this.counts = new byte[4][refs.size()];
    this.finished = new java.util.BitSet(refs.size());
  }

  CompletableFuture<ScrubReport> start() {
    if (refs.isEmpty()) {
      progress();
      result.complete(new ScrubReport(0, 0, 0, 0, 0));
      return result;
    }
    for (int i = 0; i < Math.min(WINDOW, refs.size()); i++) {
      startNext();
    }
    return result;
  }

  private void startNext() {
    int i = next.getAndIncrement();
    if (i < refs.size()) {
      Step.queue(volume.submit, result, () -> readCopies(i, refs.get(i)));
    }
  }

  /** On submit: every healthy mirror's copy of one block. */
  private void readCopies(int index, BlockRef ref) {
    List<Mirror> mirrors = volume.healthyMirrors();
    List<ByteBuffer> copies = new ArrayList<>(mirrors.size());
    for (Mirror m : mirrors) {
      ByteBuffer copy = ByteBuffer.allocate(BLOCK_SIZE);
      try {
        m.device.read(ref.block(), copy);
      } catch (IOException e) {
        copy = null;
      }
      copies.add(copy);
    }
    Step.queue(volume.endio, result, () -> verify(index, ref, mirrors, copies));
  }

  /** On endio: classify each copy; hand bad ones with a good copy to endio-repair. */
  private void verify(int index, BlockRef ref, List<Mirror> mirrors, List<ByteBuffer> copies) {
    List<Mirror> bad = new ArrayList<>();
    ByteBuffer good = null;
    int csum = 0;
    int read = 0;
    for (int k = 0; k < mirrors.size(); k++) {
      Mirror m = mirrors.get(k);
      ByteBuffer copy = copies.get(k);
      if (copy == null) {
        m.readError();
        readErrors.incrementAndGet();
        read++;
        bad.add(m);
      } else if (!ref.checksum().matches(copy, 0, BLOCK_SIZE)) {
        m.corruptionError();
        csumErrors.incrementAndGet();
        csum++;
        bad.add(m);
      } else if (good == null) {
        good = copy;
      }
    }
    int csumErrs = csum;
    int readErrs = read;
    if (bad.isEmpty()) {
      blockDone(index, 0, 0, 0, 0);
    } else if (good == null) {
      uncorrectable.addAndGet(bad.size());
      volume.countUncorrectable(bad.size());
      log.warn("scrub: block {} has no good copy on any of {} mirrors", ref.block(), bad.size());
      blockDone(index, csumErrs, readErrs, 0, bad.size());
    } else {
      ByteBuffer source = good;
      Step.queue(volume.endioRepair, result, () -> {
        long fixed = volume.rewrite(ref.block(), source, bad);
        corrected.addAndGet(fixed);
        uncorrectable.addAndGet(bad.size() - fixed);
        blockDone(index, csumErrs, readErrs, (int) fixed, (int) (bad.size() - fixed));
      });
    }
  }

  private void blockDone(int index, int csum, int read, int fixed, int unfixed) {
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
    if (last) {
      result.complete(new ScrubReport(refs.size(), csumErrors.get(), readErrors.get(),
          corrected.get(), uncorrectable.get()));
    } else {
      startNext();
    }
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
