package org.asyncwq.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.asyncwq.storage.BlockLocation;
import org.asyncwq.storage.ObjectInfo;
import org.asyncwq.storage.Store;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.DeviceStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code stat [NAME]}: the store's health and counters, or where one object's blocks live. */
@Command(
    name = "stat",
    mixinStandardHelpOptions = true,
    description = {
      "Without NAME: every device with its state and btrfs-style error counters, the volume's",
      "counters (corrected, uncorrectable), space per allocation group and each queue's stats.",
      "With NAME: the object's size and extents, and where its blocks live on each mirror."
    })
final class StatCommand extends StoreCommand {
  /** Objects with more blocks than this are summarised by their extents' first blocks only. */
  private static final long MAX_LOCATED_BLOCKS = 1 << 18;

  @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "An object to describe.")
  String name;

  @Override
  ExitStatus execute() throws Exception {
    try (StoreSession session = storeDirectory().openReadOnly()) {
      Store store = session.store();
      if (name != null) {
        ObjectNames.check(name);
        ObjectInfo info =
            store.stat(name).orElseThrow(() -> new CommandFailure(
                ExitStatus.FAILED, "no object named '" + name + "' in " + storeDirectory().path()
                    + "; 'asyncwq ls' lists them"));
        ObjectLayout layout = new ObjectLayout(ObjectSummary.of(info), runs(store, info));
        output().result(layout, out -> printObject(out, layout));
      } else {
        StoreHealth health = StoreHealth.of(storeDirectory().path(), session.stats(),
            ScrubStatus.read(storeDirectory().path(), store.id().toString()).orElse(null));
        output().result(health, out -> health.print(out));
      }
    }
    return ExitStatus.OK;
  }

  /** Where the object's blocks are: runs of consecutive device blocks, per mirror. */
  private static List<BlockRun> runs(Store store, ObjectInfo info) throws IOException {
    List<BlockRun> runs = new ArrayList<>();
    long blocks = (info.size() + BlockDevice.BLOCK_SIZE - 1) / BlockDevice.BLOCK_SIZE;
    List<BlockRun> open = new ArrayList<>();
    for (long b = 0; b < Math.min(blocks, MAX_LOCATED_BLOCKS); b++) {
      for (BlockLocation location : store.locate(info.name(), b * BlockDevice.BLOCK_SIZE)) {
        BlockRun current = null;
        for (BlockRun run : open) {
          if (run.mirror() == location.mirror()) {
            current = run;
          }
        }
        if (current != null && current.firstBlock() + current.blocks() == location.block()
            && current.objectBlock() + current.blocks() == b) {
          open.set(open.indexOf(current), current.grow());
        } else {
          if (current != null) {
            runs.add(current);
            open.remove(current);
          }
          open.add(new BlockRun(location.mirror(), b, location.block(), 1));
        }
      }
    }
    runs.addAll(open);
    runs.sort((x, y) -> x.mirror() != y.mirror()
        ? Integer.compare(x.mirror(), y.mirror()) : Long.compare(x.objectBlock(), y.objectBlock()));
    return runs;
  }

  private static void printObject(PrintStream out, ObjectLayout layout) {
    ObjectSummary o = layout.object();
    out.println("object " + o.name());
    out.println("  size        " + o.size() + " bytes (" + ByteSize.format(o.size()) + ")");
    out.println("  extents     " + o.extents());
    out.println("  checksum    " + o.checksum() + " per 4 KiB block");
    out.println("  generation  " + o.generation());
    out.println("  modified    " + o.modified());
    for (BlockRun run : layout.blocks()) {
      out.println(String.format(Locale.ROOT, "  mirror %d: object blocks %d-%d at device blocks %d-%d",
          run.mirror(), run.objectBlock(), run.objectBlock() + run.blocks() - 1,
          run.firstBlock(), run.firstBlock() + run.blocks() - 1));
    }
  }

  record BlockRun(int mirror, long objectBlock, long firstBlock, long blocks) {
    BlockRun grow() {
      return new BlockRun(mirror, objectBlock, firstBlock, blocks + 1);
    }
  }

  record ObjectLayout(ObjectSummary object, List<BlockRun> blocks) {}

  /** btrfs device stats' names for one device's counters. */
  static String deviceLine(DeviceStats d) {
    return String.format(Locale.ROOT,
        "[mirror %d] %-7s read_io_errs %d  write_io_errs %d  flush_io_errs %d  corruption_errs %d  generation_errs %d",
        d.mirror(), d.state(), d.readErrors(), d.writeErrors(), d.flushErrors(), d.corruptionErrors(),
        d.generationErrors());
  }
}
