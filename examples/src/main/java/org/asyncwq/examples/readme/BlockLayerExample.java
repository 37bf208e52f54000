package org.asyncwq.examples.readme;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
// tag::storage-engine[]
import org.asyncwq.storage.block.*;
// end::storage-engine[]

/** README.md, "storage-engine in one example": a mirrored volume repairs a corrupt copy on read. */
public final class BlockLayerExample {

  /** What the example observed, for the test to check. */
  public record Outcome(ByteBuffer written, ByteBuffer readBack, long corrected, long corruption) {}

  /**
   * Runs the example as the README shows it, with two device files in {@code dir}.
   *
   * @return the bytes written and read back, and the counters the README names
   */
  public Outcome run(Path dir) throws IOException {
    // tag::storage-engine[]
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
      volume.stats().corrected();                         // 1, and mirror 0 rewritten
      volume.deviceStats().get(0).corruptionErrors();     // 1
      // end::storage-engine[]
      return new Outcome(data, back, volume.stats().corrected(),
          volume.deviceStats().get(0).corruptionErrors());
      // tag::storage-engine[]
    }
    // end::storage-engine[]
  }
}
