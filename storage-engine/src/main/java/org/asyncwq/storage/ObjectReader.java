package org.asyncwq.storage;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.tree.PageKind;
import org.asyncwq.storage.tree.TreeReader;

/**
 * Reads committed objects: looks names up in a pinned snapshot's directory and streams data runs
 * through the volume's verified reads, a few runs ahead of the caller's stream. Only verified bytes
 * reach the caller; a block with no good copy fails the read with {@code
 * UncorrectableDataException}.
 */
final class ObjectReader {
  private static final int READ_AHEAD = 8;
  private static final int BLOCK = BlockDevice.BLOCK_SIZE;

  private final Mirrors mirrors;
  private final TreeReader directory;

  ObjectReader(Mirrors mirrors) {
    this.mirrors = mirrors;
    this.directory = new TreeReader(mirrors, PageKind.DIRECTORY, Store.DIRECTORY_OWNER);
  }

  ObjectRecord find(Snapshot s, byte[] key) throws IOException {
    byte[] v = directory.get(s.superblock().directory(), key);
    return v == null ? null : ObjectRecord.decode(v);
  }

  ObjectRecord require(Snapshot s, String name, byte[] key) throws IOException {
    ObjectRecord r = find(s, key);
    if (r == null) {
      throw new NoSuchObjectException(name);
    }
    return r;
  }

  /** Every object whose name starts with {@code prefix}, in name (UTF-8 byte) order. */
  List<ObjectInfo> list(Snapshot s, byte[] prefix) throws IOException {
    List<ObjectInfo> out = new ArrayList<>();
    directory.scan(s.superblock().directory(), prefix.length == 0 ? null : prefix, false,
        (k, v) -> {
          if (!startsWith(k, prefix)) {
            return false;
          }
          out.add(ObjectRecord.decode(v).info(Names.decodeStored(k)));
          return true;
        });
    return out;
  }

  void copy(ObjectRecord r, OutputStream out) throws IOException {
    if (r.extentMap() == null) {
      return;
    }
    record Pending(CompletableFuture<ByteBuffer> read, int bytes) {}
    ArrayDeque<Pending> ahead = new ArrayDeque<>();
    byte[] chunk = new byte[ExtentRun.maxBlocks(r.checksum()) * BLOCK];
    long[] next = {0}; // the runs must tile the object's blocks exactly, or bytes would go missing
    new TreeReader(mirrors, PageKind.EXTENTS, r.id()).scan(r.extentMap(), null, false, (k, v) -> {
      ExtentRun run = ExtentRun.decode(k, v, r.checksum());
      long start = run.fileBlock() * BLOCK;
      if (run.fileBlock() != next[0] || run.fileBlock() + run.blocks() > r.dataBlocks()) {
        throw new CorruptStoreException("object of " + r.size() + " bytes: its extent map has "
            + "blocks " + run.fileBlock() + "+" + run.blocks() + " where block " + next[0]
            + " was due (damaged metadata)");
      }
      next[0] += run.blocks();
      int bytes = (int) Math.min((long) run.blocks() * BLOCK, r.size() - start);
      ahead.add(new Pending(mirrors.read(run.deviceBlock(), run.checksums()), bytes));
      if (ahead.size() >= READ_AHEAD) {
        Pending p = ahead.poll();
        drainOne(p.read(), out, chunk, p.bytes());
      }
      return true;
    });
    while (!ahead.isEmpty()) {
      Pending p = ahead.poll();
      drainOne(p.read(), out, chunk, p.bytes());
    }
    if (next[0] != r.dataBlocks()) {
      throw new CorruptStoreException("object of " + r.size() + " bytes: its extent map covers "
          + next[0] + " of its " + r.dataBlocks() + " blocks (damaged metadata)");
    }
  }

  private static void drainOne(
      CompletableFuture<ByteBuffer> read, OutputStream out, byte[] chunk, int bytes)
      throws IOException {
    ByteBuffer b = Mirrors.join(read).duplicate();
    int n = Math.min(bytes, b.remaining());
    b.get(chunk, 0, n);
    out.write(chunk, 0, n);
  }

  /** The device block holding byte {@code offset} of the object. */
  long deviceBlock(ObjectRecord r, String name, long offset) throws IOException {
    if (offset < 0 || offset >= r.size()) {
      throw new IllegalArgumentException("offset " + offset + " is outside object \"" + name
          + "\" of " + r.size() + " bytes");
    }
    long fileBlock = offset / BLOCK;
    long[] found = {-1};
    new TreeReader(mirrors, PageKind.EXTENTS, r.id()).scan(r.extentMap(),
        TreeReader.longKey(fileBlock), true, (k, v) -> {
          ExtentRun run = ExtentRun.decode(k, v, r.checksum());
          if (run.fileBlock() <= fileBlock && fileBlock < run.fileBlock() + run.blocks()) {
            found[0] = run.deviceBlock() + (fileBlock - run.fileBlock());
          }
          return false;
        });
    if (found[0] < 0) {
      throw new CorruptStoreException("extent map of \"" + name + "\" has no entry for block "
          + fileBlock);
    }
    return found[0];
  }

  private static boolean startsWith(byte[] key, byte[] prefix) {
    if (key.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (key[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
