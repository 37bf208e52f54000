package org.asyncwq.storage.block;

/**
 * Told how far a scrub has come. Calls are made one at a time from the volume's worker threads, with
 * {@code done} rising to {@code total}; keep them short.
 */
@FunctionalInterface
public interface ScrubListener {
  /** A listener that ignores progress. */
  ScrubListener NONE = (done, total) -> {};

  /**
   * @param done blocks scrubbed so far
   * @param total blocks the scrub will scrub
   */
  void progress(long done, long total);
}
