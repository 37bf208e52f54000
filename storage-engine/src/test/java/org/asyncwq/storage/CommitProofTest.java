package org.asyncwq.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What open's proof of an unsealed newest commit reads: exactly the blocks that commit's round
 * wrote, so its cost is bounded by the round, not by the store or the object: a small put's
 * commit is its data block, its extent map and the directory path; a put larger than 64 MiB
 * flushed its leading blocks itself as it streamed, and the proof reads only its tail.
 */
@Timeout(120)
class CommitProofTest {
  @TempDir Path dir;

  @Test
  void theProofOfASmallPutsCommitReadsItsDataBlockItsExtentMapAndTheDirectoryPathOnly()
      throws Exception {
    try (Store s = Store.create(dir, StoreOptions.builder().deviceSize(16L << 20).build())) {
      for (int i = 0; i < 200; i++) {
        s.put("object-" + i, new ByteArrayInputStream(StoreRoundTripTest.random(i, 3000)));
      }
      // A replacement of the same size: the record keeps its size, so no page splits.
      s.put("object-77", new ByteArrayInputStream(StoreRoundTripTest.random(1, 3000)));
      Superblock sb = s.committedSuperblock();
      int height = new org.asyncwq.storage.tree.CowTree(s.mirrors(),
          org.asyncwq.storage.tree.PageKind.DIRECTORY, Store.DIRECTORY_OWNER, sb.directory())
          .height();
      assertThat(height).as("a directory of more than one level").isGreaterThan(1);
      // 1 data block, 1 extent-map page, and one directory page per level on the changed path:
      // nothing of the 200 other objects, nor the directory pages the commit did not change.
      assertThat(CommitProof.verify(s.mirrors(), sb)).isEqualTo(2 + height);
    }
  }

  @Test
  void aPutOverSixtyFourMebibytesFlushesAsItStreamsSoTheProofReadsOnlyItsTail()
      throws Exception {
    long size = (70L << 20) + 5;
    long blocks = (size + 4095) / 4096;
    try (Store s = Store.create(dir, StoreOptions.builder().deviceSize(96L << 20).build())) {
      s.put("big", StoreStreamingTest.generated(size, 3));
      long proved = CommitProof.verify(s.mirrors(), s.committedSuperblock());
      long tail = blocks - PutWriter.FLUSH_BLOCKS;
      // The tail's data blocks (the flush comes at the first completed chunk at or past 64 MiB,
      // less than two chunks late), plus the extent map's pages and the directory page.
      assertThat(proved).isGreaterThan(tail - 2 * PutWriter.CHUNK_BLOCKS).isLessThan(tail + 100);
    }
  }
}
