package org.asyncwq.storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.asyncwq.storage.block.BlockRef;
import org.asyncwq.storage.block.ScrubListener;
import org.asyncwq.storage.block.ScrubReport;
import org.asyncwq.storage.block.UncorrectableDataException;
import org.asyncwq.storage.tree.PageKind;
import org.asyncwq.storage.tree.TreeReader;

/**
 * Proves at open that everything a commit wrote reached the disk, for a superblock written in the
 * same flush round as its pages (format version 2, see {@link Superblock}).
 *
 * <p>The blocks generation {@code g} wrote are exactly: the directory pages whose pointer carries
 * generation {@code g} (copy-on-write rewrites a changed page's whole path, so they form a subtree
 * at the root and the walk descends into nothing older), and, for every object whose record says
 * {@code g}, its extent-map pages and its data blocks (a put writes its object anew) but the
 * leading ones its put flushed itself ({@link ObjectRecord#durableBlocks}). Each is
 * checked against the checksum its parent holds, on every mirror ({@code MirroredVolume.scrub}):
 * a bad copy is repaired from a good one (not on a read-only open), and a block with no good copy
 * means the power went before the commit's flush ended, so the generation is refused. What the
 * proof costs is what the commit's round wrote: a 4 KiB put's commit is a few blocks; a 1 GiB
 * put's is its last part under 64 MiB and its extent map (the put flushed the rest as it went),
 * read on every mirror. It runs only for the newest superblock and only when it is not sealed,
 * that is after a crash.
 */
final class CommitProof {
  private CommitProof() {}

  /**
   * Reads failed where a block had no good copy: missing or unreadable cannot be told apart, so
   * the open fails rather than roll back a commit that may have been acknowledged.
   */
  static final class Unprovable extends IOException {
    private static final long serialVersionUID = 1L;

    Unprovable(String message) {
      super(message);
    }
  }

  /**
   * Verifies every block generation {@code sb.generation()} wrote.
   *
   * @return how many blocks were verified
   * @throws CorruptStoreException naming how many blocks are missing or torn on every mirror
   * @throws Unprovable if reads failed where a block had no good copy
   * @throws IOException if a page the proof needs cannot be read on any mirror
   */
  static long verify(Mirrors mirrors, Superblock sb) throws IOException {
    long gen = sb.generation();
    List<BlockRef> refs = new ArrayList<>();
    new TreeReader(mirrors, PageKind.DIRECTORY, Store.DIRECTORY_OWNER).walk(
        sb.directory(),
        p -> p.generation() == gen,
        (p, level) -> refs.add(new BlockRef(p.block(), p.checksum())),
        (key, value) -> {
          ObjectRecord r = ObjectRecord.decode(value);
          if (r.generation() == gen && r.extentMap() != null) {
            new TreeReader(mirrors, PageKind.EXTENTS, r.id()).walk(
                r.extentMap(),
                (p, level) -> refs.add(new BlockRef(p.block(), p.checksum())),
                (k, v) -> {
                  ExtentRun run = ExtentRun.decode(k, v, r.checksum());
                  int n = run.checksums().size();
                  if (run.deviceBlock() < Superblock.SLOTS
                      || run.deviceBlock() > sb.deviceBlocks() - n) {
                    throw new CorruptStoreException("object record of commit " + gen
                        + " references blocks " + run.deviceBlock() + "+" + n
                        + ", outside the data area (damaged metadata)");
                  }
                  for (int i = 0; i < n; i++) {
                    if (run.fileBlock() + i >= r.durableBlocks()) { // the rest its put flushed
                      refs.add(new BlockRef(run.deviceBlock() + i, run.checksums().get(i)));
                    }
                  }
                  return true;
                });
          }
          return true;
        });
    if (refs.isEmpty()) {
      return 0;
    }
    refs.sort(Comparator.comparingLong(BlockRef::block));
    ScrubReport report = Mirrors.join(mirrors.volume().scrub(refs, ScrubListener.NONE));
    if (report.uncorrectable() == 0) {
      return refs.size();
    }
    // A copy is still bad: no mirror has a good one, or its repair was withheld (read-only open)
    // or failed. A verified read fails only in the first case.
    long missing = 0;
    for (BlockRef ref : refs) {
      try {
        Mirrors.join(mirrors.read(ref.block(), List.of(ref.checksum())));
      } catch (UncorrectableDataException e) {
        missing++;
      }
    }
    if (missing > 0 && report.readErrors() > 0) {
      throw new Unprovable("cannot prove commit " + gen + ": " + missing + " of the "
          + refs.size() + " blocks it wrote have no good copy and reads failed ("
          + report.readErrors() + " read errors); not opening an older commit in its place, "
          + "which could drop changes that were acknowledged: fix the devices and open again");
    }
    if (missing > 0) {
      throw new CorruptStoreException("commit " + gen + " is incomplete: " + missing
          + " of the " + refs.size() + " blocks it wrote are missing or torn on every mirror "
          + "(the power went before its flush ended)");
    }
    return refs.size();
  }
}
