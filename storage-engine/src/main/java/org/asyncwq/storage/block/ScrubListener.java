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

  /**
   * Every block the scrub was given that lies below {@code block} has been scrubbed, and {@code
   * sofar} counts exactly those blocks: a scrub of the same blocks restarted from {@code block}
   * misses none and counts none twice. Given when the blocks are in ascending order (as {@code
   * Store.scrub} gives them), with {@code block} rising; after the last block it is one past the
   * highest block scrubbed. Called one at a time, like {@link #progress}; the default ignores it.
   */
  default void scrubbedBelow(long block, ScrubReport sofar) {}
}
