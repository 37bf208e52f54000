package org.asyncwq.storage;

import java.util.Objects;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.ChecksumType;

/**
 * How {@link Store#create} lays out a new store. Fixed at creation: an opened store reads all of it
 * from its superblock.
 *
 * <ul>
 *   <li>{@code mirrors}: device files {@link Store#create(java.nio.file.Path, StoreOptions)} makes,
 *       1 to 4, default 2 (RAID1: every mirror holds every block);
 *   <li>{@code deviceSize}: bytes per device, a multiple of 4096, default 1 GiB (sparse files);
 *   <li>{@code checksum}: the checksum of every data block and metadata page, default CRC32C;
 *   <li>{@code allocationGroups}: how many independently locked slices the space is split into,
 *       default 4.
 * </ul>
 *
 * When a store is created on given devices, {@code mirrors} and {@code deviceSize} come from the
 * devices and these two options are not used.
 */
public final class StoreOptions {
  /** Smallest device: superblocks plus 64 blocks per allocation group at least. */
  static final long MIN_BLOCKS = 2 + 64;

  private final int mirrors;
  private final long deviceSize;
  private final ChecksumType checksum;
  private final int allocationGroups;

  private StoreOptions(Builder b) {
    this.mirrors = b.mirrors;
    this.deviceSize = b.deviceSize;
    this.checksum = b.checksum;
    this.allocationGroups = b.allocationGroups;
  }

  /** A builder holding the defaults: 2 mirrors of 1 GiB, CRC32C, 4 allocation groups. */
  public static Builder builder() {
    return new Builder();
  }

  /** The defaults: 2 mirrors of 1 GiB, CRC32C, 4 allocation groups. */
  public static StoreOptions defaults() {
    return builder().build();
  }

  /** Mirrors, so device files, that {@code create(dir, options)} makes. */
  public int mirrors() {
    return mirrors;
  }

  /** Bytes per device file that {@code create(dir, options)} makes (sparse). */
  public long deviceSize() {
    return deviceSize;
  }

  /** The checksum of every data block and metadata page. */
  public ChecksumType checksum() {
    return checksum;
  }

  /** How many allocation groups the space is split into. */
  public int allocationGroups() {
    return allocationGroups;
  }

  @Override
  public String toString() {
    return "StoreOptions[mirrors=" + mirrors + ", deviceSize=" + deviceSize + ", checksum="
        + checksum + ", allocationGroups=" + allocationGroups + "]";
  }

  /** Builds {@link StoreOptions}; each setter checks its argument and says what was wrong. */
  public static final class Builder {
    private int mirrors = 2;
    private long deviceSize = 1L << 30;
    private ChecksumType checksum = ChecksumType.CRC32C;
    private int allocationGroups = 4;

    private Builder() {}

    /** Mirrors, 1 to 4 (default 2). */
    public Builder mirrors(int mirrors) {
      if (mirrors < 1 || mirrors > 4) {
        throw new IllegalArgumentException("mirrors must be 1 to 4, got " + mirrors);
      }
      this.mirrors = mirrors;
      return this;
    }

    /** Bytes per device, a multiple of 4096, at least 66 blocks (default 1 GiB, sparse). */
    public Builder deviceSize(long bytes) {
      if (bytes % BlockDevice.BLOCK_SIZE != 0) {
        throw new IllegalArgumentException(
            "deviceSize must be a multiple of " + BlockDevice.BLOCK_SIZE + " bytes, got " + bytes);
      }
      if (bytes / BlockDevice.BLOCK_SIZE < MIN_BLOCKS) {
        throw new IllegalArgumentException("deviceSize must be at least "
            + MIN_BLOCKS * BlockDevice.BLOCK_SIZE + " bytes, got " + bytes);
      }
      this.deviceSize = bytes;
      return this;
    }

    /** The checksum of every block and page (default CRC32C). */
    public Builder checksum(ChecksumType checksum) {
      this.checksum = Objects.requireNonNull(checksum, "checksum");
      return this;
    }

    /** Allocation groups, 1 to 1024, each of at least 64 blocks (default 4). */
    public Builder allocationGroups(int groups) {
      if (groups < 1 || groups > 1024) {
        throw new IllegalArgumentException("allocationGroups must be 1 to 1024, got " + groups);
      }
      this.allocationGroups = groups;
      return this;
    }

    /** The options; checks that every allocation group gets at least 64 blocks. */
    public StoreOptions build() {
      long usable = deviceSize / BlockDevice.BLOCK_SIZE - 2;
      if (usable / allocationGroups < 64) {
        throw new IllegalArgumentException("deviceSize " + deviceSize + " is too small for "
            + allocationGroups + " allocation groups of at least 64 blocks each");
      }
      return new StoreOptions(this);
    }
  }
}
