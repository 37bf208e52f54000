package org.asyncwq.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.asyncwq.storage.block.ScrubListener;
import org.asyncwq.storage.block.ScrubReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reliability campaign 7, load: 16 client threads mix put, get, delete and scrub on a file-backed
 * two-mirror store for 12 s in the default build, 10 minutes under {@code -Pstress} (or {@code
 * -Dasyncwq.load.seconds=N}). Every read is verified byte for byte against the version its owner
 * last stored (each thread owns its names, so it knows), or, for another thread's object, against
 * the version its header names; every scrub finds nothing to fix; {@code check()} is clean at the
 * end. The run is measured twice, after a warm-up fifth and at the end, each time with the clients
 * stopped and after a full GC: the live threads and the heap in use must not grow between the two.
 *
 * <p>Seeded: a failure prints the seed; {@code -Dasyncwq.seed=<seed>} replays the clients' choices.
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES) // backstop; the run is time-bounded below
class StoreLoadStressTest {
  private static final int CLIENTS = 16;
  private static final int NAMES_PER_CLIENT = 24;
  /** Heap the second measurement may exceed the first by: GC noise, not a leak. */
  private static final long HEAP_SLACK = 16L << 20;

  @TempDir Path dir;

  static Duration runTime() {
    Long seconds = Long.getLong("asyncwq.load.seconds");
    if (seconds != null) {
      return Duration.ofSeconds(seconds);
    }
    return Integer.getInteger("asyncwq.stress", 1) > 1 ? Duration.ofMinutes(10)
        : Duration.ofSeconds(12);
  }

  /** Content that names its object and version, so a foreign or stale object's bytes cannot pass. */
  static byte[] content(String name, long version) {
    SplittableRandom r = new SplittableRandom(name.hashCode() * 0x9E3779B97F4A7C15L + version);
    int size = r.nextInt(4) == 0 ? r.nextInt(200_000) : r.nextInt(6_000);
    byte[] head = (name + "#" + version + "#").getBytes(StandardCharsets.UTF_8);
    byte[] tail = new byte[size];
    r.nextBytes(tail);
    return ByteBuffer.allocate(head.length + size).put(head).put(tail).array();
  }

  private static final class Figures {
    final AtomicLongArray ops = new AtomicLongArray(5); // put, get, delete, scrub, foreign get
    final AtomicLongArray bytesVerified = new AtomicLongArray(1);
  }

  @Test
  void sixteenClientsMixingPutGetDeleteScrubSeeNoErrorAndNoGrowth() throws Exception {
    long seed = Long.getLong("asyncwq.seed", System.nanoTime());
    Duration total = runTime();
    Figures figures = new Figures();
    StoreOptions options =
        StoreOptions.builder().deviceSize(256L << 20).allocationGroups(4).build();
    try (Store store = Store.create(dir.resolve("store"), options)) {
      long[][] versions = new long[CLIENTS][NAMES_PER_CLIENT]; // <= 0: absent; owner only
      try {
        runClients(store, seed, total.dividedBy(5), versions, figures);
        Footprint warm = Footprint.measure();
        runClients(store, seed + 1, total.minus(total.dividedBy(5)), versions, figures);
        Footprint end = Footprint.measure();
        // No growth: threads come back to the warm count (idle pool threads may still be retiring)
        // and the heap after a full GC stays within GC noise of the warm figure.
        await().atMost(Duration.ofSeconds(60)).until(() -> Footprint.measure().threads()
            <= warm.threads());
        await().atMost(Duration.ofSeconds(60)).until(() -> Footprint.measure().heap()
            <= warm.heap() + HEAP_SLACK);
        for (int c = 0; c < CLIENTS; c++) {
          for (int n = 0; n < NAMES_PER_CLIENT; n++) {
            String name = name(c, n);
            if (versions[c][n] <= 0) {
              assertThat(store.stat(name)).as("%s deleted", name).isEmpty();
            } else {
              assertThat(store.read(name)).as("%s version %s", name, versions[c][n])
                  .isEqualTo(content(name, versions[c][n]));
            }
          }
        }
        CheckReport check = store.check();
        assertThat(check.problems()).as("check after the load").isEmpty();
        System.out.printf("load: %d clients for %s: %d puts, %d gets (%d of other clients'"
                + " objects), %d deletes, %d scrubs, %d bytes verified, 0 errors; threads %d"
                + " after warm-up, %d at the end; heap after full GC %d MiB after warm-up, %d MiB"
                + " at the end; check clean (seed %d)%n",
            CLIENTS, total, figures.ops.get(0), figures.ops.get(1) + figures.ops.get(4),
            figures.ops.get(4), figures.ops.get(2), figures.ops.get(3),
            figures.bytesVerified.get(0), warm.threads(), end.threads(), warm.heap() >> 20,
            end.heap() >> 20, seed);
      } catch (Throwable e) {
        throw new AssertionError("load failed: replay with -Dasyncwq.seed=" + seed, e);
      }
    }
  }

  private static String name(int client, int n) {
    return "client-" + client + "/object-" + n;
  }

  private static void runClients(Store store, long seed, Duration time, long[][] versions,
      Figures figures) throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    try {
      CyclicBarrier start = new CyclicBarrier(CLIENTS);
      long deadline = System.nanoTime() + time.toNanos();
      List<Future<?>> futures = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        int client = c;
        futures.add(clients.submit(() -> {
          SplittableRandom r = new SplittableRandom(seed * 31 + client);
          start.await(60, TimeUnit.SECONDS);
          while (System.nanoTime() < deadline) {
            step(store, client, r, versions[client], figures);
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get(time.toSeconds() + 300, TimeUnit.SECONDS);
      }
    } finally {
      clients.shutdownNow();
      assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    }
  }

  private static void step(Store store, int client, SplittableRandom r, long[] mine,
      Figures figures) throws Exception {
    int n = r.nextInt(NAMES_PER_CLIENT);
    String name = name(client, n);
    int roll = r.nextInt(100);
    if (roll < 35) {
      long version = Math.abs(mine[n]) + 1;
      store.put(name, new ByteArrayInputStream(content(name, version)));
      mine[n] = version;
      figures.ops.incrementAndGet(0);
    } else if (roll < 70) {
      if (mine[n] > 0) {
        byte[] got = store.read(name);
        assertThat(got).as("%s version %s", name, mine[n]).isEqualTo(content(name, mine[n]));
        figures.bytesVerified.addAndGet(0, got.length);
      } else {
        assertThat(store.stat(name)).as("%s never stored or deleted", name).isEmpty();
      }
      figures.ops.incrementAndGet(1);
    } else if (roll < 85) {
      // Another client's object: absent (never put, deleted, or racing a delete) or exactly one
      // version of that very object.
      String other = name(r.nextInt(CLIENTS), r.nextInt(NAMES_PER_CLIENT));
      try {
        byte[] got = store.read(other);
        String head = new String(got, 0, Math.min(got.length, other.length() + 24),
            StandardCharsets.UTF_8);
        assertThat(head).as("header of %s", other).startsWith(other + "#");
        long version = Long.parseLong(head.substring(other.length() + 1).split("#")[0]);
        assertThat(got).as("%s version %s", other, version).isEqualTo(content(other, version));
        figures.bytesVerified.addAndGet(0, got.length);
      } catch (NoSuchObjectException absent) {
        // fine
      }
      figures.ops.incrementAndGet(4);
    } else if (roll < 99) {
      boolean existed = store.delete(name);
      assertThat(existed).as("delete of %s (version %s)", name, mine[n]).isEqualTo(mine[n] > 0);
      mine[n] = -Math.abs(mine[n]); // absent; the next put takes the next version
      figures.ops.incrementAndGet(2);
    } else {
      ScrubReport report = store.scrub(ScrubListener.NONE).get(300, TimeUnit.SECONDS);
      assertThat(report.csumErrors() + report.readErrors() + report.uncorrectable())
          .as("scrub found nothing wrong: %s", report).isZero();
      figures.ops.incrementAndGet(3);
    }
  }

  /** Live threads and the heap in use after a full GC. */
  record Footprint(int threads, long heap) {
    static Footprint measure() {
      for (int i = 0; i < 3; i++) {
        System.gc(); // a full GC (the default collector's System.gc() is one)
      }
      return new Footprint(ManagementFactory.getThreadMXBean().getThreadCount(),
          ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
  }
}
