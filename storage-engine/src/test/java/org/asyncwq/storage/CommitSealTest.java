package org.asyncwq.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.FaultyBlockDevice;
import org.asyncwq.storage.block.FileBlockDevice;
import org.asyncwq.storage.block.UncorrectableDataException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seal of format version 2: a commit the store knows complete (closed cleanly, or proved at an
 * open) is never rolled back, so damage to it on every mirror is reported as damage, as in version
 * 1; only a newest commit without the seal (its round may not have ended) is proved at open, and
 * opened at the previous commit if a block it wrote is bad on every mirror.
 */
@Timeout(60)
class CommitSealTest {
  private static final byte[] FIRST = StoreRoundTripTest.random(11, 9000);
  private static final byte[] LAST = StoreRoundTripTest.random(12, 9000);

  @TempDir Path dir;

  /** Puts "first" then "last", closes, and returns a block of "last" and the last generation. */
  private long[] twoCommits() throws Exception {
    try (Store s = Store.create(dir, StoreOptions.builder().deviceSize(4L << 20).build())) {
      s.put("first", new ByteArrayInputStream(FIRST));
      s.put("last", new ByteArrayInputStream(LAST));
      return new long[] {s.locate("last", 4096).get(0).block(), s.stats().generation()};
    }
  }

  private void damageOnBothMirrors(long block) throws Exception {
    for (int m = 0; m < 2; m++) {
      try (FaultyBlockDevice d = new FaultyBlockDevice(
          FileBlockDevice.open(dir.resolve("mirror-" + m + ".img")))) {
        d.corrupt(block, 100 + m);
        d.flush();
      }
    }
  }

  @Test
  void aCleanCloseSealsTheLastCommitSoDamageToItOnEveryMirrorIsReportedNotRolledBack()
      throws Exception {
    long[] last = twoCommits();
    assertThat(newest(0).sealed()).as("sealed at close").isTrue();
    damageOnBothMirrors(last[0]);
    try (Store s = Store.open(dir)) {
      assertThat(s.stats().generation()).isEqualTo(last[1]);
      assertThatThrownBy(() -> s.read("last")).isInstanceOf(UncorrectableDataException.class);
      assertThat(s.read("first")).isEqualTo(FIRST);
    }
  }

  @Test
  void anUnsealedNewestCommitWithABlockBadOnEveryMirrorOpensAtThePreviousCommitWhichIsSealedThen()
      throws Exception {
    long[] last = twoCommits();
    for (int m = 0; m < 2; m++) { // as if the power went before close: the seal never written
      try (BlockDevice d = FileBlockDevice.open(dir.resolve("mirror-" + m + ".img"))) {
        Superblock sb = newest(m);
        d.write(sb.slot(), new Superblock(sb.store(), m, sb.mirrors(), sb.checksum(), sb.groups(),
            sb.deviceBlocks(), sb.generation(), sb.nextObjectId(), sb.objects(), sb.directory())
            .encode());
        d.flush();
      }
    }
    assertThat(newest(0).sealed()).isFalse();
    damageOnBothMirrors(last[0]);
    try (Store s = Store.open(dir)) {
      assertThat(s.stats().generation()).isEqualTo(last[1] - 1);
      assertThat(s.stat("last")).isEmpty();
      assertThat(s.read("first")).isEqualTo(FIRST);
      assertThat(s.check().problems()).isEmpty();
    }
    assertThat(newest(0).generation()).isEqualTo(last[1] - 1);
    assertThat(newest(0).sealed()).as("the commit open took is sealed").isTrue();
  }

  @Test
  void anUnsealedNewestCommitWhoseBlocksAllVerifyOpensAndIsSealed() throws Exception {
    long[] last = twoCommits();
    for (int m = 0; m < 2; m++) {
      try (BlockDevice d = FileBlockDevice.open(dir.resolve("mirror-" + m + ".img"))) {
        Superblock sb = newest(m);
        d.write(sb.slot(), new Superblock(sb.store(), m, sb.mirrors(), sb.checksum(), sb.groups(),
            sb.deviceBlocks(), sb.generation(), sb.nextObjectId(), sb.objects(), sb.directory())
            .encode());
        d.flush();
      }
    }
    try (FaultyBlockDevice d = new FaultyBlockDevice(
        FileBlockDevice.open(dir.resolve("mirror-1.img")))) {
      d.corrupt(last[0], 5); // one mirror only: the proof repairs it
      d.flush();
    }
    try (Store s = Store.openReadOnly(dir)) {
      assertThat(s.stats().generation()).isEqualTo(last[1]);
    }
    assertThat(newest(0).sealed()).as("a read-only open writes no seal").isFalse();
    try (Store s = Store.open(dir)) {
      assertThat(s.stats().generation()).isEqualTo(last[1]);
      assertThat(s.read("last")).isEqualTo(LAST);
    }
    assertThat(newest(0).sealed()).isTrue();
    assertThat(newest(1).sealed()).isTrue();
    try (BlockDevice d0 = FileBlockDevice.open(dir.resolve("mirror-0.img"));
        BlockDevice d1 = FileBlockDevice.open(dir.resolve("mirror-1.img"))) {
      assertThat(block(d1, last[0])).as("mirror 1's copy repaired by the proof")
          .isEqualTo(block(d0, last[0]));
    }
  }

  private Superblock newest(int m) throws Exception {
    try (BlockDevice d = FileBlockDevice.open(dir.resolve("mirror-" + m + ".img"))) {
      Superblock best = null;
      for (int slot = 0; slot < Superblock.SLOTS; slot++) {
        Superblock.Read r = Superblock.decode(ByteBuffer.wrap(block(d, slot)));
        if (r.ok() && (best == null || r.superblock().generation() > best.generation())) {
          best = r.superblock();
        }
      }
      return best;
    }
  }

  private static byte[] block(BlockDevice d, long block) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(BlockDevice.BLOCK_SIZE);
    d.read(block, b);
    return b.array();
  }
}
