package org.asyncwq.storage.block;

/**
 * The checksum algorithms a volume can keep per block, as btrfs offers them.
 *
 * <p>CRC32C (the default, hardware-accelerated by the JDK) and SHA-256 come from the JDK; XXH64
 * from the maintained {@code net.openhft:zero-allocation-hashing} library. Every type detects any
 * single flipped bit in a block.
 */
public enum ChecksumType {
  /** CRC-32C (Castagnoli), 4 bytes, big-endian: btrfs' default. */
  CRC32C(4),
  /** xxHash64 with seed 0, 8 bytes, big-endian: fast and strong against random damage. */
  XXH64(8),
  /** SHA-256, 32 bytes: cryptographic, for deduplication or tamper evidence. */
  SHA256(32);

  private final int size;

  ChecksumType(int size) {
    this.size = size;
  }

  /** The checksum's length in bytes. */
  public int size() {
    return size;
  }
}
