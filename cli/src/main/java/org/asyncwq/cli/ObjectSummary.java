package org.asyncwq.cli;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import org.asyncwq.storage.ObjectInfo;

/**
 * One object as {@code put}, {@code ls} and {@code stat} report it; the JSON field names are a
 * contract for scripts.
 */
record ObjectSummary(
    String name, long size, int extents, String checksum, long generation, String modified) {

  static ObjectSummary of(ObjectInfo info) {
    return new ObjectSummary(
        info.name(),
        info.size(),
        info.extents(),
        info.checksum().name().toLowerCase(Locale.ROOT),
        info.generation(),
        info.modified().toString());
  }

  /** The {@code ls -l} line: size, extents, checksum, generation, modified, name. */
  String longLine() {
    return String.format(
        Locale.ROOT,
        "%12d  %4d  %-6s  %6d  %-20s  %s",
        size,
        extents,
        checksum,
        generation,
        Instant.parse(modified).truncatedTo(ChronoUnit.SECONDS),
        name);
  }
}
