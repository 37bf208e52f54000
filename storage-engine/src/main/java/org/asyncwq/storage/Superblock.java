package org.asyncwq.storage;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.UUID;
import java.util.zip.CRC32C;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.Checksum;
import org.asyncwq.storage.block.ChecksumType;
import org.asyncwq.storage.tree.BlockPointer;

/**
 * One superblock: the root of everything, written to slot {@code generation % 2} (blocks 0 and 1)
 * of every mirror at the end of a commit. Its own checksum is always CRC32C, so it can be verified
 * before the store's checksum type is known.
 *
 * <pre>
 *   0 magic "AWQSTORE"  8 format version  12 reserved  16 store UUID  32 mirror index
 *  36 mirror count  40 checksum type  44 allocation groups  48 device blocks  56 generation
 *  64 next object id  72 objects  80 directory root block (-1: empty), generation, checksum length,
 *  checksum ... 4084 seal (version 2; 0: not sealed)  4092 CRC32C of bytes 0..4091
 * </pre>
 *
 * <p><b>Format version 2: one flush round per commit.</b> A version-2 commit writes its data,
 * extent-map and directory pages and this superblock, then flushes every mirror once. So a
 * superblock may reach the disk while something its generation wrote did not; it proves what it
 * covers through its checksums (the directory root's, each page's children's, each extent run's
 * per-block checksums), and open verifies exactly the blocks of the newest generation before
 * taking it ({@link CommitProof}), falling back to the previous commit otherwise. The <em>seal</em>
 * (bytes 4084..4091) says the generation is known complete: it is written over the same slot after
 * the store flushed or proved it (close, open), never in a commit round. The seal and the CRC share
 * the last 512-byte sector and a sealed copy differs from the unsealed one in that sector only, so
 * a torn seal write (whole sectors, as a disk writes them) leaves a valid sealed or unsealed copy,
 * never a damaged one. A sealed generation is never rolled back: damage in it is reported as damage
 * ({@code UncorrectableDataException}), as in version 1. Version 1 (two flush rounds: pages, then
 * the superblock) is read as sealed; this build writes version 2. An older build refuses a
 * version-2 store with its "unknown format version" message.
 */
record Superblock(
    UUID store,
    int mirror,
    int mirrors,
    ChecksumType checksum,
    int groups,
    long deviceBlocks,
    long generation,
    long nextObjectId,
    long objects,
    BlockPointer directory,
    boolean sealed) {

  static final long MAGIC = 0x41575153544f5245L; // "AWQSTORE"
  static final int VERSION = 2;
  /** The oldest version this build reads. */
  static final int OLDEST_VERSION = 1;
  static final int SLOTS = 2;
  private static final int CRC_AT = BlockDevice.BLOCK_SIZE - 4;
  private static final int SEAL_AT = CRC_AT - 8;
  private static final long SEAL = 0x5345414c45445631L; // "SEALEDV1", xor the generation

  /** An unsealed superblock: what a commit writes. */
  Superblock(UUID store, int mirror, int mirrors, ChecksumType checksum, int groups,
      long deviceBlocks, long generation, long nextObjectId, long objects,
      BlockPointer directory) {
    this(store, mirror, mirrors, checksum, groups, deviceBlocks, generation, nextObjectId, objects,
        directory, false);
  }

  /** This superblock with the seal: its generation is known complete. */
  Superblock sealedCopy() {
    return new Superblock(store, mirror, mirrors, checksum, groups, deviceBlocks, generation,
        nextObjectId, objects, directory, true);
  }

  /** Whether {@code other} is a copy of the same commit (any mirror, sealed or not). */
  boolean sameCommit(Superblock other) {
    return other != null && store.equals(other.store) && generation == other.generation
        && nextObjectId == other.nextObjectId && objects == other.objects
        && Objects.equals(directory, other.directory);
  }

  /** The slot this superblock goes to. */
  int slot() {
    return (int) (generation % SLOTS);
  }

  Superblock forMirror(int m) {
    return new Superblock(store, m, mirrors, checksum, groups, deviceBlocks, generation,
        nextObjectId, objects, directory, sealed);
  }

  ByteBuffer encode() {
    ByteBuffer b = ByteBuffer.allocate(BlockDevice.BLOCK_SIZE);
    b.putLong(MAGIC).putInt(VERSION).putInt(0);
    b.putLong(store.getMostSignificantBits()).putLong(store.getLeastSignificantBits());
    b.putInt(mirror).putInt(mirrors).putInt(checksum.ordinal()).putInt(groups);
    b.putLong(deviceBlocks).putLong(generation).putLong(nextObjectId).putLong(objects);
    if (directory == null) {
      b.putLong(-1).putLong(-1).put((byte) 0);
    } else {
      byte[] c = directory.checksum().bytes();
      b.putLong(directory.block()).putLong(directory.generation()).put((byte) c.length).put(c);
    }
    if (sealed) {
      b.putLong(SEAL_AT, SEAL ^ generation);
    }
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, CRC_AT);
    b.putInt(CRC_AT, (int) crc.getValue());
    b.clear();
    return b;
  }

  /** What reading one slot found: a superblock, or why there is none. */
  record Read(Superblock superblock, String problem, boolean unknownVersion) {
    boolean ok() {
      return superblock != null;
    }
  }

  static Read decode(ByteBuffer raw) {
    ByteBuffer b = raw.duplicate();
    byte[] page = new byte[BlockDevice.BLOCK_SIZE];
    b.get(page);
    b = ByteBuffer.wrap(page);
    if (b.getLong(0) != MAGIC) {
      return new Read(null, "bad magic (not an asyncwq store superblock)", false);
    }
    int version = b.getInt(8);
    CRC32C crc = new CRC32C();
    crc.update(page, 0, CRC_AT);
    if ((int) crc.getValue() != b.getInt(CRC_AT)) {
      return new Read(null, "superblock checksum does not match (damaged)", false);
    }
    if (version < OLDEST_VERSION || version > VERSION) {
      return new Read(null, "unknown format version " + version + " (this build reads versions "
          + OLDEST_VERSION + " to " + VERSION + ")", true);
    }
    b.position(16);
    UUID store = new UUID(b.getLong(), b.getLong());
    int mirror = b.getInt();
    int mirrors = b.getInt();
    int type = b.getInt();
    int groups = b.getInt();
    if (type < 0 || type >= ChecksumType.values().length || mirrors < 1 || mirror < 0
        || mirror >= mirrors || groups < 1) {
      return new Read(null, "superblock fields out of range (damaged)", false);
    }
    ChecksumType ct = ChecksumType.values()[type];
    long deviceBlocks = b.getLong();
    long gen = b.getLong();
    long nextId = b.getLong();
    long objects = b.getLong();
    long rootBlock = b.getLong();
    long rootGen = b.getLong();
    int csumLength = b.get();
    // A damaged superblock whose CRC still matches (or a crafted one) is refused field by field,
    // never trusted into a huge allocation or an out-of-range read.
    boolean rootOk = rootBlock < 0
        ? rootBlock == -1 && csumLength == 0
        : rootBlock >= SLOTS && rootBlock < deviceBlocks && rootGen >= 0 && rootGen <= gen
            && csumLength == ct.size();
    if (deviceBlocks <= SLOTS || groups > deviceBlocks - SLOTS || gen < 0 || nextId < 0
        || objects < 0 || !rootOk) {
      return new Read(null, "superblock fields out of range (damaged)", false);
    }
    byte[] c = new byte[csumLength];
    b.get(c);
    BlockPointer dir =
        rootBlock < 0 ? null : new BlockPointer(rootBlock, rootGen, Checksum.fromBytes(ct, c));
    boolean sealed = version < VERSION || b.getLong(SEAL_AT) == (SEAL ^ gen);
    return new Read(new Superblock(store, mirror, mirrors, ct, groups, deviceBlocks, gen, nextId,
        objects, dir, sealed), null, false);
  }
}
