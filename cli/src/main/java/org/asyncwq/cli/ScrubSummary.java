package org.asyncwq.cli;

import org.asyncwq.storage.block.ScrubReport;

/** A scrub's counters as {@code scrub}, {@code replace} and {@code demo} report them (btrfs scrub's). */
record ScrubSummary(long blocks, long csumErrors, long readErrors, long corrected, long uncorrectable) {
  static ScrubSummary of(ScrubReport report) {
    return new ScrubSummary(
        report.blocks(), report.csumErrors(), report.readErrors(), report.corrected(), report.uncorrectable());
  }

  /** These counters plus {@code more}'s: a resumed scrub's totals. */
  ScrubSummary plus(ScrubSummary more) {
    return new ScrubSummary(blocks + more.blocks, csumErrors + more.csumErrors, readErrors + more.readErrors,
        corrected + more.corrected, uncorrectable + more.uncorrectable);
  }

  String line() {
    return "scrubbed " + blocks + " blocks: " + csumErrors + " checksum " + (csumErrors == 1 ? "error" : "errors")
        + ", " + readErrors + " read " + (readErrors == 1 ? "error" : "errors") + ", " + corrected
        + " corrected, " + uncorrectable + " uncorrectable";
  }
}
