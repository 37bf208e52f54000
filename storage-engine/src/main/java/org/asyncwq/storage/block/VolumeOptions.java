package org.asyncwq.storage.block;

import java.util.Map;
import java.util.Objects;

/**
 * How to build the block layer through {@link BlockLayerModule}: the volume's checksum and error
 * budget, and the size of any storage queue that should not have its default.
 *
 * @param checksum the checksum kept per block
 * @param errorBudget errors a mirror may have before it is marked FAULTY
 * @param queueLimits {@code limitActive} by queue name (see {@link StorageQueues#NAMES}); may be empty
 */
public record VolumeOptions(ChecksumType checksum, int errorBudget, Map<String, Integer> queueLimits) {
  public VolumeOptions {
    Objects.requireNonNull(checksum, "checksum");
    if (errorBudget < 0) {
      throw new IllegalArgumentException("errorBudget must not be negative, was " + errorBudget);
    }
    queueLimits = Map.copyOf(Objects.requireNonNull(queueLimits, "queueLimits"));
  }

  /** CRC32C, an error budget of 20, default queue sizes. */
  public static VolumeOptions defaults() {
    return new VolumeOptions(ChecksumType.CRC32C, 20, Map.of());
  }
}
