package org.asyncwq.storage.block;

import static org.asyncwq.storage.block.BlockDevice.BLOCK_SIZE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The volume's unverified per-mirror operations: flush of every healthy mirror, and reads and
 * writes of one mirror. Device IO runs on {@code submit}; completions on {@code endio} (reads) and
 * {@code endio-write} (writes, flushes), where failures are counted against the mirror.
 */
final class MirrorIo {
  private MirrorIo() {}

  /** Flushes every target concurrently; succeeds if at least one did. */
  static CompletableFuture<Void> flush(MirroredVolume volume, List<Mirror> targets) {
    CompletableFuture<Void> result = new CompletableFuture<>();
    FlushCount count = new FlushCount(targets, result);
    for (Mirror m : targets) {
      Step.queue(volume.submit, result, () -> {
        IOException failure = flushOne(m);
        Step.queue(volume.endioWrite, result, () -> count.ended(m, failure));
      });
    }
    return result;
  }

  /**
   * Flushes the first target on the calling thread and the others on {@code submit}, all at
   * once; each flush records its own end, and the last one completes the result.
   */
  static CompletableFuture<Void> flushOnCaller(MirroredVolume volume, List<Mirror> targets) {
    if (Thread.currentThread().isInterrupted()) {
      return flush(volume, targets);
    }
    CompletableFuture<Void> result = new CompletableFuture<>();
    FlushCount count = new FlushCount(targets, result);
    for (int i = 1; i < targets.size(); i++) {
      Mirror m = targets.get(i);
      Step.queue(volume.submit, result, () -> count.ended(m, flushOne(m)));
    }
    Mirror first = targets.get(0);
    count.ended(first, flushOne(first));
    return result;
  }

  private static IOException flushOne(Mirror m) {
    try {
      m.device.flush();
      return null;
    } catch (IOException e) {
      return e;
    }
  }

  /**
   * The flushes of one {@link #flush} or {@link #flushOnCaller}: the last to end completes the
   * result.
   */
  private static final class FlushCount {
    private final AtomicInteger pending;
    private final AtomicInteger flushed = new AtomicInteger();
    private final IOException failures;
    private final CompletableFuture<Void> result;

    FlushCount(List<Mirror> targets, CompletableFuture<Void> result) {
      this.pending = new AtomicInteger(targets.size());
      this.failures = new IOException("flush failed on every mirror " + targets);
      this.result = result;
    }

    void ended(Mirror m, IOException failure) {
      if (failure == null) {
        flushed.incrementAndGet();
      } else {
        m.flushError();
        synchronized (failures) {
          failures.addSuppressed(failure);
        }
      }
      if (pending.decrementAndGet() == 0) {
        if (flushed.get() > 0) {
          result.complete(null);
        } else {
          result.completeExceptionally(failures);
        }
      }
    }
  }

  /** Reads {@code blocks} blocks of one mirror, unverified. */
  static CompletableFuture<ByteBuffer> read(MirroredVolume volume, Mirror m, long firstBlock,
      int blocks) {
    if (!m.healthy()) {
      return CompletableFuture.failedFuture(new IOException("readMirror: " + m + " is faulty"));
    }
    CompletableFuture<ByteBuffer> result = new CompletableFuture<>();
    ByteBuffer data = ByteBuffer.allocate(blocks * BLOCK_SIZE);
    Step.queue(volume.submit, result, () -> {
      IOException failure = null;
      try {
        m.device.read(firstBlock, data.duplicate());
      } catch (IOException e) {
        failure = e;
      }
      IOException f = failure;
      Step.queue(volume.endio, result, () -> {
        if (f != null) {
          m.readError();
          result.completeExceptionally(f);
        } else {
          result.complete(data);
        }
      });
    });
    return result;
  }

  /** Writes {@code src} to one mirror. */
  static CompletableFuture<Void> write(MirroredVolume volume, Mirror m, long firstBlock,
      ByteBuffer src) {
    if (!m.healthy()) {
      return CompletableFuture.failedFuture(new IOException("writeMirror: " + m + " is faulty"));
    }
    CompletableFuture<Void> result = new CompletableFuture<>();
    Step.queue(volume.submit, result, () -> {
      IOException failure = null;
      try {
        m.device.write(firstBlock, src);
      } catch (IOException e) {
        failure = e;
      }
      IOException f = failure;
      Step.queue(volume.endioWrite, result, () -> {
        if (f != null) {
          m.writeError();
          result.completeExceptionally(f);
        } else {
          result.complete(null);
        }
      });
    });
    return result;
  }
}
