package org.asyncwq.storage.tree;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.asyncwq.storage.block.Checksum;
import org.asyncwq.storage.block.ChecksumType;

/** Where tree pages are read and written: the store's mirrored volume. */
public interface PageDevice {
  /** The checksum that page pointers carry. */
  ChecksumType checksumType();

  /** Reads one block and verifies it against {@code expected}, repairing a bad copy if it can. */
  ByteBuffer read(long block, Checksum expected) throws IOException;

  /** Writes one page to every mirror; completes when it is written (not yet flushed). */
  CompletableFuture<?> write(long block, ByteBuffer page);
}
