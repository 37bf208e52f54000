package org.asyncwq.bench.storage;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.asyncwq.storage.BlockLocation;
import org.asyncwq.storage.ObjectInfo;
import org.asyncwq.storage.Store;
import org.asyncwq.storage.StoreOptions;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.FileBlockDevice;

/**
 * A driver for counting what a cold get costs (run it under {@code strace -f} or a profiler): the
 * layout of {@link StorageColdGetBenchmark} (64 objects of {@code SIZE} bytes in a 2-mirror store
 * reopened on {@link FileBlockDevice#openDirectReads} devices, the same bytes in a plain file read
 * with O_DIRECT), then {@code ROUNDS} rounds of {@code GETS} random gets of each, store and raw back
 * to back, and two more sides: O_DIRECT reads of the store's own mirror files at the objects'
 * device blocks, both mirrors in turn as the store reads them, then mirror 0 only (the store's
 * layout without the store). Prints each object's extent count and the time
 * per get of each side per round. Before each timed side it looks up a file named {@code
 * /tmp/asyncwq-probe-<side>}, so an strace log shows where each side starts. Usage: {@code
 * ColdGetProbe DIR SIZE GETS ROUNDS}.
 */
public final class ColdGetProbe {
  private static final int OBJECTS = 64;

  private ColdGetProbe() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: ColdGetProbe DIR SIZE GETS ROUNDS (DIR must not exist)");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    int size = Integer.parseInt(args[1]);
    int gets = Integer.parseInt(args[2]);
    int rounds = Integer.parseInt(args[3]);
    Files.createDirectories(dir);
    byte[] data = new byte[size];
    try (Store s = Store.create(dir.resolve("store"), StoreOptions.builder().mirrors(2)
        .deviceSize(StoreSubject.DEVICE_SIZE).build())) {
      for (int i = 0; i < OBJECTS; i++) {
        new SplittableRandom(i).nextBytes(data);
        s.put("o" + i, new ByteArrayInputStream(data));
      }
    }
    Path rawFile = dir.resolve("raw-0.bin");
    try (FileChannel w = FileChannel.open(rawFile, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      for (int i = 0; i < OBJECTS; i++) {
        new SplittableRandom(i).nextBytes(data);
        ByteBuffer b = ByteBuffer.wrap(data);
        while (b.hasRemaining()) {
          w.write(b, (long) i * size + b.position());
        }
      }
      w.force(true);
    }
    List<BlockDevice> devices = new ArrayList<>();
    for (int m = 0; m < 2; m++) {
      devices.add(FileBlockDevice.openDirectReads(dir.resolve("store/mirror-" + m + ".img")));
    }
    int align = (int) Files.getFileStore(rawFile).getBlockSize();
    ByteBuffer aligned = ByteBuffer.allocateDirect(size + 2 * align).alignedSlice(align);
    byte[] buffer = new byte[size];
    try (Store store = Store.open(devices);
        FileChannel raw = FileChannel.open(rawFile, StandardOpenOption.READ,
            ExtendedOpenOption.DIRECT);
        FileChannel mirror0 = FileChannel.open(dir.resolve("store/mirror-0.img"),
            StandardOpenOption.READ, ExtendedOpenOption.DIRECT);
        FileChannel mirror1 = FileChannel.open(dir.resolve("store/mirror-1.img"),
            StandardOpenOption.READ, ExtendedOpenOption.DIRECT)) {
      long[] at = new long[OBJECTS];
      int extents = 0;
      for (int i = 0; i < OBJECTS; i++) {
        ObjectInfo info = store.stat("o" + i).orElseThrow();
        extents += info.extents();
        List<BlockLocation> l = store.locate("o" + i, 0);
        at[i] = l.get(0).block() * BlockDevice.BLOCK_SIZE;
      }
      System.out.printf("%d objects of %d B: %d extents in all; first blocks %d, %d, %d%n",
          OBJECTS, size, extents, at[0] / 4096, at[1] / 4096, at[2] / 4096);
      int padded = (size + align - 1) / align * align;
      SplittableRandom random = new SplittableRandom(13);
      for (int r = -1; r < rounds; r++) {
        int n = r < 0 ? Math.max(50, gets / 4) : gets;
        long t0 = System.nanoTime();
        Files.exists(Path.of("/tmp/asyncwq-probe-store"));
        for (int i = 0; i < n; i++) {
          int slot = random.nextInt(OBJECTS);
          if (store.get("o" + slot, ByteBuffer.wrap(buffer)) != size) {
            throw new IllegalStateException("short get");
          }
        }
        long t1 = System.nanoTime();
        Files.exists(Path.of("/tmp/asyncwq-probe-raw"));
        for (int i = 0; i < n; i++) {
          int slot = random.nextInt(OBJECTS);
          readFully(raw, aligned, padded, (long) slot * size, buffer, size);
        }
        long t2 = System.nanoTime();
        Files.exists(Path.of("/tmp/asyncwq-probe-layout"));
        for (int i = 0; i < n; i++) {
          int slot = random.nextInt(OBJECTS);
          readFully(i % 2 == 0 ? mirror0 : mirror1, aligned, padded, at[slot], buffer, size);
        }
        long t3 = System.nanoTime();
        Files.exists(Path.of("/tmp/asyncwq-probe-layout0"));
        for (int i = 0; i < n; i++) {
          int slot = random.nextInt(OBJECTS);
          readFully(mirror0, aligned, padded, at[slot], buffer, size);
        }
        long t4 = System.nanoTime();
        Files.exists(Path.of("/tmp/asyncwq-probe-end"));
        if (r >= 0) {
          double st = (t1 - t0) / 1e3 / n;
          double rt = (t2 - t1) / 1e3 / n;
          double lt = (t3 - t2) / 1e3 / n;
          double l0 = (t4 - t3) / 1e3 / n;
          System.out.printf("round %d: store %.1f us/get, raw %.1f, raw at the store's blocks of"
              + " both mirrors in turn %.1f, of mirror 0 only %.1f; store/raw %.2fx%n", r, st, rt,
              lt, l0, rt / st);
        }
      }
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** One object's bytes with O_DIRECT: {@code padded} bytes from {@code pos}, {@code n} copied. */
  private static void readFully(FileChannel ch, ByteBuffer aligned, int padded, long pos,
      byte[] into, int n) throws java.io.IOException {
    aligned.clear().limit(padded);
    while (aligned.hasRemaining()) {
      if (ch.read(aligned, pos + aligned.position()) < 0) {
        break;
      }
    }
    aligned.flip();
    aligned.get(into, 0, n);
  }
}
