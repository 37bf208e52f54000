package org.asyncwq.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.FaultyBlockDevice;
import org.asyncwq.storage.block.FileBlockDevice;
import org.asyncwq.storage.block.MemoryBlockDevice;
import org.asyncwq.storage.block.ScrubReport;
import org.asyncwq.storage.block.UncorrectableDataException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Issue 11 point 2: self-healing through the store. */
@Timeout(120)
class StoreSelfHealingTest {
  private final FaultyBlockDevice m0 = new FaultyBlockDevice(new MemoryBlockDevice(4096));
  private final FaultyBlockDevice m1 = new FaultyBlockDevice(new MemoryBlockDevice(4096));

  private Store store() throws Exception {
    return Store.create(List.of(m0, m1), StoreOptions.defaults());
  }

  private static byte[] block(BlockDevice d, long b) throws Exception {
    ByteBuffer buf = ByteBuffer.allocate(BlockDevice.BLOCK_SIZE);
    d.read(b, buf);
    return buf.array();
  }

  @Test
  void aCorruptDataBlockOnMirror0IsReadFromMirror1AndRewritten() throws Exception {
    byte[] data = StoreRoundTripTest.random(3, 30_000);
    try (Store s = store()) {
      s.put("x", new ByteArrayInputStream(data));
      List<BlockLocation> where = s.locate("x", 9000);
      assertThat(where).extracting(BlockLocation::mirror).containsExactly(0, 1);
      long b = where.get(0).block();
      assertThat(where.get(1).block()).isEqualTo(b);
      m0.corrupt(b, 17);
      long writes = m0.writes(b);
      for (int i = 0; i < 4 && m0.writes(b) == writes; i++) {
        assertThat(s.read("x")).isEqualTo(data);
      }
      assertThat(m0.writes(b)).as("mirror 0's bad copy rewritten").isEqualTo(writes + 1);
      assertThat(block(m0, b)).isEqualTo(block(m1, b));
      assertThat(s.stats().volume().corrected()).isEqualTo(1);
    }
  }

  @Test
  void aCorruptMetadataPageOnOneMirrorStillOpensReadsAndScrubRepairsIt() throws Exception {
    byte[] data = StoreRoundTripTest.random(4, 300_000);
    long root;
    try (Store s = store()) {
      for (int i = 0; i < 30; i++) {
        s.put("obj" + i, new ByteArrayInputStream(data));
      }
      // The newest superblock's directory root: a metadata page.
      Superblock.Read a = Superblock.decode(ByteBuffer.wrap(block(m0, 0)));
      Superblock.Read b = Superblock.decode(ByteBuffer.wrap(block(m0, 1)));
      Superblock newest = a.superblock().generation() > b.superblock().generation()
          ? a.superblock() : b.superblock();
      root = newest.directory().block();
      m1.corrupt(root, 40);
      ScrubReport first = s.scrub((done, total) -> {}).get();
      // The scrub walks the trees through verified reads first; whichever of that read and
      // the scrub met the bad copy (the walk does when the root's reads go to mirror 1)
      // repaired it: exactly one copy rewritten, which the volume counts either way.
      assertThat(s.stats().volume().corrected()).isEqualTo(1);
      assertThat(first.corrected()).isBetween(0L, 1L);
      assertThat(first.uncorrectable()).isZero();
      assertThat(block(m1, root)).isEqualTo(block(m0, root));
      ScrubReport second = s.scrub((done, total) -> {}).get();
      assertThat(second.csumErrors()).isZero();
      assertThat(second.blocks()).isEqualTo(first.blocks());
      m0.corrupt(root, 41); // now only mirror 1's (repaired) copy is good
      for (int i = 0; i < 30; i += 7) {
        assertThat(s.read("obj" + i)).isEqualTo(data);
      }
      assertThat(s.check().problems()).isEmpty();
    }
  }

  @Test
  void aStoreWhoseDirectoryRootIsCorruptOnOneMirrorOpensReadsAndScrubRepairsIt(@TempDir Path dir)
      throws Exception {
    byte[] data = StoreRoundTripTest.random(7, 100_000);
    StoreOptions options = StoreOptions.builder().mirrors(2).deviceSize(16L << 20).build();
    try (Store s = Store.create(dir, options)) {
      for (int i = 0; i < 10; i++) {
        s.put("obj" + i, new ByteArrayInputStream(data));
      }
    }
    long root;
    try (FaultyBlockDevice d0 = new FaultyBlockDevice(FileBlockDevice.open(dir.resolve("mirror-0.img")))) {
      Superblock.Read a = Superblock.decode(ByteBuffer.wrap(block(d0, 0)));
      Superblock.Read b = Superblock.decode(ByteBuffer.wrap(block(d0, 1)));
      Superblock newest = a.superblock().generation() > b.superblock().generation()
          ? a.superblock() : b.superblock();
      root = newest.directory().block();
      d0.corrupt(root, 40); // damaged while the store was closed
      d0.flush();
    }

    try (Store s = Store.open(dir)) {
      assertThat(s.list("")).hasSize(10);
      for (int i = 0; i < 10; i++) {
        assertThat(s.read("obj" + i)).isEqualTo(data);
      }
      ScrubReport scrub = s.scrub((done, total) -> {}).get();
      assertThat(scrub.uncorrectable()).isZero();
      assertThat(s.scrub((done, total) -> {}).get().csumErrors()).isZero();
      assertThat(s.check().problems()).isEmpty();
    }
    try (BlockDevice d0 = FileBlockDevice.open(dir.resolve("mirror-0.img"));
        BlockDevice d1 = FileBlockDevice.open(dir.resolve("mirror-1.img"))) {
      assertThat(block(d0, root)).as("mirror 0's root rewritten").isEqualTo(block(d1, root));
    }
  }

  @Test
  void damageOnEveryMirrorFailsOnlyThatObjectUncorrectably() throws Exception {
    try (Store s = store()) {
      s.put("bad", new ByteArrayInputStream(StoreRoundTripTest.random(5, 20_000)));
      s.put("good", new ByteArrayInputStream(StoreRoundTripTest.random(6, 20_000)));
      long b = s.locate("bad", 4096).get(0).block();
      m0.corrupt(b, 1);
      m1.corrupt(b, 2);
      assertThatThrownBy(() -> s.read("bad")).isInstanceOf(UncorrectableDataException.class);
      assertThat(s.read("good")).isEqualTo(StoreRoundTripTest.random(6, 20_000));
      assertThat(s.stat("bad")).isPresent();
      assertThat(s.check().problems()).singleElement().asString().contains("\"bad\"");
    }
  }
}
