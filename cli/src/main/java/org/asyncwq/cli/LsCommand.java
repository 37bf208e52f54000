package org.asyncwq.cli;

import java.util.List;
import java.util.stream.Collectors;
import org.asyncwq.storage.Store;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ls [PREFIX] [-l]}: the objects, sorted by name. */
@Command(
    name = "ls",
    mixinStandardHelpOptions = true,
    description = "List the objects whose names start with PREFIX (all by default), sorted by name.")
final class LsCommand extends StoreCommand {
  @Parameters(index = "0", arity = "0..1", paramLabel = "PREFIX", description = "Only names starting with this.")
  String prefix = "";

  @Option(
      names = "-l",
      description = "Long listing: size in bytes, extents, checksum, generation, modified, name.")
  boolean longListing;

  @Override
  ExitStatus execute() throws Exception {
    List<ObjectSummary> objects;
    try (StoreSession session = storeDirectory().openReadOnly()) {
      Store store = session.store();
      objects = store.list(prefix).stream().map(ObjectSummary::of).collect(Collectors.toList());
    }
    long bytes = objects.stream().mapToLong(ObjectSummary::size).sum();
    output().result(new Listing(objects, objects.size(), bytes), out -> {
      if (longListing) {
        out.printf("%12s  %4s  %-6s  %6s  %-20s  %s%n", "SIZE", "EXT", "CSUM", "GEN", "MODIFIED", "NAME");
        objects.forEach(o -> out.println(o.longLine()));
        out.println("total " + objects.size() + (objects.size() == 1 ? " object, " : " objects, ")
            + ByteSize.format(bytes));
      } else {
        objects.forEach(o -> out.println(o.name()));
      }
    });
    return ExitStatus.OK;
  }

  record Listing(List<ObjectSummary> objects, int count, long bytes) {}
}
