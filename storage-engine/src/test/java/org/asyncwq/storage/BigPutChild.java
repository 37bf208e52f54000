package org.asyncwq.storage;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * The child JVM of {@link Issue11AcceptanceTest#aPutLargerThanTheHeapStreamsInBoundedMemory}: run
 * with a small {@code -Xmx}, it creates a file-backed two-mirror store in the directory given, puts
 * one object of the size given (its bytes generated as they are read, never held), gets it back
 * through a digesting stream and prints {@code SIZE <stat size> DIGEST <sha-256 of the get>}.
 */
final class BigPutChild {
  private BigPutChild() {}

  /** {@code size} pseudo-random bytes from {@code seed}, generated as they are read. */
  static InputStream generated(long size, long seed) {
    return new InputStream() {
      private final SplittableRandom r = new SplittableRandom(seed);
      private long left = size;

      @Override
      public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (left == 0) {
          return -1;
        }
        int n = (int) Math.min(len, left);
        for (int i = 0; i < n; i++) {
          b[off + i] = (byte) r.nextInt();
        }
        left -= n;
        return n;
      }
    };
  }

  /** The SHA-256 of {@code in} read to its end, in hex. */
  static String digest(InputStream in) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    byte[] buf = new byte[1 << 16];
    for (int n; (n = in.read(buf)) > 0; ) {
      md.update(buf, 0, n);
    }
    return HexFormat.of().formatHex(md.digest());
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    long size = Long.parseLong(args[1]);
    long seed = Long.parseLong(args[2]);
    // Room for the object plus its metadata, rounded to whole MiB: the files are sparse.
    long deviceSize = ((size + size / 16 + (64L << 20)) >> 20) << 20;
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    long statSize;
    try (Store s = Store.create(dir, StoreOptions.builder().deviceSize(deviceSize).build())) {
      s.put("big", generated(size, seed));
      statSize = s.stat("big").orElseThrow().size();
      s.get("big", new OutputStream() {
        @Override
        public void write(int b) {
          md.update((byte) b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
          md.update(b, off, len);
        }
      });
    }
    System.out.println("SIZE " + statSize + " DIGEST " + HexFormat.of().formatHex(md.digest()));
  }
}
