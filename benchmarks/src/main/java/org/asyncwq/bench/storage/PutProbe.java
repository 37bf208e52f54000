package org.asyncwq.bench.storage;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.Random;
import org.asyncwq.storage.Store;
import org.asyncwq.storage.StoreOptions;

/**
 * A driver for counting what a durable put costs (run it under {@code strace -f -c}): creates a
 * store in a new directory, makes 50 warm-up puts, then times {@code puts} one-producer puts of
 * {@code size} bytes into 64 names round-robin and prints the time per put and the commits made.
 * Usage: {@code PutProbe DIR SIZE PUTS}.
 */
public final class PutProbe {
  private PutProbe() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: PutProbe DIR SIZE PUTS (DIR must not exist)");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    int size = Integer.parseInt(args[1]);
    int puts = Integer.parseInt(args[2]);
    byte[] data = new byte[size];
    new Random(size).nextBytes(data);
    try (Store s = Store.create(dir, StoreOptions.builder().deviceSize(1L << 30).build())) {
      for (int i = 0; i < 50; i++) {
        s.put("o" + (i % 64), new ByteArrayInputStream(data));
      }
      long t0 = System.nanoTime();
      for (int i = 0; i < puts; i++) {
        s.put("o" + (i % 64), new ByteArrayInputStream(data));
      }
      long t = System.nanoTime() - t0;
      System.out.printf("%d puts of %d B: %.3f ms per put; %d commits in all (warm-up included)%n",
          puts, size, t / 1e6 / puts, s.stats().commits());
    }
  }
}
