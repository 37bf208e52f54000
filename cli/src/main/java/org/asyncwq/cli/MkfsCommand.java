package org.asyncwq.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.asyncwq.storage.Store;
import org.asyncwq.storage.StoreOptions;
import org.asyncwq.storage.StoreStats;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.ChecksumType;
import org.asyncwq.storage.block.FileBlockDevice;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mkfs}: make a new, empty store. */
@Command(
    name = "mkfs",
    mixinStandardHelpOptions = true,
    description = {
      "Make a new, empty store in the --store directory, which must be new or empty.",
      "Without DEVICE arguments each mirror is a sparse file in the directory (mirror-0.img, ...);",
      "with them, each DEVICE (a file to create, or an existing block device such as /dev/nbd0)",
      "is one mirror and the directory holds links to them."
    })
final class MkfsCommand extends StoreCommand {
  @Option(names = "--mirrors", paramLabel = "N", description = "Copies of every block, 1 to 4 (default 2).")
  Integer mirrors;

  @Option(
      names = "--size",
      paramLabel = "SIZE",
      converter = ByteSize.class,
      description = "Size of each new device file, e.g. 256M or 1G (default 1G; files are sparse).")
  Long size;

  @Option(
      names = "--checksum",
      paramLabel = "TYPE",
      description = "Block checksum: ${COMPLETION-CANDIDATES} (default crc32c).")
  ChecksumType checksum;

  @Option(names = "--ags", paramLabel = "N", description = "Allocation groups per device (default 4).")
  Integer allocationGroups;

  @Parameters(arity = "0..*", paramLabel = "DEVICE", description = "The devices to use, one per mirror.")
  List<Path> devices = new ArrayList<>();

  @Override
  ExitStatus execute() throws IOException {
    if (mirrors != null && !devices.isEmpty() && mirrors != devices.size()) {
      throw new IllegalArgumentException(
          "--mirrors " + mirrors + " but " + devices.size() + " devices given; give one device per mirror");
    }
    StoreOptions.Builder builder = StoreOptions.builder();
    int mirrorCount = !devices.isEmpty() ? devices.size() : mirrors == null ? 2 : mirrors;
    builder.mirrors(mirrorCount);
    if (size != null) {
      builder.deviceSize(size);
    }
    if (checksum != null) {
      builder.checksum(checksum);
    }
    if (allocationGroups != null) {
      builder.allocationGroups(allocationGroups);
    }
    StoreOptions options = builder.build();
    StoreDirectory directory = storeDirectory();
    try (StoreSession session = devices.isEmpty() ? directory.create(options) : createOnDevices(directory, options)) {
      StoreStats stats = session.stats();
      long deviceBytes = stats.groups().stream().mapToLong(g -> g.firstBlock() + g.blocks()).max().orElse(0)
          * BlockDevice.BLOCK_SIZE;
      MkfsResult result =
          new MkfsResult(
              directory.path().toString(),
              stats.devices().size(),
              deviceBytes,
              options.checksum().name().toLowerCase(Locale.ROOT),
              stats.groups().size());
      output().result(result, out -> out.println(
          "made a " + result.mirrors() + "-mirror store at " + result.store() + ": " + result.groups()
              + " allocation groups, " + result.checksum() + " checksums, devices of "
              + ByteSize.format(result.deviceBytes())));
    }
    return ExitStatus.OK;
  }

  private StoreSession createOnDevices(StoreDirectory directory, StoreOptions options) throws IOException {
    if (!directory.isVacant()) {
      throw new CommandFailure(
          ExitStatus.FAILED,
          directory.path() + " is not empty: a store is made only in a new or empty directory");
    }
    long blocks = (size == null ? 1L << 30 : size) / BlockDevice.BLOCK_SIZE;
    List<BlockDevice> opened = new ArrayList<>();
    try {
      for (Path device : devices) {
        opened.add(
            Files.exists(device) ? FileBlockDevice.open(device) : FileBlockDevice.create(device, blocks));
      }
      Files.createDirectories(directory.path());
      for (int i = 0; i < devices.size(); i++) {
        Files.createSymbolicLink(directory.deviceFile(i), devices.get(i).toAbsolutePath());
      }
      return new StoreSession(Store.create(opened, options), directory.path());
    } catch (IOException | RuntimeException e) {
      for (BlockDevice device : opened) {
        device.close();
      }
      throw e;
    }
  }

  record MkfsResult(String store, int mirrors, long deviceBytes, String checksum, int groups) {}
}
