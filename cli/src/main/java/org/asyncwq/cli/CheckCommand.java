package org.asyncwq.cli;

import java.util.List;
import org.asyncwq.storage.CheckReport;
import org.asyncwq.storage.Store;
import picocli.CommandLine.Command;

/** {@code check}: the store's structures are consistent. */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Check that the trees, checksums and free-space accounting are consistent and list every",
      "problem found. Exit status 0 when clean, 3 when a problem was found."
    })
final class CheckCommand extends StoreCommand {
  @Override
  ExitStatus execute() throws Exception {
    CheckReport report;
    try (StoreSession session = storeDirectory().open()) {
      Store store = session.store();
      report = store.check();
    }
    List<String> problems = report.problems();
    output().result(new CheckResult(report.ok(), problems), out -> {
      if (report.ok()) {
        out.println("check: clean");
      } else {
        out.println("check: " + problems.size() + (problems.size() == 1 ? " problem" : " problems"));
        problems.forEach(p -> out.println("  " + p));
      }
    });
    return report.ok() ? ExitStatus.OK : ExitStatus.UNCORRECTABLE;
  }

  record CheckResult(boolean ok, List<String> problems) {}
}
