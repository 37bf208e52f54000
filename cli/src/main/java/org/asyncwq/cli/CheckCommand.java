package org.asyncwq.cli;

import java.util.List;
import org.asyncwq.storage.CheckReport;
import org.asyncwq.storage.Store;
import picocli.CommandLine.Command;

/** {@code check}: the store's structures are consistent; read-only, it repairs nothing. */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Check that the trees, checksums and free-space accounting are consistent and list every",
      "problem found. Exit status 0 when clean, 3 when a problem was found.",
      "check never repairs: it opens the store read-only (beside other readers, never beside a",
      "writer) and reports the bad copies and stale superblock slots it would repair",
      "(\"would repair\"); 'asyncwq scrub' repairs them."
    })
final class CheckCommand extends StoreCommand {
  @Override
  ExitStatus execute() throws Exception {
    CheckReport report;
    long wouldRepair;
    try (StoreSession session = storeDirectory().openReadOnly()) {
      Store store = session.store();
      report = store.check();
      wouldRepair = store.repairsWithheld();
    }
    List<String> problems = report.problems();
    output().result(new CheckResult(report.ok(), problems, wouldRepair), out -> {
      if (report.ok()) {
        out.println("check: clean" + (wouldRepair > 0 ? " (" + wouldRepair + " bad "
            + (wouldRepair == 1 ? "copy" : "copies") + " with a good mirror: would repair; run"
            + " 'asyncwq scrub')" : ""));
      } else {
        out.println("check: " + problems.size() + (problems.size() == 1 ? " problem" : " problems"));
        problems.forEach(p -> out.println("  " + p));
      }
    });
    return report.ok() ? ExitStatus.OK : ExitStatus.UNCORRECTABLE;
  }

  /** {@code wouldRepair}: bad copies and stale superblock slots found and left alone. */
  record CheckResult(boolean ok, List<String> problems, long wouldRepair) {}
}
