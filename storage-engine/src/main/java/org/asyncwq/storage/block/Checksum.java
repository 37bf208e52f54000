package org.asyncwq.storage.block;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.zip.CRC32C;
import net.openhft.hashing.LongHashFunction;

/**
 * The checksum of one block (or any run of bytes): its {@link ChecksumType} and its bytes, a value
 * with {@code equals}/{@code hashCode} (type and bytes) and a {@code toString()} that is its bytes
 * in lowercase hex, such as {@code e3069283}.
 *
 * <p>{@link #of} reads the buffer's remaining bytes without moving its position or limit. {@link
 * #matches} verifies a buffer against this checksum. Immutable and thread-safe.
 */
public final class Checksum {
  private static final LongHashFunction XX = LongHashFunction.xx();
  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(() -> {
        try {
          return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
          throw new IllegalStateException("the JDK has no SHA-256", e);
        }
      });

  private final ChecksumType type;
  private final byte[] bytes;
  /** The bytes as a number, for CRC32C and XXH64 (so a verification compares two longs). */
  private final long value;

  private Checksum(ChecksumType type, byte[] bytes) {
    this.type = type;
    this.bytes = bytes;
    this.value = type == ChecksumType.SHA256 ? 0 : toLong(bytes);
  }

  /** The checksum of {@code block}'s remaining bytes (normally one block); the buffer is untouched. */
  public static Checksum of(ChecksumType type, ByteBuffer block) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(block, "block");
    return compute(type, block, block.position(), block.remaining());
  }

  /**
   * A checksum read back from storage.
   *
   * @throws IllegalArgumentException if {@code bytes} is not {@code type.size()} long
   */
  public static Checksum fromBytes(ChecksumType type, byte[] bytes) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length != type.size()) {
      throw new IllegalArgumentException("a " + type + " checksum has " + type.size()
          + " bytes, got " + bytes.length);
    }
    return new Checksum(type, bytes.clone());
  }

  /** Whether {@code block}'s remaining bytes have this checksum; the buffer is untouched. */
  public boolean matches(ByteBuffer block) {
    return matches(block, block.position(), block.remaining());
  }

  /** Bytes {@code [offset, offset + length)} of {@code buf}, by absolute index, hashed. */
  static Checksum compute(ChecksumType type, ByteBuffer buf, int offset, int length) {
    switch (type) {
      case CRC32C:
        return new Checksum(type, toBytes(crc32c(buf, offset, length), 4));
      case XXH64:
        return new Checksum(type, toBytes(xxh64(buf, offset, length), 8));
      case SHA256:
        return new Checksum(type, sha256(buf, offset, length));
      default:
        throw new AssertionError(type);
    }
  }

  /** Whether bytes {@code [offset, offset + length)} of {@code buf} have this checksum. */
  boolean matches(ByteBuffer buf, int offset, int length) {
    switch (type) {
      case CRC32C:
        return crc32c(buf, offset, length) == value;
      case XXH64:
        return xxh64(buf, offset, length) == value;
      case SHA256:
        return MessageDigest.isEqual(sha256(buf, offset, length), bytes);
      default:
        throw new AssertionError(type);
    }
  }

  /** A heap copy per thread for {@link #xxh64} of a direct buffer. */
  private static final ThreadLocal<byte[]> HEAP_COPY = ThreadLocal.withInitial(() -> new byte[0]);

  /**
   * XXH64 of a heap buffer's backing array, or of a heap copy of a direct buffer: the library reads
   * a direct buffer through {@code sun.nio.ch.DirectBuffer}, which Java 17 does not export to the
   * class path (an {@link IllegalAccessError} on scrub's direct read buffers otherwise).
   */
  private static long xxh64(ByteBuffer buf, int offset, int length) {
    if (buf.hasArray()) {
      return XX.hashBytes(buf.array(), buf.arrayOffset() + offset, length);
    }
    byte[] copy = HEAP_COPY.get();
    if (copy.length < length) {
      copy = new byte[length];
      HEAP_COPY.set(copy);
    }
    buf.get(offset, copy, 0, length);
    return XX.hashBytes(copy, 0, length);
  }

  /**
   * CRC32C through the JDK's intrinsic: straight over the backing array of a heap buffer (no view
   * allocated per block), through a view of a direct one.
   */
  private static long crc32c(ByteBuffer buf, int offset, int length) {
    CRC32C crc = new CRC32C();
    if (buf.hasArray()) {
      crc.update(buf.array(), buf.arrayOffset() + offset, length);
    } else {
      crc.update(buf.duplicate().limit(offset + length).position(offset));
    }
    return crc.getValue();
  }

  private static byte[] sha256(ByteBuffer buf, int offset, int length) {
    MessageDigest md = SHA256.get();
    md.update(buf.duplicate().limit(offset + length).position(offset));
    return md.digest();
  }

  private static byte[] toBytes(long value, int size) {
    byte[] b = new byte[size];
    for (int i = size - 1; i >= 0; i--) {
      b[i] = (byte) value;
      value >>>= 8;
    }
    return b;
  }

  private static long toLong(byte[] b) {
    long v = 0;
    for (byte x : b) {
      v = (v << 8) | (x & 0xff);
    }
    return v;
  }

  public ChecksumType type() {
    return type;
  }

  /** A copy of the checksum's bytes, {@code type().size()} long. */
  public byte[] bytes() {
    return bytes.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Checksum && ((Checksum) o).type == type
        && Arrays.equals(((Checksum) o).bytes, bytes);
  }

  @Override
  public int hashCode() {
    return 31 * type.hashCode() + Arrays.hashCode(bytes);
  }

  /**
   * The bytes in lowercase hex, two digits a byte, as {@code sha256sum} prints them: for example
   * {@code e3069283}, the CRC32C of {@code "123456789"}. The type is {@link #type()}.
   */
  @Override
  public String toString() {
    return HexFormat.of().formatHex(bytes);
  }
}
