package org.asyncwq.storage.block;

import static org.asyncwq.storage.block.BlockDevice.BLOCK_SIZE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.asyncwq.storage.Store;
import org.asyncwq.storage.StoreOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, cold reads: {@link FileBlockDevice#openDirectReads} reads with O_DIRECT, sees what was
 * written through the page cache, and a store opens and reads on such devices. The temporary
 * directory is on the build's disk (ext4 here), which supports O_DIRECT.
 */
@Timeout(60)
class FileBlockDeviceDirectTest {
  @TempDir Path dir;

  @Test
  void directReadsReturnWhatBufferedWritesWroteAtAnyLengthAndOffset() throws Exception {
    Path f = dir.resolve("d.img");
    ByteBuffer data = Fixtures.data(600, 77); // more than one 1 MiB piece
    try (FileBlockDevice w = FileBlockDevice.create(f, 1024)) {
      w.write(3, data.duplicate());
      try (FileBlockDevice d = FileBlockDevice.openDirectReads(f)) {
        assertThat(d.directReads()).isTrue();
        assertThat(d.blockCount()).isEqualTo(1024);
        ByteBuffer all = ByteBuffer.allocate(600 * BLOCK_SIZE);
        d.read(3, all);
        assertThat(all.flip()).isEqualTo(data);
        ByteBuffer one = ByteBuffer.allocate(BLOCK_SIZE);
        d.read(3 + 599, one);
        assertThat(one.flip()).isEqualTo(data.duplicate().position(599 * BLOCK_SIZE));
        // writes through the direct-read device stay buffered and are read back
        d.write(700, data.duplicate().limit(BLOCK_SIZE));
        d.read(700, one.clear());
        assertThat(one.flip()).isEqualTo(data.duplicate().limit(BLOCK_SIZE));
        assertThatThrownBy(() -> d.read(1024, ByteBuffer.allocate(BLOCK_SIZE)))
            .isInstanceOf(IllegalArgumentException.class);
      }
    }
  }

  @Test
  void aStoreOpensOnDirectReadDevicesAndReadsVerifiedBytes() throws Exception {
    byte[] big = new byte[(1 << 20) + 123];
    new java.util.Random(5).nextBytes(big);
    try (Store s = Store.create(dir.resolve("s"), StoreOptions.builder().mirrors(2)
        .deviceSize(32L << 20).build())) {
      s.put("big", new ByteArrayInputStream(big));
    }
    List<BlockDevice> devices = new ArrayList<>();
    for (int m = 0; m < 2; m++) {
      devices.add(FileBlockDevice.openDirectReads(dir.resolve("s").resolve("mirror-" + m + ".img")));
    }
    try (Store s = Store.open(devices)) {
      for (int i = 0; i < 2; i++) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        s.get("big", out);
        assertThat(out.toByteArray()).isEqualTo(big);
      }
      assertThat(s.check().problems()).isEmpty();
    }
  }

  @Test
  void aFileThatDoesNotExistIsRefusedWithItsName() {
    assertThatThrownBy(() -> FileBlockDevice.openDirectReads(dir.resolve("missing.img")))
        .isInstanceOf(java.nio.file.NoSuchFileException.class).hasMessageContaining("missing.img");
  }
}
