package org.asyncwq.storage.block;

/**
 * One mirror's error counters, as {@code btrfs device stats} reports them.
 *
 * @param mirror the mirror's index in the volume
 * @param state whether it still takes part in IO
 * @param readErrors device reads that failed with an IOException
 * @param writeErrors device writes (including repair rewrites) that failed
 * @param flushErrors flushes that failed
 * @param corruptionErrors blocks read from it whose checksum did not match
 * @param generationErrors blocks found stale by a layer above (see {@link
 *     MirroredVolume#reportGenerationError(int)})
 */
public record DeviceStats(
    int mirror,
    DeviceState state,
    long readErrors,
    long writeErrors,
    long flushErrors,
    long corruptionErrors,
    long generationErrors) {

  /**
   * The errors the volume compares with its error budget: failures of the device itself (read,
   * write, flush and generation errors). Corruption errors are not among them: a bad checksum on a
   * working device is repaired by rewriting the copy, as btrfs does; a failed rewrite counts as a
   * write error.
   */
  public long budgetErrors() {
    return readErrors + writeErrors + flushErrors + generationErrors;
  }
}
