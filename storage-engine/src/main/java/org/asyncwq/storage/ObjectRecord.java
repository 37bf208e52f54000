package org.asyncwq.storage;

import java.nio.ByteBuffer;
import java.time.Instant;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.Checksum;
import org.asyncwq.storage.block.ChecksumType;
import org.asyncwq.storage.tree.BlockPointer;

/**
 * One directory entry's value: the object's identity, size and the root of its extent map.
 *
 * @param id owner number of the object's extent-map pages
 * @param size bytes
 * @param generation commit that made it durable
 * @param modified when it was put
 * @param checksum checksum of its blocks
 * @param extents contiguous runs of data blocks
 * @param dataBlocks data blocks
 * @param extentMap root of its extent map, null when empty
 * @param durableBlocks data blocks {@code 0 .. durableBlocks - 1} were flushed by the put itself,
 *     before its commit's round, so a proof of that commit need not read them (0: none; absent in
 *     records written before format version 2)
 */
record ObjectRecord(
    long id,
    long size,
    long generation,
    Instant modified,
    ChecksumType checksum,
    int extents,
    long dataBlocks,
    BlockPointer extentMap,
    long durableBlocks) {

  /** A record none of whose blocks were flushed before its commit. */
  ObjectRecord(long id, long size, long generation, Instant modified, ChecksumType checksum,
      int extents, long dataBlocks, BlockPointer extentMap) {
    this(id, size, generation, modified, checksum, extents, dataBlocks, extentMap, 0);
  }

  byte[] encode() {
    byte[] c = extentMap == null ? new byte[0] : extentMap.checksum().bytes();
    ByteBuffer b = ByteBuffer.allocate(8 * 4 + 4 + 1 + 4 + 8 + 8 + 8 + 1 + c.length + 8);
    b.putLong(id).putLong(size).putLong(generation);
    b.putLong(modified.getEpochSecond()).putInt(modified.getNano());
    b.put((byte) checksum.ordinal()).putInt(extents).putLong(dataBlocks);
    b.putLong(extentMap == null ? -1 : extentMap.block());
    b.putLong(extentMap == null ? -1 : extentMap.generation());
    b.put((byte) c.length).put(c);
    b.putLong(durableBlocks);
    return b.array();
  }

  /**
   * Decodes a directory value.
   *
   * @throws CorruptStoreException if it cannot be a record this code wrote: a page whose checksum
   *     verified holds impossible content (damaged metadata), never a RuntimeException
   */
  /** The checksum types by ordinal, not cloned per decode as {@code values()} is. */
  private static final ChecksumType[] TYPES = ChecksumType.values();

  static ObjectRecord decode(byte[] value) throws CorruptStoreException {
    try {
      return decode0(value);
    } catch (RuntimeException e) {
      throw new CorruptStoreException("damaged object record in the directory: " + e.getMessage());
    }
  }

  private static ObjectRecord decode0(byte[] value) throws CorruptStoreException {
    ByteBuffer b = ByteBuffer.wrap(value);
    long id = b.getLong();
    long size = b.getLong();
    long gen = b.getLong();
    Instant modified = Instant.ofEpochSecond(b.getLong(), b.getInt());
    int typeCode = b.get();
    if (typeCode < 0 || typeCode >= TYPES.length) {
      throw new CorruptStoreException("damaged object record: checksum type " + typeCode);
    }
    ChecksumType type = TYPES[typeCode];
    int extents = b.getInt();
    long blocks = b.getLong();
    if (id < 0 || size < 0 || extents < 0 || blocks < 0
        || blocks != (size + BlockDevice.BLOCK_SIZE - 1) / BlockDevice.BLOCK_SIZE) {
      throw new CorruptStoreException("damaged object record: id " + id + ", " + size
          + " bytes in " + blocks + " blocks, " + extents + " extents");
    }
    long rootBlock = b.getLong();
    long rootGen = b.getLong();
    byte[] c = new byte[b.get()];
    b.get(c);
    BlockPointer root =
        rootBlock < 0 ? null : new BlockPointer(rootBlock, rootGen, Checksum.fromBytes(type, c));
    long durable = b.remaining() >= 8 ? b.getLong() : 0;
    if (durable < 0 || durable > blocks) {
      throw new CorruptStoreException("damaged object record: " + durable + " of " + blocks
          + " blocks flushed before its commit");
    }
    return new ObjectRecord(id, size, gen, modified, type, extents, blocks, root, durable);
  }

  ObjectInfo info(String name) {
    return new ObjectInfo(name, size, extents, checksum, generation, modified);
  }

  ObjectRecord committedAs(long gen) {
    return new ObjectRecord(id, size, gen, modified, checksum, extents, dataBlocks, extentMap,
        durableBlocks);
  }
}
