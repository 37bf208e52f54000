package org.asyncwq.cli;

import org.asyncwq.storage.block.ScrubReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code scrub [--resume]}: read and verify every referenced block on every mirror. */
@Command(
    name = "scrub",
    mixinStandardHelpOptions = true,
    description = {
      "Read every referenced block, data and metadata, on every mirror; verify each against its",
      "checksum and rewrite every bad copy from a good one. Exit status 3 if some block has no",
      "good copy left."
    })
final class ScrubCommand extends StoreCommand {
  @Option(
      names = "--resume",
      description = "Continue an interrupted scrub. The store records no scrub position yet, so"
          + " this scrubs from the start, and says so.")
  boolean resume;

  @Override
  ExitStatus execute() throws Exception {
    if (resume) {
      output().warn("this store records no scrub position yet: scrubbing every block from the start");
    }
    ScrubReport report;
    try (StoreSession session = storeDirectory().open();
        Progress progress = Progress.start(output(), "scrub", 0, false)) {
      report = session.store().scrub(progress::update).get();
      progress.complete();
    }
    ScrubSummary summary = ScrubSummary.of(report);
    output().result(summary, out -> out.println(summary.line()));
    return report.uncorrectable() > 0 ? ExitStatus.UNCORRECTABLE : ExitStatus.OK;
  }
}
