package org.asyncwq.storage;

import java.util.List;

/**
 * The result of {@link Store#check()}: every problem found, one sentence each naming where.
 *
 * @param problems what is wrong; empty when the store is consistent
 * @param objects objects in the directory
 * @param metadataPages directory and extent-map pages verified
 * @param dataBlocks data blocks verified
 * @param freeBlocks blocks in the free-space indexes
 */
public record CheckReport(
    List<String> problems, long objects, long metadataPages, long dataBlocks, long freeBlocks) {
  public CheckReport {
    problems = List.copyOf(problems);
  }

  /** Whether no problem was found. */
  public boolean ok() {
    return problems.isEmpty();
  }
}
