package org.asyncwq.storage.block;

/** Whether a mirror takes part in IO (md raid1's In_sync versus Faulty). */
public enum DeviceState {
  /** Read and written as usual. */
  HEALTHY,
  /**
   * Over its error budget (read, write, flush and generation errors; see {@link
   * DeviceStats#budgetErrors()}): skipped by every read, write, flush and scrub from then on.
   */
  FAULTY
}
