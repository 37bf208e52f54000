package org.asyncwq.examples.migration;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A pretend block device for stage 2: remembers which blocks were written and which failed. */
public final class Device {
  private final Set<Integer> written = ConcurrentHashMap.newKeySet();
  private final Set<Integer> failed = ConcurrentHashMap.newKeySet();

  /** Writes a block. */
  public void write(int block) {
    written.add(block);
  }

  /** Records that a block will never be written, and why. */
  public void failed(int block, Throwable cause) {
    failed.add(block);
  }

  /** The blocks written so far. */
  public Set<Integer> written() {
    return Set.copyOf(written);
  }

  /** The blocks reported as never written. */
  public Set<Integer> failed() {
    return Set.copyOf(failed);
  }
}
