package org.asyncwq.storage.tree;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.Checksum;
import org.asyncwq.storage.block.ChecksumType;

/**
 * The on-disk layout of a tree page (one 4 KiB block).
 *
 * <pre>
 *   0  int   magic "AWQP"
 *   4  byte  kind (1 directory, 2 extents)
 *   5  byte  level (0 = leaf)
 *   6  short entry count
 *   8  long  generation that wrote the page
 *  16  long  owner (1 for the directory, the object id for an extent map)
 *  24  long  the page's own block number (catches a misdirected write)
 *  32  byte  checksum type, 33 byte checksum length, 34..66 the page's own checksum, computed with
 *            these 32 bytes zeroed
 *  72  entries: leaf     u16 key length, u16 value length, key, value
 *               internal u16 key length, key, long child block, long child generation,
 *                        u8 checksum length, checksum of the child's whole block
 * </pre>
 */
final class Page {
  static final int SIZE = BlockDevice.BLOCK_SIZE;
  static final int MAGIC = 0x41575150;
  static final int HEADER = 72;
  static final int CAPACITY = SIZE - HEADER;
  /** Largest entry: three always fit in a page, so a split of a full page always works. */
  static final int MAX_ENTRY = CAPACITY / 3;
  private static final int CSUM_AT = 34;
  private static final int CSUM_MAX = 32;

  private Page() {}

  static int leafEntrySize(byte[] key, byte[] value) {
    return 4 + key.length + value.length;
  }

  static int pointerEntrySize(byte[] key) {
    return 2 + key.length + 8 + 8 + 1 + CSUM_MAX;
  }

  /** Encodes {@code n} as the page at {@code block} written by {@code generation}. */
  static ByteBuffer encode(Node n, long generation, long block, ChecksumType type) {
    ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.BIG_ENDIAN);
    b.putInt(MAGIC).put((byte) n.kind.code).put((byte) n.level).putShort((short) n.count());
    b.putLong(generation).putLong(n.owner).putLong(block);
    b.put((byte) type.ordinal()).put((byte) type.size());
    b.position(HEADER);
    for (int i = 0; i < n.count(); i++) {
      byte[] k = n.keys.get(i);
      if (n.isLeaf()) {
        byte[] v = n.values.get(i);
        b.putShort((short) k.length).putShort((short) v.length).put(k).put(v);
      } else {
        BlockPointer p = n.ptrs.get(i);
        byte[] c = p.checksum().bytes();
        b.putShort((short) k.length).put(k).putLong(p.block()).putLong(p.generation());
        b.put((byte) c.length).put(c);
      }
    }
    byte[] self = Checksum.of(type, ByteBuffer.wrap(b.array())).bytes();
    System.arraycopy(self, 0, b.array(), CSUM_AT, self.length);
    b.clear();
    return b;
  }

  /**
   * Decodes the page read from {@code at}, checking everything its parent pointer promises: magic,
   * kind, owner (unless negative), its own block number, generation and own checksum.
   */
  static Node decode(ByteBuffer raw, BlockPointer at, PageKind kind, long owner, ChecksumType type)
      throws CorruptPageException {
    long block = at.block();
    byte[] page = new byte[SIZE];
    raw.duplicate().get(page);
    ByteBuffer b = ByteBuffer.wrap(page).order(ByteOrder.BIG_ENDIAN);
    if (b.getInt(0) != MAGIC) {
      throw new CorruptPageException(block, "bad magic, not a tree page");
    }
    PageKind k = PageKind.of(b.get(4));
    if (k != kind) {
      throw new CorruptPageException(block, "kind " + k + ", expected " + kind);
    }
    int level = b.get(5);
    int count = Short.toUnsignedInt(b.getShort(6));
    long gen = b.getLong(8);
    long own = b.getLong(16);
    long self = b.getLong(24);
    if (self != block) {
      throw new CorruptPageException(block, "header says block " + self + " (misdirected write)");
    }
    if (gen != at.generation()) {
      throw new CorruptPageException(
          block, "generation " + gen + ", parent expects " + at.generation() + " (lost write)");
    }
    if (owner >= 0 && own != owner) {
      throw new CorruptPageException(block, "owner " + own + ", expected " + owner);
    }
    int csumLen = b.get(33);
    if (b.get(32) != type.ordinal() || csumLen != type.size()) {
      throw new CorruptPageException(block, "checksum type differs from the store's " + type);
    }
    byte[] stored = Arrays.copyOfRange(page, CSUM_AT, CSUM_AT + csumLen);
    Arrays.fill(page, CSUM_AT, CSUM_AT + CSUM_MAX, (byte) 0);
    if (!Arrays.equals(stored, Checksum.of(type, ByteBuffer.wrap(page)).bytes())) {
      throw new CorruptPageException(block, "own checksum does not match");
    }
    Node n = new Node(kind, own, level);
    n.self = at;
    b.position(HEADER);
    try {
      for (int i = 0; i < count; i++) {
        byte[] key = new byte[Short.toUnsignedInt(b.getShort())];
        if (level == 0) {
          byte[] value = new byte[Short.toUnsignedInt(b.getShort())];
          b.get(key).get(value);
          n.keys.add(key);
          n.values.add(value);
        } else {
          b.get(key);
          long cb = b.getLong();
          long cg = b.getLong();
          byte[] c = new byte[b.get()];
          b.get(c);
          n.keys.add(key);
          n.ptrs.add(new BlockPointer(cb, cg, Checksum.fromBytes(type, c)));
          n.kids.add(null);
        }
      }
    } catch (RuntimeException e) {
      throw new CorruptPageException(block, "entries overrun the page: " + e);
    }
    // Searches assume sorted keys: a page whose keys are not strictly increasing would hide entries
    // from lookups that a walk still lists, so it is refused as a whole.
    for (int i = 1; i < n.keys.size(); i++) {
      if (Node.compare(n.keys.get(i - 1), n.keys.get(i)) >= 0) {
        throw new CorruptPageException(block, "keys out of order at entry " + i);
      }
    }
    return n;
  }
}
