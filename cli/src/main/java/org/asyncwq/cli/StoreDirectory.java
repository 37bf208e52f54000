package org.asyncwq.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.asyncwq.storage.CorruptStoreException;
import org.asyncwq.storage.Store;
import org.asyncwq.storage.StoreOptions;

/**
 * The store named by {@code --store}: a directory holding one device file per mirror
 * ({@code mirror-0.img}, {@code mirror-1.img}, ...), or symbolic links to the devices that
 * {@code mkfs DEVICE...} was given.
 *
 * <p>Opening it turns every reason it cannot be opened into exit status 4 with a message that says
 * what to do; {@code put} creates it with the defaults when it does not exist yet.
 */
final class StoreDirectory {
  private final Path dir;
  private final Output output;

  StoreDirectory(Path dir, Output output) {
    this.dir = dir;
    this.output = output;
  }

  Path path() {
    return dir;
  }

  /** The file (or link to the device) that holds mirror {@code mirror}. */
  Path deviceFile(int mirror) {
    return dir.resolve("mirror-" + mirror + ".img");
  }

  /** Whether {@code dir} is missing or an empty directory: a store can be made there. */
  boolean isVacant() throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return true;
    }
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }

  /** Opens the existing store for writing, or fails with exit status 4 saying why it cannot be opened. */
  StoreSession open() {
    return open(false);
  }

  /**
   * Opens the existing store read-only ({@link Store#openReadOnly(Path)}): it shares the store with
   * other readers but not with a writer, and writes nothing, not even a repair. Fails with exit
   * status 4 saying why it cannot be opened (a writer holding it among the reasons).
   */
  StoreSession openReadOnly() {
    return open(true);
  }

  private StoreSession open(boolean readOnly) {
    if (!Files.exists(dir)) {
      throw new CommandFailure(
          ExitStatus.STORE_UNUSABLE,
          "no store at " + dir + ": create one with 'asyncwq mkfs' (or any 'asyncwq put'),"
              + " or name another with --store or $ASYNCWQ_STORE");
    }
    if (!Files.isDirectory(dir)) {
      throw new CommandFailure(
          ExitStatus.STORE_UNUSABLE, dir + " is not a store directory (it is a file); name a store directory with --store");
    }
    try {
      return new StoreSession(readOnly ? Store.openReadOnly(dir) : Store.open(dir), dir);
    } catch (CorruptStoreException e) {
      throw new CommandFailure(
          ExitStatus.STORE_UNUSABLE,
          "cannot open the store at " + dir + ": " + ErrorReporter.oneLine(e.getMessage()),
          e);
    } catch (IOException | RuntimeException e) {
      throw new CommandFailure(
          ExitStatus.STORE_UNUSABLE,
          "cannot open the store at " + dir + ": " + Failures.messageOf(e),
          e);
    }
  }

  /** Opens the store, creating it with the default options first if nothing is there yet. */
  StoreSession openOrCreate() throws IOException {
    if (isVacant()) {
      StoreSession store = create(StoreOptions.builder().build());
      output.warn("created a new store at " + dir + " with the defaults (see 'asyncwq mkfs --help')");
      return store;
    }
    return open();
  }

  /** Creates a store of file devices in the directory, which must be missing or empty. */
  StoreSession create(StoreOptions options) throws IOException {
    if (!isVacant()) {
      throw new CommandFailure(
          ExitStatus.FAILED,
          dir + " is not empty: a store is made only in a new or empty directory, so nothing is overwritten");
    }
    boolean made = !Files.exists(dir);
    try {
      // Store.create makes the directory owner-only (0700) where the file system allows it.
      return new StoreSession(Store.create(dir, options), dir);
    } catch (IOException | RuntimeException e) {
      if (made) {
        removeEmpty();
      }
      throw e;
    }
  }

  /** Removes the directory a failed create made, if it is still empty. */
  void removeEmpty() {
    try {
      if (isVacant()) {
        Files.deleteIfExists(dir);
      }
    } catch (IOException e) {
      // Left behind, empty: the error that made create fail is the one to report.
    }
  }
}
