package org.asyncwq.bench.storage;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.asyncwq.storage.BlockLocation;
import org.asyncwq.storage.StoreWiring;
import org.rocksdb.TickerType;

/**
 * A fixed-count driver for what one verified get costs (section 7b's evidence; run it under
 * {@code strace -c -f} or with async-profiler as an agent): loads {@code 64} objects of {@code
 * SIZE} bytes into each named contender exactly as {@link StorageGetBenchmark} does, then, on one
 * thread, makes {@code GETS} gets of random slots into one caller's array per round, contenders
 * interleaved round by round, and prints per get the thread's CPU time (user and system apart),
 * its allocation and the wall time, with the median over the rounds. For RocksDB it prints its
 * own counters per get (block cache hits and misses, memtable hits, checksums computed, bytes read
 * from table files) and its block cache's capacity and use.
 *
 * <p>Contenders: {@code ASYNCWQ}, {@code RAW_FILECHANNEL}, {@code ROCKSDB}, and two diagnostic
 * raw reads: {@code RAW_STORE_FILE} reads each object's bytes with one positional read straight
 * from the store's own mirror-0 file (the store's file layout, no verification; needs {@code
 * ASYNCWQ} in the same run) and {@code RAW_DIRECT} reads the raw file into one reused direct buffer
 * and copies it to the array (what the JDK does for a heap buffer, without its temporary buffer);
 * {@code CRC32C_PASS} does no IO, only the CRC32C of the array's bytes, one per 4 KiB block as the
 * store verifies them (the pass a verified get adds to a raw read).
 *
 * <p>Usage: {@code GetProbe DIR SIZE GETS ROUNDS CONTENDER[,CONTENDER...]} (DIR must not exist;
 * it is removed at the end).
 */
public final class GetProbe {
  static final int OBJECTS = 64;

  private GetProbe() {}

  /** One way to get slot {@code slot} whole into {@code into}. */
  @FunctionalInterface
  private interface Getter {
    int get(int slot, byte[] into) throws IOException;
  }

  private record Round(double cpuNs, double userNs, double allocated, double wallNs) {}

  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      System.err.println("usage: GetProbe DIR SIZE GETS ROUNDS CONTENDER[,CONTENDER...]"
          + " (ASYNCWQ, RAW_FILECHANNEL, ROCKSDB, RAW_STORE_FILE, RAW_DIRECT, CRC32C_PASS)");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    int size = Integer.parseInt(args[1]);
    int gets = Integer.parseInt(args[2]);
    int rounds = Integer.parseInt(args[3]);
    List<String> names = Arrays.asList(args[4].split(","));
    Files.createDirectory(dir);
    List<AutoCloseable> open = new ArrayList<>();
    Map<String, Getter> getters = new LinkedHashMap<>();
    RocksDbSubject rocks = null;
    try {
      StoreSubject store = null;
      RawFileSubject raw = null;
      for (String n : names) {
        switch (n) {
          case "ASYNCWQ":
            store = new StoreSubject(dir.resolve("store"), StoreWiring.ASYNCWQ_QUEUES);
            open.add(store);
            load(store, size);
            getters.put(n, store::get);
            break;
          case "RAW_FILECHANNEL":
          case "RAW_DIRECT":
            if (raw == null) {
              raw = new RawFileSubject(dir.resolve("raw"), size);
              open.add(raw);
              load(raw, size);
            }
            getters.put(n, n.equals("RAW_DIRECT") ? directCopy(dir.resolve("raw"), size, open)
                : raw::get);
            break;
          case "ROCKSDB":
            rocks = RocksDbSubject.withStatistics(dir.resolve("rocksdb"));
            open.add(rocks);
            load(rocks, size);
            getters.put(n, rocks::get);
            break;
          case "CRC32C_PASS":
            getters.put(n, GetProbe::crcPass);
            break;
          case "RAW_STORE_FILE":
            if (store == null) {
              throw new IllegalArgumentException("RAW_STORE_FILE needs ASYNCWQ before it");
            }
            getters.put(n, storeFile(store, dir.resolve("store"), size, open));
            break;
          default:
            throw new IllegalArgumentException("unknown contender " + n);
        }
      }
      run(getters, size, gets, rounds, rocks);
    } finally {
      for (int i = open.size() - 1; i >= 0; i--) {
        open.get(i).close();
      }
      BenchDirectory.delete(dir);
    }
  }

  private static void load(Subject s, int size) throws IOException {
    byte[] data = new byte[size];
    for (int slot = 0; slot < OBJECTS; slot++) {
      new SplittableRandom(slot).nextBytes(data);
      s.put(slot, data);
    }
    s.loaded();
  }

  private static void run(Map<String, Getter> getters, int size, int gets, int rounds,
      RocksDbSubject rocks) throws IOException {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().getId();
    byte[] into = new byte[size];
    Map<String, List<Round>> measured = new LinkedHashMap<>();
    long[] rocksBefore = null;
    for (int r = -2; r < rounds; r++) { // two warm-up rounds
      if (r == 0 && rocks != null) {
        rocksBefore = rocks.counters();
      }
      for (Map.Entry<String, Getter> e : getters.entrySet()) {
        SplittableRandom slots = new SplittableRandom(r);
        long cpu = threads.getCurrentThreadCpuTime();
        long user = threads.getCurrentThreadUserTime();
        long alloc = threads.getThreadAllocatedBytes(id);
        long wall = System.nanoTime();
        gets(e.getValue(), slots, into, gets, size);
        wall = System.nanoTime() - wall;
        alloc = threads.getThreadAllocatedBytes(id) - alloc;
        user = threads.getCurrentThreadUserTime() - user;
        cpu = threads.getCurrentThreadCpuTime() - cpu;
        if (r >= 0) {
          measured.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(new Round(
              (double) cpu / gets, (double) user / gets, (double) alloc / gets,
              (double) wall / gets));
        }
      }
    }
    System.out.printf("%d gets of %d B per round, %d rounds, one thread; per get:%n", gets, size,
        rounds);
    for (Map.Entry<String, List<Round>> e : measured.entrySet()) {
      List<Round> l = e.getValue();
      System.out.printf("  %-16s cpu %10.2f us (user %9.2f, sys %9.2f)  alloc %10.0f B  "
              + "wall %10.2f us   cpu by round %s%n", e.getKey(),
          median(l, Round::cpuNs) / 1e3, median(l, Round::userNs) / 1e3,
          (median(l, Round::cpuNs) - median(l, Round::userNs)) / 1e3,
          median(l, Round::allocated), median(l, Round::wallNs) / 1e3,
          l.stream().map(x -> String.format("%.1f", x.cpuNs() / 1e3)).toList());
    }
    if (rocks != null) {
      long[] after = rocks.counters();
      long n = (long) gets * rounds;
      System.out.println("  ROCKSDB counters per measured get:");
      for (int i = 0; i < RocksDbSubject.TICKERS.size(); i++) {
        TickerType t = RocksDbSubject.TICKERS.get(i);
        System.out.printf("    %-32s %12.3f%n", t, (double) (after[i] - rocksBefore[i]) / n);
      }
      System.out.println("  ROCKSDB " + rocks.cacheProperties());
    }
  }

  private static void gets(Getter g, SplittableRandom slots, byte[] into, int gets, int size)
      throws IOException {
    for (int i = 0; i < gets; i++) {
      int n = g.get(slots.nextInt(OBJECTS), into);
      if (n != size) {
        throw new IllegalStateException("a get returned " + n + " bytes, not " + size);
      }
    }
  }

  private static double median(List<Round> l, java.util.function.ToDoubleFunction<Round> f) {
    double[] v = l.stream().mapToDouble(f).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** No IO: the CRC32C of each 4 KiB block of {@code into}, as a verified get computes them. */
  private static int crcPass(int slot, byte[] into) {
    long sum = 0;
    for (int at = 0; at < into.length; at += 4096) {
      java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
      crc.update(into, at, Math.min(4096, into.length - at));
      sum += crc.getValue();
    }
    return sum == -1 ? -1 : into.length; // uses the sums, so the JIT cannot drop them
  }

  /** Reads from the raw file into one reused direct buffer, then copies it to the array. */
  private static Getter directCopy(Path rawDir, int size, List<AutoCloseable> open)
      throws IOException {
    FileChannel ch = FileChannel.open(rawDir.resolve("raw-0.bin"), StandardOpenOption.READ);
    open.add(ch);
    ByteBuffer direct = ByteBuffer.allocateDirect(size);
    return (slot, into) -> {
      direct.clear();
      long at = (long) slot * size;
      while (direct.hasRemaining()) {
        if (ch.read(direct, at + direct.position()) < 0) {
          break;
        }
      }
      direct.flip().get(into, 0, direct.remaining());
      return direct.limit();
    };
  }

  /** Reads each object's bytes from the store's mirror-0 file where the store put them. */
  private static Getter storeFile(StoreSubject store, Path storeDir, int size,
      List<AutoCloseable> open) throws IOException {
    long[] at = new long[OBJECTS];
    int blocks = (size + 4095) / 4096;
    for (int slot = 0; slot < OBJECTS; slot++) {
      BlockLocation first = store.store().locate("o" + slot, 0).get(0);
      BlockLocation last = store.store().locate("o" + slot, size - 1L).get(0);
      if (last.block() != first.block() + blocks - 1) {
        throw new IllegalStateException("object o" + slot + " is not one run on the device");
      }
      at[slot] = first.block() * 4096;
    }
    FileChannel ch = FileChannel.open(storeDir.resolve("mirror-0.img"), StandardOpenOption.READ);
    open.add(ch);
    return (slot, into) -> {
      ByteBuffer b = ByteBuffer.wrap(into, 0, size);
      while (b.hasRemaining()) {
        if (ch.read(b, at[slot] + b.position()) < 0) {
          break;
        }
      }
      return b.position();
    };
  }
}
