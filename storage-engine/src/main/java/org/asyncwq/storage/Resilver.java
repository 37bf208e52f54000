package org.asyncwq.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.locks.ReadWriteLock;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.BlockRef;
import org.asyncwq.storage.block.Checksum;
import org.asyncwq.storage.block.ScrubListener;

/**
 * Replacing a mirror while the store stays in use (md's resilver, btrfs replace).
 *
 * <ol>
 *   <li>From now on every write, page and superblock is also written to the new device.
 *   <li>Wait until every change that started before that has committed (new changes wait
 *       meanwhile; reads go on): each block they wrote before step 1 is then referenced by the
 *       newest commit.
 *   <li>Pin the newest commit and copy every block it references, read verified from the healthy
 *       mirrors, to the new device. Later commits only reference blocks written after step 1 or
 *       copied here, and pinned blocks are not reused while copying.
 *   <li>With commits paused: copy both superblock slots, flush, and make the new device the mirror,
 *       with a freshly built volume so it starts healthy. The old device is handed back to the
 *       store, which keeps it (and its lock) until it closes.
 * </ol>
 */
final class Resilver {
  private static final Logger log = LogManager.getLogger(Resilver.class);
  private static final int RUN = 64;

  private final Mirrors mirrors;
  private final Committer committer;
  private final ReadWriteLock changes;
  private final java.util.function.Consumer<BlockDevice> retire;

  /**
   * @param retire takes the replaced device, which the store keeps open (so its lock stays held:
   *     closing a channel drops every POSIX lock this process holds on that file) until it closes
   */
  Resilver(Mirrors mirrors, Committer committer, ReadWriteLock changes,
      java.util.function.Consumer<BlockDevice> retire) {
    this.mirrors = mirrors;
    this.committer = committer;
    this.changes = changes;
    this.retire = retire;
  }

  void run(int m, BlockDevice target, ScrubListener listener) throws IOException {
    if (m < 0 || m >= mirrors.mirrors()) {
      throw new IllegalArgumentException("mirror must be 0 to " + (mirrors.mirrors() - 1)
          + ", got " + m);
    }
    long blocks = mirrors.volume().blockCount();
    if (target.blockCount() < blocks) {
      throw new IllegalArgumentException("the replacement has " + target.blockCount()
          + " blocks, the mirrors have " + blocks);
    }
    mirrors.startResilver(m, target);
    boolean done = false;
    try {
      changes.writeLock().lock();
      changes.writeLock().unlock();
      try (Snapshot s = committer.snapshot()) {
        List<BlockRef> refs = StoreChecks.references(mirrors, s.superblock());
        copy(refs, target, listener);
      }
      committer.exclusive(() -> {
        copySuperblocks(m, target);
        target.flush();
        retire.accept(mirrors.finishResilver(m, target));
        return null;
      });
      done = true;
      log.info("mirror {} replaced by {}", m, target);
    } finally {
      if (!done) {
        mirrors.stopResilver();
      }
    }
  }

  private void copy(List<BlockRef> refs, BlockDevice target, ScrubListener listener)
      throws IOException {
    int total = refs.size();
    int i = 0;
    while (i < total) {
      int j = i + 1;
      while (j < total && j - i < RUN && refs.get(j).block() == refs.get(j - 1).block() + 1) {
        j++;
      }
      List<Checksum> sums = refs.subList(i, j).stream().map(BlockRef::checksum).toList();
      ByteBuffer data = Mirrors.join(mirrors.read(refs.get(i).block(), sums));
      target.write(refs.get(i).block(), data.duplicate().clear());
      i = j;
      if (listener != null) {
        listener.progress(i, total);
      }
    }
    if (listener != null && total == 0) {
      listener.progress(0, 0);
    }
  }

  /** Both slots, from the first healthy mirror whose copy verifies, renumbered for {@code m}. */
  private void copySuperblocks(int m, BlockDevice target) throws IOException {
    for (int slot = 0; slot < Superblock.SLOTS; slot++) {
      for (int src = 0; src < mirrors.mirrors(); src++) {
        if (src == m || !mirrors.healthy(src)) {
          continue;
        }
        ByteBuffer b = ByteBuffer.allocate(BlockDevice.BLOCK_SIZE);
        mirrors.device(src).read(slot, b);
        Superblock.Read r = Superblock.decode(b.clear());
        if (r.ok()) {
          target.write(slot, r.superblock().forMirror(m).encode());
          break;
        }
      }
    }
  }
}
