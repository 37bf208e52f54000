package org.asyncwq.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.asyncwq.storage.Store;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.FaultyBlockDevice;
import org.asyncwq.storage.block.FileBlockDevice;

/**
 * Finds the mirror that the next {@code asyncwq get NAME} will read a block from, so that
 * {@code corrupt} can damage the copy a read will actually meet.
 *
 * <p>The store spreads reads over the mirrors (each position is always read from the same mirror,
 * positions taking the mirrors in turn in stripes of 1 MiB), so a read verifies only the copy it
 * was served from; a bad copy on another mirror is found by scrub, not by that read. This probe
 * replays the reads of a {@code get} on the store's device files wrapped in counting {@link
 * FaultyBlockDevice}s: it opens the store and reads the object exactly as {@link GetCommand} does,
 * then sees which device served the block. btrfs's repair tests solve the same problem by
 * rerunning the read from processes whose pid selects the wanted mirror.
 */
final class MirrorProbe {
  private MirrorProbe() {}

  /** The mirror a new process's {@code get name} reads the block holding {@code offset} from. */
  static int nextReadMirror(StoreDirectory directory, String name, long offset) throws IOException {
    List<FaultyBlockDevice> devices = new ArrayList<>();
    for (int m = 0; directory.deviceFile(m).toFile().exists(); m++) {
      devices.add(new FaultyBlockDevice(FileBlockDevice.open(directory.deviceFile(m))));
    }
    try (Store store = Store.openReadOnly(new ArrayList<BlockDevice>(devices))) {
      GetCommand.read(store, name, OutputStream.nullOutputStream());
      long block = store.locate(name, offset).get(0).block();
      for (int m = 0; m < devices.size(); m++) {
        if (devices.get(m).reads(block) > 0) {
          return m;
        }
      }
    }
    return 0;
  }
}
