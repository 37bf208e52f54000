package org.asyncwq.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import org.asyncwq.storage.ObjectInfo;
import org.asyncwq.storage.Store;
import org.asyncwq.storage.block.UncorrectableDataException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code get NAME [-o FILE|-]}: write an object's verified bytes out. */
@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    description = {
      "Write object NAME to FILE, or to stdout. Every block is verified against its checksum;",
      "a bad copy is repaired from another mirror, and if no mirror holds a good copy the",
      "command fails with exit status 3 and writes nothing more (a FILE is not created)."
    })
final class GetCommand extends StoreCommand {
  @Parameters(index = "0", paramLabel = "NAME", description = "The object to read.")
  String name;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE|-",
      description = "Where to write it: a file (replaced when complete), a directory (the object's"
          + " name inside it), or '-' for stdout (the default).")
  String target = "-";

  @Override
  ExitStatus execute() throws IOException {
    ObjectNames.check(name);
    boolean toStdout = target.equals("-");
    Path file = toStdout ? null : outputFile();
    if (toStdout) {
      output().stdoutCarriesData();
    }
    try (StoreSession session = storeDirectory().open()) {
      Store store = session.store();
      ObjectInfo info = stat(store, name).orElseThrow(() -> new CommandFailure(ExitStatus.FAILED, missing()));
      if (toStdout) {
        OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
        copy(store, info, out);
        out.flush();
      } else {
        writeFile(store, info, file);
      }
      output().result(ObjectSummary.of(info), err -> {
        if (!toStdout) {
          err.println("got " + name + ": " + ByteSize.format(info.size()) + " to " + file);
        }
      });
    }
    return ExitStatus.OK;
  }

  /**
   * The reads a get makes, in order: the object's record, then its data. {@link MirrorProbe}
   * replays exactly this sequence to know which mirror a get reads, so change both together.
   */
  static Optional<ObjectInfo> stat(Store store, String name) throws IOException {
    return store.stat(name);
  }

  /** {@link #stat} followed by the data, as {@code execute} does it: for {@link MirrorProbe}. */
  static void read(Store store, String name, OutputStream out) throws IOException {
    if (stat(store, name).isPresent()) {
      store.get(name, out);
    }
  }

  private String missing() {
    return "no object named '" + name + "' in " + storeDirectory().path() + "; 'asyncwq ls' lists them";
  }

  /** The file to write: checked before the store is read, so a bad target fails first. */
  private Path outputFile() {
    Path path = Path.of(target);
    if (Files.isDirectory(path)) {
      return ObjectPaths.inside(path, name);
    }
    // Under a regular file nothing can be made; said plainly rather than as the "already exists"
    // that creating the missing directories would report.
    for (Path up = path.toAbsolutePath().getParent(); up != null; up = up.getParent()) {
      if (Files.exists(up)) {
        if (!Files.isDirectory(up)) {
          throw new CommandFailure(ExitStatus.FAILED,
              "cannot write " + path + ": " + up + " is a file, not a directory");
        }
        break;
      }
    }
    return path;
  }

  /** Writes into a temporary file beside {@code file} and moves it in place once complete. */
  private void writeFile(Store store, ObjectInfo info, Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path partial = Files.createTempFile(parent, "." + file.getFileName() + ".", ".partial");
    try {
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(partial), 1 << 16)) {
        copy(store, info, out);
      }
      Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  private void copy(Store store, ObjectInfo info, OutputStream out) throws IOException {
    try (Progress progress = Progress.start(output(), "get " + name, info.size(), true)) {
      store.get(name, progress.counting(out));
      progress.complete();
    } catch (UncorrectableDataException e) {
      throw new CommandFailure(
          ExitStatus.UNCORRECTABLE,
          "object '" + name + "' has uncorrectable data at block " + e.block()
              + ": no mirror holds a good copy; nothing past the damage was written",
          e);
    }
  }
}
