package org.asyncwq.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.asyncwq.storage.ObjectInfo;
import org.asyncwq.storage.Store;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code put NAME [FILE|-]} and {@code put --dir DIR}: store files as objects. */
@Command(
    name = "put",
    mixinStandardHelpOptions = true,
    description = {
      "Store FILE (or stdin) as object NAME, or every file under --dir named by its relative path.",
      "An existing object of the same name is replaced atomically; the object is durable when put"
          + " returns. The store is created with the defaults if it does not exist."
    })
final class PutCommand extends StoreCommand {
  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "NAME",
      description = "The object's name (with --dir: a prefix for every name).")
  String name;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "FILE|-",
      description = "The file to store; '-' or nothing reads stdin.")
  String file;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description = "Store every regular file under DIR, named by its path relative to DIR.")
  Path dir;

  @Override
  ExitStatus execute() throws IOException {
    List<Source> sources = sources();
    List<ObjectSummary> stored = new ArrayList<>();
    try (StoreSession session = storeDirectory().openOrCreate()) {
      Store store = session.store();
      for (Source source : sources) {
        ObjectInfo info = put(store, source);
        stored.add(ObjectSummary.of(info));
        output().say(putLine(info));
      }
    }
    long bytes = stored.stream().mapToLong(ObjectSummary::size).sum();
    output().result(new PutResult(stored, stored.size(), bytes), out -> {
      if (stored.size() > 1) {
        out.println("stored " + stored.size() + " objects, " + ByteSize.format(bytes));
      }
    });
    return ExitStatus.OK;
  }

  /** What to store, resolved and checked before the store is touched (a bad input changes nothing). */
  private List<Source> sources() throws IOException {
    if (dir != null) {
      if (file != null) {
        throw new IllegalArgumentException("give either NAME FILE or --dir DIR, not both");
      }
      if (!Files.isDirectory(dir)) {
        throw new NoSuchFileException(dir.toString(), null, "no such directory");
      }
      String prefix = name == null ? "" : name;
      try (Stream<Path> files = Files.walk(dir, FileVisitOption.FOLLOW_LINKS)) {
        List<Source> found =
            files
                .filter(Files::isRegularFile)
                .sorted()
                .map(p -> new Source(ObjectNames.check(prefix + relativeName(dir, p)), p))
                .collect(Collectors.toList());
        if (found.isEmpty()) {
          throw new CommandFailure(ExitStatus.FAILED, "no files under " + dir + ": nothing to store");
        }
        return found;
      }
    }
    if (name == null) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "Missing required parameter: 'NAME' (or --dir DIR)");
    }
    ObjectNames.check(name);
    if (file == null || file.equals("-")) {
      return List.of(new Source(name, null));
    }
    Path path = Path.of(file);
    if (!Files.exists(path)) {
      throw new NoSuchFileException(file);
    }
    if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
      throw new CommandFailure(ExitStatus.FAILED, "cannot read " + file + ": not a readable regular file");
    }
    return List.of(new Source(name, path));
  }

  private static String relativeName(Path base, Path file) {
    Path relative = base.relativize(file);
    List<String> parts = new ArrayList<>();
    relative.forEach(part -> parts.add(part.toString()));
    return String.join("/", parts);
  }

  private ObjectInfo put(Store store, Source source) throws IOException {
    long size = source.file == null ? -1 : Files.size(source.file);
    try (Progress progress = Progress.start(output(), "put " + source.name, size, true);
        InputStream in = source.file == null ? System.in : Files.newInputStream(source.file)) {
      ObjectInfo info = store.put(source.name, progress.counting(in));
      progress.complete();
      return info;
    }
  }

  static String putLine(ObjectInfo info) {
    return "put " + info.name() + ": " + ByteSize.format(info.size()) + " in " + info.extents()
        + (info.extents() == 1 ? " extent" : " extents") + ", generation " + info.generation();
  }

  private record Source(String name, Path file) {}

  record PutResult(List<ObjectSummary> objects, int count, long bytes) {}
}
