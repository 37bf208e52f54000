package org.asyncwq.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.asyncwq.storage.BlockLocation;
import org.asyncwq.storage.ObjectInfo;
import org.asyncwq.storage.Store;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.ScrubListener;
import org.asyncwq.storage.block.UncorrectableDataException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/** {@code get NAME [-o FILE|DIR/|-]} and {@code get --dir DIR [PREFIX]}: write objects' verified bytes out. */
@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    description = {
      "Write object NAME to FILE, or to stdout; or, with --dir, every object (or every one whose",
      "name starts with PREFIX) into DIR, each at its name read as a relative path.",
      "Every block is verified against its checksum; if no mirror holds a good copy the object",
      "fails with exit status 3 and nothing more is written for it (a FILE is not created).",
      "The store is opened read-only, so gets, ls, stat and check run side by side; a writer is",
      "refused meanwhile. A bad copy met on the way is repaired afterwards: the store is opened",
      "for writing and the blocks under the object are scrubbed (when another reader holds it,",
      "the repair is left to the next scrub, and a warning says so).",
      "Writing into a directory refuses any name that would land outside it ('..' segments,",
      "absolute names, NUL, or a symbolic link inside it leading out), naming the object; the",
      "other objects still come out and the exit status is 1. Files are written to a temporary",
      "file, then renamed into place, so a symbolic link at the final path is replaced, never",
      "followed."
    })
final class GetCommand extends StoreCommand {
  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "NAME",
      description = "The object to read (with --dir: PREFIX, only objects whose names start with it).")
  String name;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE|DIR/|-",
      description = "Where to write it: a file (replaced when complete), a directory (an existing"
          + " one, or any path ending in '/': the object's name inside it), or '-' for stdout (the"
          + " default).")
  String target;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description = "Write every object (starting with PREFIX) into DIR, named by its name as a"
          + " relative path: the reverse of 'put --dir'. DIR is made if missing.")
  Path dir;

  @Override
  ExitStatus execute() throws IOException {
    if (dir != null) {
      if (target != null) {
        throw new IllegalArgumentException("give either -o or --dir, not both");
      }
      return getAll(name == null ? "" : name);
    }
    if (name == null) {
      throw new ParameterException(spec.commandLine(), "Missing required parameter: 'NAME' (or --dir DIR)");
    }
    ObjectNames.check(name);
    boolean toStdout = target == null || target.equals("-");
    Path file = toStdout ? null : outputFile();
    if (toStdout) {
      output().stdoutCarriesData();
    }
    long withheld;
    ObjectInfo info;
    try (StoreSession session = storeDirectory().openReadOnly()) {
      Store store = session.store();
      info = stat(store, name).orElseThrow(() -> new CommandFailure(ExitStatus.FAILED, missing(name)));
      if (toStdout) {
        OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
        copy(store, info, out);
        out.flush();
      } else {
        writeFile(store, info, file, into);
      }
      withheld = store.repairsWithheld();
    }
    repair(withheld, List.of(name));
    output().result(ObjectSummary.of(info), err -> {
      if (!toStdout) {
        err.println("got " + name + ": " + ByteSize.format(info.size()) + " to " + file);
      }
    });
    return ExitStatus.OK;
  }

  /** {@code get --dir}: every object under {@code prefix}; one refused or failed object stops no other. */
  private ExitStatus getAll(String prefix) throws IOException {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new CommandFailure(ExitStatus.FAILED, dir + " is not a directory; name a directory with --dir");
    }
    List<ObjectSummary> written = new ArrayList<>();
    List<String> read = new ArrayList<>();
    ExitStatus status = ExitStatus.OK;
    int failed = 0;
    long withheld;
    try (StoreSession session = storeDirectory().openReadOnly()) {
      Store store = session.store();
      List<ObjectInfo> objects = store.list(prefix);
      if (objects.isEmpty()) {
        throw new CommandFailure(ExitStatus.FAILED, "no objects" + (prefix.isEmpty() ? "" : " starting with '"
            + prefix + "'") + " in " + storeDirectory().path() + ": nothing to write");
      }
      Files.createDirectories(dir);
      for (ObjectInfo info : objects) {
        try {
          Path file = ObjectPaths.inside(dir, info.name());
          read.add(info.name());
          writeFile(store, info, file, dir);
          written.add(ObjectSummary.of(info));
          output().say("got " + info.name() + ": " + ByteSize.format(info.size()) + " to " + file);
        } catch (CommandFailure e) {
          refused(e.getMessage());
          failed++;
          if (e.status() == ExitStatus.UNCORRECTABLE) {
            status = ExitStatus.UNCORRECTABLE;
          }
        } catch (IOException e) {
          refused("object '" + info.name() + "' not written: " + ErrorReporter.fileMessage(e));
          failed++;
        }
      }
      withheld = store.repairsWithheld();
    }
    repair(withheld, read);
    if (failed > 0 && status == ExitStatus.OK) {
      status = ExitStatus.FAILED;
    }
    long bytes = written.stream().mapToLong(ObjectSummary::size).sum();
    int notWritten = failed;
    output().result(new GetAllResult(written, written.size(), bytes, notWritten), out -> out.println(
        "got " + written.size() + (written.size() == 1 ? " object, " : " objects, ") + ByteSize.format(bytes)
            + " into " + dir + (notWritten > 0 ? "; " + notWritten + " not written (see above)" : "")));
    return status;
  }

  /**
   * The read-only store met {@code withheld} bad copies (or stale superblock slots) and left them:
   * open the store for writing, which repairs the slots, and scrub the device blocks under the
   * objects' extents, which verifies every mirror's copy and rewrites each bad one from a good one
   * (a second read would not do: reads take turns among the mirrors). Another reader holding the
   * store leaves them to a scrub.
   */
  private void repair(long withheld, List<String> names) {
    if (withheld == 0) {
      return;
    }
    long corrected = 0;
    try (StoreSession session = storeDirectory().open()) {
      Store store = session.store();
      for (String n : names) {
        long[] span = span(store, n);
        if (span != null) {
          corrected += store.scrub(span[0], span[1] + 1, ScrubListener.NONE).get().corrected();
        }
      }
    } catch (IOException | RuntimeException e) {
      output().warn("found " + copies(withheld) + " and could not repair them now ("
          + ErrorReporter.oneLine(Failures.messageOf(e)) + "); 'asyncwq scrub' repairs them");
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (java.util.concurrent.ExecutionException e) {
      output().warn("found " + copies(withheld) + "; repairing them failed ("
          + ErrorReporter.oneLine(Failures.messageOf(e.getCause())) + "); 'asyncwq scrub' repairs them");
      return;
    }
    if (corrected > 0) {
      output().say("repaired " + copies(corrected) + " from a good mirror");
    }
    if (corrected < withheld) {
      output().warn("found " + copies(withheld - corrected) + " outside the objects' data (or already"
          + " gone); 'asyncwq scrub' repairs them");
    }
  }

  /** An object not written: an error line on stderr, shown even with {@code -q}. */
  private void refused(String message) {
    output().stderr().println("asyncwq: " + ErrorReporter.oneLine(message));
  }

  private static String copies(long n) {
    return n + " bad " + (n == 1 ? "copy" : "copies");
  }

  /** The lowest and highest device block under the object's data, or null if it has none. */
  private static long[] span(Store store, String object) throws IOException {
    Optional<ObjectInfo> info = store.stat(object);
    if (info.isEmpty() || info.get().size() == 0) {
      return null;
    }
    long low = Long.MAX_VALUE;
    long high = -1;
    for (long offset = 0; offset < info.get().size(); offset += BlockDevice.BLOCK_SIZE) {
      for (BlockLocation l : store.locate(object, offset)) {
        low = Math.min(low, l.block());
        high = Math.max(high, l.block());
      }
    }
    return new long[] {low, high};
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

  private String missing(String object) {
    return "no object named '" + object + "' in " + storeDirectory().path() + "; 'asyncwq ls' lists them";
  }

  /** The file to write: checked before the store is read, so a bad target fails first. */
  private Path outputFile() throws IOException {
    Path path = Path.of(target);
    if (target.endsWith("/") || Files.isDirectory(path)) {
      into = path;
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

  /** The directory {@code -o} named, when it named one. */
  private Path into;

  /**
   * Writes into a temporary file beside {@code file} and renames it into place once complete (a
   * link at {@code file} is replaced, not followed). When {@code file} is an object's place inside
   * {@code directory} (null: a file named on the command line), its parents are made and checked
   * to resolve inside it first.
   */
  private void writeFile(Store store, ObjectInfo info, Path file, Path directory) throws IOException {
    Path parent;
    if (directory != null) {
      parent = ObjectPaths.parentInside(directory, file, info.name());
    } else {
      parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
    }
    if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new CommandFailure(ExitStatus.FAILED, "object '" + info.name() + "' not written: " + file
          + " is a directory");
    }
    Path partial = Files.createTempFile(parent, "." + file.getFileName() + ".", ".partial");
    try {
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(partial), 1 << 16)) {
        copy(store, info, out);
      }
      Files.move(partial, parent.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  private void copy(Store store, ObjectInfo info, OutputStream out) throws IOException {
    try (Progress progress = Progress.start(output(), "get " + info.name(), info.size(), true)) {
      store.get(info.name(), progress.counting(out));
      progress.complete();
    } catch (UncorrectableDataException e) {
      throw new CommandFailure(
          ExitStatus.UNCORRECTABLE,
          "object '" + info.name() + "' has uncorrectable data at block " + e.block()
              + ": no mirror holds a good copy; nothing past the damage was written",
          e);
    }
  }

  record GetAllResult(List<ObjectSummary> objects, int count, long bytes, int notWritten) {}
}
