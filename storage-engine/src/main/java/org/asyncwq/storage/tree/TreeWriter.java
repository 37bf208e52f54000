package org.asyncwq.storage.tree;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.asyncwq.storage.block.Checksum;

/** Encodes a node into its page, starts its write and returns the pointer its parent keeps. */
final class TreeWriter {
  private TreeWriter() {}

  static BlockPointer writePage(
      PageDevice dev, Node n, long generation, long block, List<CompletableFuture<?>> writes) {
    ByteBuffer page = Page.encode(n, generation, block, dev.checksumType());
    Checksum sum = Checksum.of(dev.checksumType(), page.duplicate());
    writes.add(dev.write(block, page));
    return new BlockPointer(block, generation, sum);
  }
}
