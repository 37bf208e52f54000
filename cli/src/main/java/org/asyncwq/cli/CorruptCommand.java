package org.asyncwq.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.asyncwq.storage.BlockLocation;
import org.asyncwq.storage.ObjectInfo;
import org.asyncwq.storage.Store;
import org.asyncwq.storage.block.BlockDevice;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code corrupt NAME --force}: flip one byte of one copy of an object's block, on the device
 * file itself, as a failing disk would; for demos and repair drills.
 */
@Command(
    name = "corrupt",
    mixinStandardHelpOptions = true,
    description = {
      "Flip one byte of one mirror's copy of the block holding --offset of object NAME, directly",
      "in the device file, as a failing disk would: for demos and repair drills. The next read or",
      "scrub finds the checksum mismatch and repairs the copy from another mirror.",
      "Changes nothing unless --force is given."
    })
final class CorruptCommand extends StoreCommand {
  @Parameters(index = "0", paramLabel = "NAME", description = "The object whose block to damage.")
  String name;

  @Option(
      names = "--mirror",
      paramLabel = "N",
      description = "Which mirror's copy (default: the one the next 'get' of NAME will read, since"
          + " reads take turns among the mirrors and a read verifies only the copy it reads).")
  Integer mirror;

  @Option(
      names = "--offset",
      paramLabel = "N",
      converter = ByteSize.class,
      description = "A byte offset inside the object; its byte in the block is flipped (default 0).")
  long offset;

  @Option(names = "--force", description = "Really damage the store.")
  boolean force;

  @Override
  ExitStatus execute() throws IOException {
    ObjectNames.check(name);
    if (!force) {
      throw new CommandFailure(
          ExitStatus.USAGE,
          "corrupt would flip a byte of object '" + name + "'"
              + (mirror == null ? "" : " on mirror " + mirror) + " of " + storeDirectory().path()
              + "; add --force to really do it");
    }
    StoreDirectory directory = storeDirectory();
    List<BlockLocation> locations;
    try (StoreSession session = directory.open()) {
      Store store = session.store();
      ObjectInfo info =
          store.stat(name).orElseThrow(() -> new CommandFailure(
              ExitStatus.FAILED, "no object named '" + name + "' in " + directory.path()));
      if (offset < 0 || offset >= info.size()) {
        throw new IllegalArgumentException(
            "--offset " + offset + " is outside object '" + name + "' (" + info.size() + " bytes)");
      }
      locations = store.locate(name, offset);
    }
    int target = mirror != null ? mirror : MirrorProbe.nextReadMirror(directory, name, offset);
    BlockLocation location =
        locations.stream()
            .filter(l -> l.mirror() == target)
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException(
                "mirror " + target + " holds no copy of that block; the store has mirrors "
                    + locations.stream().map(l -> String.valueOf(l.mirror()))
                        .reduce((a, b) -> a + ", " + b).orElse("none")));
    int byteInBlock = (int) (offset % BlockDevice.BLOCK_SIZE);
    flip(directory.deviceFile(target), location.block() * BlockDevice.BLOCK_SIZE + byteInBlock);
    Damage damage = new Damage(name, target, offset, location.block(), byteInBlock);
    output().result(damage, out -> out.println(
        "flipped byte " + byteInBlock + " of block " + location.block() + " on mirror " + damage.mirror()
            + " (object " + name + ", offset " + offset + ")"));
    return ExitStatus.OK;
  }

  /** Inverts every bit of the byte at {@code position}, durably. */
  static void flip(Path device, long position) throws IOException {
    try (FileChannel channel = FileChannel.open(device, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      if (channel.read(one, position) != 1) {
        throw new IOException("cannot read byte " + position + " of " + device);
      }
      one.put(0, (byte) ~one.get(0)).rewind();
      channel.write(one, position);
      channel.force(false);
    }
  }

  record Damage(String name, int mirror, long offset, long block, int byteInBlock) {}
}
