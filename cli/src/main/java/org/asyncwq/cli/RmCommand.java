package org.asyncwq.cli;

import java.util.ArrayList;
import java.util.List;
import org.asyncwq.storage.Store;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code rm NAME...}: delete objects. */
@Command(
    name = "rm",
    mixinStandardHelpOptions = true,
    description = {
      "Delete the named objects. Names that do not exist are reported and the others are still",
      "deleted; the exit status is then 1. Space is reused once no openable commit refers to it."
    })
final class RmCommand extends StoreCommand {
  @Parameters(arity = "1..*", paramLabel = "NAME", description = "The objects to delete.")
  List<String> names;

  @Override
  ExitStatus execute() throws Exception {
    names.forEach(ObjectNames::check);
    List<String> removed = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    try (StoreSession session = storeDirectory().open()) {
      Store store = session.store();
      for (String name : names) {
        (store.delete(name) ? removed : missing).add(name);
      }
    }
    output().result(new Removal(removed, missing), out -> removed.forEach(n -> out.println("removed " + n)));
    if (!missing.isEmpty()) {
      throw new CommandFailure(
          ExitStatus.FAILED,
          "no object named " + String.join(", ", missing) + " in " + storeDirectory().path()
              + (removed.isEmpty() ? "; nothing removed" : "; the others were removed"));
    }
    return ExitStatus.OK;
  }

  record Removal(List<String> removed, List<String> missing) {}
}
