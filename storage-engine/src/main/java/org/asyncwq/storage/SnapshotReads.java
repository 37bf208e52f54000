package org.asyncwq.storage;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.asyncwq.storage.tree.PageCache;

/**
 * A store's reads, each in a snapshot of the newest commit pinned for its whole duration ({@link
 * Committer#snapshot}), so no block it reads is reused meanwhile: an object's bytes, its
 * description, a listing, where a block of it lives. {@link Store} checks the name and that it is
 * open, then calls these.
 */
final class SnapshotReads {
  private final Committer committer;
  private final Mirrors mirrors;
  private final ObjectReader reader;

  SnapshotReads(Committer committer, Mirrors mirrors) {
    this.committer = committer;
    this.mirrors = mirrors;
    this.reader = new ObjectReader(mirrors);
  }

  /** The cache of verified tree pages the reads go through. */
  PageCache pages() {
    return reader.pages();
  }

  /** {@link Store#get(String, OutputStream)} of the object whose name encodes to {@code key}. */
  void get(String name, byte[] key, OutputStream out) throws IOException {
    try (Snapshot s = committer.snapshot()) {
      reader.copy(reader.require(s, name, key), out);
    }
  }

  /** {@link Store#get(String, ByteBuffer)}: {@code dst} is writable, checked by the caller. */
  int get(String name, byte[] key, ByteBuffer dst) throws IOException {
    try (Snapshot s = committer.snapshot()) {
      ObjectRecord r = reader.require(s, name, key);
      if (r.size() > dst.remaining()) {
        throw new IllegalArgumentException("get of \"" + name + "\": the object has " + r.size()
            + " bytes, the buffer has room for " + dst.remaining());
      }
      reader.read(r, dst);
      return (int) r.size();
    }
  }

  /** {@link Store#read(String)}. */
  byte[] read(String name, byte[] key) throws IOException {
    try (Snapshot s = committer.snapshot()) {
      ObjectRecord r = reader.require(s, name, key);
      if (r.size() > Integer.MAX_VALUE - 16) {
        throw new IllegalStateException("object \"" + name + "\" has " + r.size()
            + " bytes, too many for one array; use get(name, out)");
      }
      byte[] bytes = new byte[(int) r.size()];
      reader.read(r, ByteBuffer.wrap(bytes));
      return bytes;
    }
  }

  /** {@link Store#stat(String)}. */
  Optional<ObjectInfo> stat(String name, byte[] key) throws IOException {
    try (Snapshot s = committer.snapshot()) {
      return Optional.ofNullable(reader.find(s, key)).map(r -> r.info(name));
    }
  }

  /** {@link Store#list(String)} of the encoded {@code prefix}. */
  List<ObjectInfo> list(byte[] prefix) throws IOException {
    try (Snapshot s = committer.snapshot()) {
      return reader.list(s, prefix);
    }
  }

  /** {@link Store#locate(String, long)}. */
  List<BlockLocation> locate(String name, byte[] key, long offset) throws IOException {
    try (Snapshot s = committer.snapshot()) {
      long block = reader.deviceBlock(reader.require(s, name, key), name, offset);
      List<BlockLocation> out = new ArrayList<>();
      for (int m = 0; m < mirrors.mirrors(); m++) {
        out.add(new BlockLocation(m, block));
      }
      return out;
    }
  }
}
