package org.asyncwq.storage;

import java.io.ByteArrayInputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Random;

/**
 * The child JVM of {@link KillNineCrashTest}: creates a file-backed two-mirror store in the
 * directory given and puts objects {@code obj-0, obj-1, ...} (contents from {@link #data}) one
 * after another, printing {@code PUT i} once each put has returned, until it is killed.
 */
final class KillNineChild {
  static final int MAX_OBJECTS = 200;

  private KillNineChild() {}

  /** The bytes of object {@code i} of run {@code seed}: both JVMs compute them alike. */
  static byte[] data(long seed, int i) {
    Random r = new Random(seed * 1_000_003L + i);
    byte[] b = new byte[r.nextInt(4) == 0 ? r.nextInt(150_000) : r.nextInt(12_000)];
    r.nextBytes(b);
    return b;
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    long seed = Long.parseLong(args[1]);
    PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out),
        true);
    // Standard output carries the reports only: logging goes to standard error, so a partly
    // flushed log line can never run into a report and hide it from the parent.
    System.setOut(System.err);
    try (Store s = Store.create(dir, StoreOptions.builder().mirrors(2).deviceSize(32L << 20)
        .build())) {
      out.println("CREATED");
      for (int i = 0; i < MAX_OBJECTS; i++) {
        s.put("obj-" + i, new ByteArrayInputStream(data(seed, i)));
        out.println("PUT " + i);
      }
      out.println("DONE");
      System.in.read(); // wait to be killed
    }
  }
}
