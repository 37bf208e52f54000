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

  /** The sum of every error counter: what the volume compares with its error budget. */
  public long errors() {
    return readErrors + writeErrors + flushErrors + corruptionErrors + generationErrors;
  }
}
