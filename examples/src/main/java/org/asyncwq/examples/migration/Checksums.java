package org.asyncwq.examples.migration;

import java.util.zip.CRC32;

/** The work the migration examples do: a CRC32 stands for whatever a real work computes. */
public final class Checksums {
  private Checksums() {}

  /** The CRC32 of a block. */
  public static long crc32(byte[] block) {
    CRC32 c = new CRC32();
    c.update(block);
    return c.getValue();
  }
}
