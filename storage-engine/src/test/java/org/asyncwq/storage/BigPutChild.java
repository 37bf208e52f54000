package org.asyncwq.storage;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The child JVM of {@link Issue11AcceptanceTest#aPutLargerThanTheHeapStreamsInBoundedMemory}: run
 * with a small {@code -Xmx}, it creates a file-backed two-mirror store in the directory given, puts
 * one object of the size given ({@link StoreStreamingTest#generated}, never held), gets it back
 * through a digesting stream and prints {@code SIZE <stat size> DIGEST <sha-256 of the get>}.
 */
final class BigPutChild {
  private BigPutChild() {}

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
    long statSize;
    String digest;
    try (Store s = Store.create(dir, StoreOptions.builder().deviceSize(deviceSize).build())) {
      s.put("big", StoreStreamingTest.generated(size, seed));
      statSize = s.stat("big").orElseThrow().size();
      digest = digestOfGet(s, "big");
    }
    System.out.println("SIZE " + statSize + " DIGEST " + digest);
  }

  /** The SHA-256 of what {@code get(name)} writes, in hex, never holding the object. */
  static String digestOfGet(Store s, String name) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    s.get(name, new DigestOutputStream(OutputStream.nullOutputStream(), md));
    return HexFormat.of().formatHex(md.digest());
  }
}
