package org.asyncwq.storage;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.Checksum;
import org.asyncwq.storage.block.ChecksumType;
import org.asyncwq.storage.block.DeviceState;
import org.asyncwq.storage.block.MirroredVolume;
import org.asyncwq.storage.block.StorageQueues;
import org.asyncwq.storage.tree.PageDevice;

/**
 * The store's view of its devices: the mirrored volume for data and pages, direct per-device IO for
 * the superblocks (each mirror's carries its own index), and, while a mirror is being replaced, the
 * new device that every write is copied to as well.
 */
final class Mirrors implements PageDevice, AutoCloseable {
  private static final Logger log = LogManager.getLogger(Mirrors.class);

  private final List<BlockDevice> devices;
  private final StorageQueues queues;
  private final ChecksumType type;
  private volatile MirroredVolume volume;
  private volatile BlockDevice resilverTarget;

  Mirrors(List<BlockDevice> devices, MirroredVolume volume, StorageQueues queues) {
    this.devices = new ArrayList<>(devices);
    this.queues = queues;
    this.type = volume.checksumType();
    this.volume = volume;
  }

  private MirroredVolume build() {
    return MirroredVolume.builder(devices).checksum(type).queues(queues).build();
  }

  MirroredVolume volume() {
    return volume;
  }

  int mirrors() {
    return devices.size();
  }

  synchronized BlockDevice device(int mirror) {
    return devices.get(mirror);
  }

  @Override
  public ChecksumType checksumType() {
    return type;
  }

  @Override
  public CompletableFuture<List<Checksum>> write(long block, ByteBuffer data) {
    BlockDevice target = resilverTarget;
    ByteBuffer copy = target == null ? null : data.duplicate();
    CompletableFuture<List<Checksum>> f = volume.write(block, data);
    if (target == null) {
      return f;
    }
    return f.thenApplyAsync(sums -> {
      try {
        target.write(block, copy);
      } catch (IOException e) {
        throw new UncheckedIOException("writing the replacement mirror failed", e);
      }
      return sums;
    }, queues.executor(StorageQueues.SUBMIT));
  }

  /**
   * {@link #write} on the calling thread ({@link MirroredVolume#writeOnCaller}): complete when it
   * returns. While a mirror is being resilvered it is the queued {@link #write}, which copies to
   * the replacement too.
   */
  CompletableFuture<List<Checksum>> writeOnCaller(long block, ByteBuffer data) {
    if (resilverTarget != null) {
      return write(block, data);
    }
    return volume.writeOnCaller(block, data);
  }

  /**
   * The mirrors as a page device whose healthy reads and whose writes run on the calling thread
   * ({@link #readOnCaller}, {@link #writeOnCaller}): for a put's extent map and a commit's pages,
   * written one block at a time by a thread that waits for them anyway.
   */
  PageDevice onCaller() {
    return onCaller;
  }

  private final PageDevice onCaller = new PageDevice() {
    @Override
    public ChecksumType checksumType() {
      return type;
    }

    @Override
    public ByteBuffer read(long block, Checksum expected) throws IOException {
      return joinReading(readOnCaller(block, List.of(expected)));
    }

    @Override
    public CompletableFuture<?> write(long block, ByteBuffer page) {
      return writeOnCaller(block, page);
    }
  };

  CompletableFuture<ByteBuffer> read(long block, List<Checksum> expected) {
    CompletableFuture<ByteBuffer> outside = outsideDataArea(block, expected.size());
    return outside != null ? outside : volume.read(block, expected);
  }

  /**
   * {@link #read(long, List)} with the healthy path on the calling thread ({@link
   * MirroredVolume#readOnCaller}): for a caller that waits for the bytes anyway.
   */
  CompletableFuture<ByteBuffer> readOnCaller(long block, List<Checksum> expected) {
    CompletableFuture<ByteBuffer> outside = outsideDataArea(block, expected.size());
    return outside != null ? outside : volume.readOnCaller(block, expected);
  }

  /** {@link #readOnCaller(long, List)} into the caller's {@code dst} (exactly the blocks). */
  CompletableFuture<ByteBuffer> readOnCaller(long block, List<Checksum> expected, ByteBuffer dst) {
    CompletableFuture<ByteBuffer> outside = outsideDataArea(block, expected.size());
    return outside != null ? outside : volume.readOnCaller(block, expected, dst);
  }

  private CompletableFuture<ByteBuffer> outsideDataArea(long block, int blocks) {
    long end = devices.get(0).blockCount();
    if (block < Superblock.SLOTS || block > end - blocks) {
      return CompletableFuture.failedFuture(new CorruptStoreException("metadata references blocks "
          + block + "+" + blocks + ", outside the data area [" + Superblock.SLOTS + ", "
          + end + ") (damaged metadata)"));
    }
    return null;
  }

  /** A verified page for a reader: an interrupt does not cut it short (see {@link #joinReading}). */
  @Override
  public ByteBuffer read(long block, Checksum expected) throws IOException {
    return joinReading(read(block, List.of(expected)));
  }

  /**
   * Flushes every healthy mirror (and the replacement being resilvered), all at once: the first on
   * the calling thread, the others on {@code submit} ({@link MirroredVolume#flushOnCaller}).
   */
  void flush() throws IOException {
    join(volume.flushOnCaller());
    BlockDevice target = resilverTarget;
    if (target != null) {
      target.flush();
    }
  }

  /** Whether mirror {@code m} takes part in IO (not evicted as faulty). */
  boolean healthy(int m) {
    return volume.deviceStats().get(m).state() == DeviceState.HEALTHY;
  }

  /**
   * Writes {@code sb} to its slot on every healthy mirror (and the replacement being resilvered),
   * then flushes every mirror once, all at the same time ({@link #flush}): the one flush round of a
   * commit, which makes the superblock and everything written before it durable together. Fails
   * when no mirror took the superblock or no mirror flushed.
   */
  void writeSuperblock(Superblock sb) throws IOException {
    int ok = 0;
    IOException last = null;
    for (int m = 0; m < devices.size(); m++) {
      if (!healthy(m)) {
        continue;
      }
      try {
        device(m).write(sb.slot(), sb.forMirror(m).encode());
        ok++;
      } catch (IOException e) {
        log.warn("superblock write to mirror {} failed: {}", m, e.toString());
        last = e;
      }
    }
    BlockDevice target = resilverTarget;
    if (target != null) {
      target.write(sb.slot(), sb.forMirror(resilverMirror).encode());
    }
    if (ok == 0) {
      throw new IOException("no mirror took superblock generation " + sb.generation(), last);
    }
    flush();
  }

  private volatile int resilverMirror;

  /** From now on every write also goes to {@code target}, the future mirror {@code m}. */
  void startResilver(int m, BlockDevice target) {
    this.resilverMirror = m;
    this.resilverTarget = target;
  }

  /**
   * Makes {@code target} mirror {@code m} and rebuilds the volume so the new mirror starts healthy
   * with clean counters; returns the device it replaced. Callers hold the commit lock.
   */
  synchronized BlockDevice finishResilver(int m, BlockDevice target) {
    BlockDevice old = devices.set(m, target);
    resilverTarget = null;
    // The retired volume is never closed: closing a volume closes its devices, which the new
    // volume shares. It has no IO in flight once the caller holds the commit lock and the
    // resilver's reads are done, and it owns no queues.
    volume = build();
    return old;
  }

  void stopResilver() {
    resilverTarget = null;
  }

  /** Closes the volume, and with it every device. */
  @Override
  public synchronized void close() {
    volume.close();
  }

  /** Waits for {@code f}, turning its failure back into the IOException it carries. */
  static <T> T join(Future<T> f) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted waiting for storage IO");
    } catch (ExecutionException e) {
      throw unwrap(e.getCause());
    } catch (CancellationException e) {
      throw new IOException("storage IO cancelled", e);
    }
  }

  /**
   * Waits for a read's {@code f} as {@link #join} does, but an interrupt does not cut the wait
   * short: the read completes (it is storage IO, bounded by the devices) and the caller's
   * interrupt flag stays set ({@link CompletableFuture#join} waits that way). Gets keep this
   * contract: an interrupted get returns the verified bytes with the flag still set.
   */
  static <T> T joinReading(CompletableFuture<T> f) throws IOException {
    try {
      return f.join();
    } catch (CompletionException e) {
      throw unwrap(e);
    } catch (CancellationException e) {
      throw new IOException("storage IO cancelled", e);
    }
  }

  static IOException unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof UncheckedIOException u) {
      return u.getCause();
    }
    if (t instanceof IOException io) {
      return io;
    }
    if (t instanceof RuntimeException r) {
      throw r;
    }
    if (t instanceof Error err) {
      throw err;
    }
    return new IOException(t);
  }
}
