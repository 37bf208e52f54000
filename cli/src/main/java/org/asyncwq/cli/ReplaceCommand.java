package org.asyncwq.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.asyncwq.storage.Store;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.FileBlockDevice;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code replace MIRROR NEW-DEVICE --force}: resilver a mirror onto a new device. */
@Command(
    name = "replace",
    mixinStandardHelpOptions = true,
    description = {
      "Replace mirror MIRROR by NEW-DEVICE (a file to create, or an existing block device) and",
      "resilver it from the healthy mirrors, verifying every block; the old device is dropped",
      "from the store. Changes nothing unless --force is given. The store stays locked from start",
      "to end: the new device is locked with the others before anything is written to it."
    })
final class ReplaceCommand extends StoreCommand {
  @Parameters(index = "0", paramLabel = "MIRROR", description = "The mirror to replace (0, 1, ...).")
  int mirror;

  @Parameters(index = "1", paramLabel = "NEW-DEVICE", description = "The device to resilver onto.")
  Path newDevice;

  @Option(names = "--force", description = "Really replace the mirror (its old device is dropped).")
  boolean force;

  @Override
  ExitStatus execute() throws Exception {
    StoreDirectory directory = storeDirectory();
    if (!force) {
      throw new CommandFailure(
          ExitStatus.USAGE,
          "replace would drop mirror " + mirror + " of " + directory.path() + " and resilver it onto "
              + newDevice + "; add --force to really do it");
    }
    Path slot = directory.deviceFile(mirror);
    Path target = newDevice.toAbsolutePath().normalize();
    for (int m = 0; Files.exists(directory.deviceFile(m), LinkOption.NOFOLLOW_LINKS); m++) {
      Path used = directory.deviceFile(m);
      if (target.equals(used.toAbsolutePath().normalize())
          || (Files.exists(target) && Files.isSameFile(target, used))) {
        throw new IllegalArgumentException(
            newDevice + " is the device mirror " + m + " uses now; name a new device");
      }
    }
    ScrubSummary summary;
    try (StoreSession session = directory.open()) {
      Store store = session.store();
      if (mirror < 0 || !Files.exists(slot, LinkOption.NOFOLLOW_LINKS)) {
        throw new IllegalArgumentException("the store has no mirror " + mirror);
      }
      // The size comes from the open store: opening and closing another channel on the slot's
      // file would drop this process's lock on it (POSIX locks belong to the process and file).
      long blocks = store.deviceBlocks();
      BlockDevice replacement =
          Files.exists(target) ? FileBlockDevice.open(target) : FileBlockDevice.create(target, blocks);
      try (Progress progress = Progress.start(output(), "replace mirror " + mirror, 0, false)) {
        store.replace(mirror, replacement, progress::update);
        session.replaced(mirror);
        progress.complete();
      }
      summary = ScrubSummary.of(store.scrub((done, total) -> {}).get());
      // Still holding the store (the new device is locked with it): no other process can open the
      // store between the resilver and the directory naming the new device.
      install(slot, target);
    }
    output().result(new Replacement(mirror, target.toString(), summary), out -> out.println(
        "replaced mirror " + mirror + " by " + target + "; verified: " + summary.line()));
    return summary.uncorrectable() > 0 ? ExitStatus.UNCORRECTABLE : ExitStatus.OK;
  }

  /** Makes the store directory name the new device for mirror {@code mirror} from now on. */
  private static void install(Path slot, Path target) throws IOException {
    if (target.getParent() != null && target.getParent().equals(slot.toAbsolutePath().getParent())) {
      Files.move(target, slot, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } else {
      Path link = slot.resolveSibling(slot.getFileName() + ".new");
      Files.deleteIfExists(link);
      Files.createSymbolicLink(link, target);
      Files.move(link, slot, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  record Replacement(int mirror, String device, ScrubSummary verified) {}
}
