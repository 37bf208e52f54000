package org.asyncwq.storage;

import java.io.IOException;
import java.util.List;
import org.asyncwq.storage.block.Checksum;
import org.asyncwq.storage.block.UncorrectableDataException;
import org.asyncwq.storage.tree.CorruptPageException;
import org.asyncwq.storage.tree.BlockPointer;
import org.asyncwq.storage.tree.PageDevice;
import org.asyncwq.storage.tree.PageKind;
import org.asyncwq.storage.tree.TreeReader;

/**
 * Visits every block a committed tree references: directory pages, each object's extent-map pages
 * and its data runs, each with the checksums it must have. Open (rebuilding free space), scrub,
 * check, replace and freeing a deleted object all walk the same way.
 */
final class StoreWalker {
  /** Receives blocks {@code start ... start + sums.size() - 1}. */
  @FunctionalInterface
  interface BlockVisitor {
    void blocks(long start, List<Checksum> sums, boolean metadata) throws IOException;
  }

  /** Receives each object of the directory. */
  @FunctionalInterface
  interface ObjectVisitor {
    void object(byte[] name, ObjectRecord record) throws IOException;
  }

  /** Told about an object whose extent map cannot be read on any mirror. */
  @FunctionalInterface
  interface DamagedObject {
    void damaged(byte[] name, ObjectRecord record, IOException problem) throws IOException;
  }

  private final PageDevice dev;
  private final TreeReader directory;

  StoreWalker(PageDevice dev) {
    this.dev = dev;
    this.directory = new TreeReader(dev, PageKind.DIRECTORY, Store.DIRECTORY_OWNER);
  }

  /** Every block of the tree at {@code root}, objects' blocks included. */
  void all(BlockPointer root, BlockVisitor v, ObjectVisitor objects) throws IOException {
    all(root, v, objects, (name, record, problem) -> {
      throw problem;
    });
  }

  /**
   * Every block of the tree at {@code root}; an object whose extent map (or a block it lists)
   * cannot be read goes to {@code damaged} and the walk goes on with the next object. The directory
   * itself must be readable.
   */
  void all(BlockPointer root, BlockVisitor v, ObjectVisitor objects, DamagedObject damaged)
      throws IOException {
    directory.walk(
        root,
        (p, level) -> v.blocks(p.block(), List.of(p.checksum()), true),
        (k, val) -> {
          ObjectRecord r = ObjectRecord.decode(val);
          if (objects != null) {
            objects.object(k, r);
          }
          try {
            object(r, v);
          } catch (UncorrectableDataException | CorruptPageException | CorruptStoreException e) {
            damaged.damaged(k, r, e);
          }
          return true;
        });
  }

  /** The extent-map pages and data runs of one object. */
  void object(ObjectRecord r, BlockVisitor v) throws IOException {
    if (r.extentMap() == null) {
      return;
    }
    new TreeReader(dev, PageKind.EXTENTS, r.id())
        .walk(
            r.extentMap(),
            (p, level) -> v.blocks(p.block(), List.of(p.checksum()), true),
            (k, val) -> {
              ExtentRun run = ExtentRun.decode(k, val, r.checksum());
              v.blocks(run.deviceBlock(), run.checksums(), false);
              return true;
            });
  }
}
