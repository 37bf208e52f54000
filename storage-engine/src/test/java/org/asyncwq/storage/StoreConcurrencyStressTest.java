package org.asyncwq.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.FaultyBlockDevice;
import org.asyncwq.storage.block.FileBlockDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 point 1 (1,000 concurrent puts and gets from 16 threads) and point 8 (group commit:
 * concurrent puts share commits, counted as superblock writes against puts).
 */
@Timeout(300)
class StoreConcurrencyStressTest {
  private static final int STRESS = Integer.getInteger("asyncwq.stress", 1);
  private static final int THREADS = 16;

  @TempDir Path dir;

  /** Content that names its object and version, so a foreign object's bytes cannot pass. */
  static byte[] content(String name, int version) {
    Random r = new Random(name.hashCode() * 31L + version);
    int size = r.nextInt(3) == 0 ? r.nextInt(20_000) : r.nextInt(600);
    byte[] head = (name + "#" + version + "#").getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(head.length + size);
    b.put(head);
    byte[] tail = new byte[size];
    r.nextBytes(tail);
    b.put(tail);
    return b.array();
  }

  private List<FaultyBlockDevice> fileDevices(long blocks) throws Exception {
    List<FaultyBlockDevice> out = new ArrayList<>();
    for (int m = 0; m < 2; m++) {
      out.add(new FaultyBlockDevice(FileBlockDevice.create(dir.resolve("m" + m), blocks)));
    }
    return out;
  }

  @Test
  void thousandConcurrentPutsAndGetsFrom16ThreadsLoseNothingAndNeverMixObjects()
      throws Exception {
    int ops = 1000 * STRESS;
    List<FaultyBlockDevice> devices = fileDevices(32768);
    ConcurrentHashMap<String, Integer> latest = new ConcurrentHashMap<>();
    try (Store store = Store.create(List.copyOf(devices), StoreOptions.defaults())) {
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          Random r = new Random(thread);
          for (int i = 0; i < ops / THREADS; i++) {
            String name = "t" + thread + "/o" + r.nextInt(20);
            if (r.nextBoolean()) {
              int version = latest.merge(name, 1, Integer::sum);
              store.put(name, new ByteArrayInputStream(content(name, version)));
            } else {
              // Any thread may read any object: it must be exactly one version of that object.
              String other = "t" + r.nextInt(THREADS) + "/o" + r.nextInt(20);
              Integer seen = latest.get(other);
              if (seen != null) {
                try {
                  byte[] got = store.read(other);
                  String head = new String(got, 0, Math.min(got.length, other.length() + 12),
                      StandardCharsets.UTF_8);
                  int v = Integer.parseInt(head.substring(other.length() + 1).split("#")[0]);
                  assertThat(head).startsWith(other + "#");
                  assertThat(got).isEqualTo(content(other, v));
                } catch (NoSuchObjectException e) {
                  // put by its thread but not yet committed: fine
                }
              }
            }
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get(240, TimeUnit.SECONDS);
      }
      pool.shutdown();
      for (var e : latest.entrySet()) {
        assertThat(store.read(e.getKey())).isEqualTo(content(e.getKey(), e.getValue()));
      }
      assertThat(store.list("")).hasSize(latest.size());
      assertThat(store.check().problems()).isEmpty();
    }
  }

  @Test
  void concurrentPutsShareCommitsFewerSuperblockWritesThanPuts() throws Exception {
    List<FaultyBlockDevice> devices = fileDevices(16384);
    int perThread = 10 * STRESS;
    try (Store store = Store.create(List.copyOf(devices), StoreOptions.defaults())) {
      long before = superblockWrites(devices.get(0));
      CyclicBarrier start = new CyclicBarrier(THREADS);
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < perThread; i++) {
            String n = "g" + thread + "-" + i;
            store.put(n, new ByteArrayInputStream(content(n, 1)));
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get(240, TimeUnit.SECONDS);
      }
      pool.shutdown();
      long puts = (long) THREADS * perThread;
      long commits = superblockWrites(devices.get(0)) - before;
      assertThat(commits).as("superblock writes on mirror 0 for %s puts", puts)
          .isPositive().isLessThan(puts * 3 / 4);
      assertThat(store.list("g")).hasSize((int) puts);
    }
  }

  private static long superblockWrites(BlockDevice d) {
    FaultyBlockDevice f = (FaultyBlockDevice) d;
    return f.writes(0) + f.writes(1);
  }
}
