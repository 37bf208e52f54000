package org.asyncwq.storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.asyncwq.storage.block.BlockRef;
import org.asyncwq.storage.block.ScrubListener;
import org.asyncwq.storage.block.ScrubReport;

/**
 * A scrub of the blocks the newest commit references within a range of device blocks, in
 * ascending block order: the commit is pinned ({@link Committer#snapshot}) from the moment its
 * references are listed until the volume's scrub of them ends, so none is reused meanwhile.
 */
final class CommitScrub {
  private CommitScrub() {}

  /**
   * Scrubs the newest commit's blocks in {@code [fromBlock, toBlock)}; a failure to list them
   * fails the returned future.
   */
  static CompletableFuture<ScrubReport> start(Committer committer, Mirrors mirrors,
      long fromBlock, long toBlock, ScrubListener listener) {
    try {
      Snapshot s = committer.snapshot();
      List<BlockRef> refs;
      try {
        refs = new ArrayList<>();
        for (BlockRef ref : StoreChecks.references(mirrors, s.superblock())) {
          if (ref.block() >= fromBlock && ref.block() < toBlock) {
            refs.add(ref);
          }
        }
        refs.sort(java.util.Comparator.comparingLong(BlockRef::block));
      } catch (IOException | RuntimeException e) {
        s.close();
        throw e;
      }
      return mirrors.volume().scrub(refs, listener).whenComplete((r, t) -> s.close());
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
