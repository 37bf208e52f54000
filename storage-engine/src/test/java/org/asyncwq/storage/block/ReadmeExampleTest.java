package org.asyncwq.storage.block;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The storage-engine example given in README.md, compiled and run as written there. */
@Timeout(60)
class ReadmeExampleTest {
  @TempDir Path dir;

  @Test
  void readmeExampleRepairsACorruptCopy() throws Exception {
    // --- README example starts here ---
    FaultyBlockDevice m0 = new FaultyBlockDevice(FileBlockDevice.create(dir.resolve("m0"), 1024));
    BlockDevice m1 = FileBlockDevice.create(dir.resolve("m1"), 1024);

    try (MirroredVolume volume = MirroredVolume.builder(List.of(m0, m1))
        .checksum(ChecksumType.XXH64)          // CRC32C by default; SHA256 too
        .build()) {
      ByteBuffer data = ByteBuffer.allocate(16 * BlockDevice.BLOCK_SIZE);   // 16 blocks
      List<Checksum> sums = volume.write(100, data).join();  // every mirror, one checksum a block
      volume.flush().join();

      m0.corrupt(105, 0);                                 // bit rot on mirror 0
      ByteBuffer back = volume.read(100, sums, 0).join(); // verified, repaired from mirror 1
      assertThat(back).isEqualTo(data);
      assertThat(volume.stats().corrected()).isEqualTo(1); // and mirror 0 rewritten
      assertThat(volume.deviceStats().get(0).corruptionErrors()).isEqualTo(1);
    }
    // --- README example ends here ---
  }
}
