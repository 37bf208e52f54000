package org.asyncwq.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.asyncwq.storage.block.Checksum;
import org.asyncwq.storage.block.ChecksumType;
import org.asyncwq.storage.tree.PageDevice;

/**
 * The committer's view of the directory pages: writes go to the mirrors, and the pages the last
 * commit wrote are kept, so the next commit finds the root and the path it changed without reading
 * them back through {@code submit} and {@code endio} (btrfs keeps a transaction's extent buffers
 * the same way). Only the committer reads through it; every other reader reads the devices.
 *
 * <p>A kept page is returned only if its bytes still match the checksum the caller expects, as a
 * page read from a device would have to; anything else is read from the mirrors, verified and
 * repaired there. Reads and writes run on the commit thread ({@link Mirrors#onCaller}): a commit
 * waits for each of them anyway, and a page is one block. Holds the pages of one commit at most (about the tree's height per change), and
 * none after a commit that failed. Not thread-safe: the commit thread is its only user.
 */
final class CommitPages implements PageDevice {
  private final Mirrors mirrors;
  private Map<Long, ByteBuffer> kept = new HashMap<>();
  private Map<Long, ByteBuffer> writing = new HashMap<>();

  CommitPages(Mirrors mirrors) {
    this.mirrors = mirrors;
  }

  @Override
  public ChecksumType checksumType() {
    return mirrors.checksumType();
  }

  @Override
  public ByteBuffer read(long block, Checksum expected) throws IOException {
    ByteBuffer page = kept.get(block);
    if (page != null && expected.matches(page.duplicate())) {
      return page.duplicate();
    }
    return mirrors.onCaller().read(block, expected);
  }

  @Override
  public CompletableFuture<?> write(long block, ByteBuffer page) {
    writing.put(block, page.duplicate());
    return mirrors.onCaller().write(block, page);
  }

  /** The pages written since the last call are durable: keep them, drop the older ones. */
  void committed() {
    kept = writing;
    writing = new HashMap<>();
  }

  /** A commit failed: keep nothing. */
  void forget() {
    kept = new HashMap<>();
    writing = new HashMap<>();
  }
}
