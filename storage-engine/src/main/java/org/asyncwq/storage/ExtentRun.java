package org.asyncwq.storage;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.asyncwq.storage.block.Checksum;
import org.asyncwq.storage.block.ChecksumType;
import org.asyncwq.storage.tree.TreeReader;

/**
 * One entry of an object's extent map: blocks {@code fileBlock ...} of the object live in device
 * blocks {@code deviceBlock ...}, one checksum per block. The key is {@code fileBlock}; the value is
 * the device block, the count and the checksums, so every checksum lives in metadata, never next to
 * the data it protects.
 */
record ExtentRun(long fileBlock, long deviceBlock, List<Checksum> checksums) {
  /** Blocks per entry: keeps an entry under a third of a page for every checksum type. */
  static int maxBlocks(ChecksumType type) {
    return Math.min(64, 960 / type.size());
  }

  byte[] key() {
    return TreeReader.longKey(fileBlock);
  }

  byte[] value() {
    int size = checksums.isEmpty() ? 0 : checksums.get(0).type().size();
    ByteBuffer b = ByteBuffer.allocate(8 + 2 + checksums.size() * size);
    b.putLong(deviceBlock).putShort((short) checksums.size());
    for (Checksum c : checksums) {
      b.put(c.bytes());
    }
    return b.array();
  }

  /**
   * Decodes an extent-map entry.
   *
   * @throws CorruptStoreException if it cannot be an entry this code wrote (damaged metadata whose
   *     checksum verified), never a RuntimeException
   */
  static ExtentRun decode(byte[] key, byte[] value, ChecksumType type)
      throws CorruptStoreException {
    ExtentRun run;
    try {
      run = decode0(key, value, type);
    } catch (RuntimeException e) {
      throw new CorruptStoreException("damaged extent-map entry: " + e.getMessage());
    }
    if (run.fileBlock < 0 || run.deviceBlock < 0
        || run.blocks() > maxBlocks(type) || run.deviceBlock > Long.MAX_VALUE - run.blocks()) {
      throw new CorruptStoreException("damaged extent-map entry: file block " + run.fileBlock
          + " at device block " + run.deviceBlock + ", " + run.blocks() + " blocks");
    }
    return run;
  }

  private static ExtentRun decode0(byte[] key, byte[] value, ChecksumType type) {
    ByteBuffer b = ByteBuffer.wrap(value);
    long dev = b.getLong();
    int n = Short.toUnsignedInt(b.getShort());
    List<Checksum> sums = new ArrayList<>(n);
    byte[] c = new byte[type.size()];
    for (int i = 0; i < n; i++) {
      b.get(c);
      sums.add(Checksum.fromBytes(type, c));
    }
    if (key.length != 8 || b.hasRemaining()) {
      throw new IllegalArgumentException("entry of " + key.length + "+" + value.length
          + " bytes, expected 8+" + (b.position()));
    }
    return new ExtentRun(TreeReader.keyLong(key), dev, sums);
  }

  int blocks() {
    return checksums.size();
  }
}
