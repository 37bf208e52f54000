package org.asyncwq.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.zip.CRC32C;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.ChecksumType;
import org.asyncwq.storage.block.DeviceState;
import org.asyncwq.storage.block.DeviceStats;
import org.asyncwq.storage.block.FaultyBlockDevice;
import org.asyncwq.storage.block.FaultyBlockDevice.PowerLoss;
import org.asyncwq.storage.block.FileBlockDevice;
import org.asyncwq.storage.block.MemoryBlockDevice;
import org.asyncwq.storage.block.ScrubListener;
import org.asyncwq.storage.block.ScrubReport;
import org.asyncwq.storage.block.UncorrectableDataException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 ("storage-engine II"), point by point, through the public API exactly as the issue
 * spells it, as an outside user would call it: the names and signatures of its API section, the
 * name rules, and each numbered point of "What must be true" that the public API can show in a
 * few seconds. The rest is proved by the tests named here:
 *
 * <ul>
 *   <li>point 3 (crash safety at 50 random crash points, 1,000 with {@code -Pstress}): {@link
 *       StoreCrashTest} and {@link PowerLossCrashTest}; this class adds that every change is
 *       durable when it returns, whatever a power loss does to unsynced writes;
 *   <li>point 5 (the AG lock order, locks held to commit): {@code
 *       alloc.TransactionLockOrderTest}; this class shows freed space is not reused while an
 *       openable commit references it;
 *   <li>point 6 (seed 001's split rule): {@code alloc.SplitAllocationHangTest}.
 * </ul>
 */
@Timeout(120)
class Issue11AcceptanceTest {
  private static final int B = BlockDevice.BLOCK_SIZE;
  private static final int STRESS = Integer.getInteger("asyncwq.stress", 1);
  private static final ScrubListener QUIET = (done, total) -> {};

  @TempDir Path tmp;

  // ---- The API section: names and signatures ----------------------------------------------

  @FunctionalInterface
  interface Io1<A, R> {
    R apply(A a) throws IOException;
  }

  @FunctionalInterface
  interface Io2<A, C, R> {
    R apply(A a, C c) throws IOException;
  }

  @FunctionalInterface
  interface Io3<A, C, D, R> {
    R apply(A a, C c, D d) throws IOException;
  }

  @FunctionalInterface
  interface Get {
    void get(Store s, String name, OutputStream out) throws IOException;
  }

  @FunctionalInterface
  interface Delete {
    boolean delete(Store s, String name) throws IOException;
  }

  @FunctionalInterface
  interface Locate {
    List<BlockLocation> locate(Store s, String name, long offset) throws IOException;
  }

  @FunctionalInterface
  interface Replace {
    void replace(Store s, int mirror, BlockDevice replacement, ScrubListener l) throws IOException;
  }

  @Test
  void theApiHasEveryNameAndSignatureTheIssueGives() throws Exception {
    // Each assignment compiles only if the method exists with exactly these types; the ones not
    // called here are called by the tests of the points below.
    Io2<Path, StoreOptions, Store> createInDir = Store::create;
    Io2<List<BlockDevice>, StoreOptions, Store> createOnDevices = Store::create;
    Io1<List<BlockDevice>, Store> openDevices = Store::open;
    Io1<Path, Store> openDir = Store::open;
    Io3<Store, String, InputStream, ObjectInfo> putStream = Store::put;
    Io3<Store, String, Path, ObjectInfo> putFile = Store::put;
    Get get = Store::get;
    Io2<Store, String, byte[]> read = Store::read;
    Io2<Store, String, Optional<ObjectInfo>> stat = Store::stat;
    Io2<Store, String, List<ObjectInfo>> list = Store::list;
    Delete delete = Store::delete;
    Locate locate = Store::locate;
    BiFunction<Store, ScrubListener, CompletableFuture<ScrubReport>> scrub = Store::scrub;
    Io1<Store, CheckReport> check = Store::check;
    Replace replace = Store::replace;
    Function<Store, StoreStats> stats = Store::stats;
    Function<Store, List<DeviceStats>> deviceStats = Store::deviceStats;
    Consumer<Store> close = Store::close;
    try (Store s = createOnDevices.apply(
        List.of(new MemoryBlockDevice(1024), new MemoryBlockDevice(1024)),
        StoreOptions.builder().build())) {
      ObjectInfo info = putStream.apply(s, "o", new ByteArrayInputStream(new byte[] {4}));
      assertThat(read.apply(s, "o")).containsExactly(4);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      get.get(s, "o", out);
      assertThat(out.toByteArray()).containsExactly(4);
      assertThat(stat.apply(s, "o")).contains(info);
      assertThat(list.apply(s, "")).containsExactly(info);
      assertThat(locate.locate(s, "o", 0)).hasSize(2);
      CheckReport report = check.apply(s);
      boolean ok = report.ok();
      List<String> problems = report.problems();
      assertThat(ok).isTrue();
      assertThat(problems).isEmpty();
      assertThat(stats.apply(s).groups()).hasSize(4);
      assertThat(deviceStats.apply(s)).hasSize(2);
      assertThat(scrub.apply(s, QUIET).get(10, TimeUnit.SECONDS).blocks()).isPositive();
      assertThat(delete.delete(s, "o")).isTrue();
      close.accept(s);
      assertThatThrownBy(() -> read.apply(s, "o")).isInstanceOf(IllegalStateException.class);
    }

    assertThat(Modifier.isFinal(Store.class.getModifiers())).isTrue();
    assertThat(AutoCloseable.class).isAssignableFrom(Store.class);
    assertThat(IOException.class).isAssignableFrom(CorruptStoreException.class);
    assertThat(IOException.class).isAssignableFrom(NoSuchObjectException.class);
    assertThat(IOException.class).isAssignableFrom(UncorrectableDataException.class);
    assertThat(IOException.class).isAssignableFrom(StoreFullException.class);
    // Generic return types, which method references alone do not pin down.
    assertThat(returnTypeArgument("locate", String.class, long.class))
        .isEqualTo(BlockLocation.class);
    assertThat(returnTypeArgument("list", String.class)).isEqualTo(ObjectInfo.class);
    assertThat(returnTypeArgument("scrub", ScrubListener.class)).isEqualTo(ScrubReport.class);

    assertThat(components(ObjectInfo.class)).containsExactly("String name", "long size",
        "int extents", "ChecksumType checksum", "long generation", "Instant modified");
    assertThat(components(BlockLocation.class)).containsExactly("int mirror", "long block");

    StoreOptions o = StoreOptions.builder().mirrors(3).deviceSize(8L << 20)
        .checksum(ChecksumType.XXH64).allocationGroups(2).build();
    assertThat(List.of(o.mirrors(), o.deviceSize(), o.checksum(), o.allocationGroups()))
        .containsExactly(3, 8L << 20, ChecksumType.XXH64, 2);
  }

  private static Class<?> returnTypeArgument(String method, Class<?>... params) throws Exception {
    ParameterizedType t =
        (ParameterizedType) Store.class.getMethod(method, params).getGenericReturnType();
    return (Class<?>) t.getActualTypeArguments()[0];
  }

  private static List<String> components(Class<?> record) {
    assertThat(record.isRecord()).isTrue();
    List<String> out = new ArrayList<>();
    for (RecordComponent c : record.getRecordComponents()) {
      out.add(c.getType().getSimpleName() + " " + c.getName());
    }
    return out;
  }

  @Test
  void theDefaultsAreTwoSparseMirrorsOf1GibAndFourAllocationGroups() throws Exception {
    StoreOptions d = StoreOptions.builder().build();
    assertThat(d.mirrors()).isEqualTo(2);
    assertThat(d.deviceSize()).isEqualTo(1L << 30);
    assertThat(d.allocationGroups()).isEqualTo(4);
    Path dir = tmp.resolve("defaults");
    try (Store s = Store.create(dir, d)) {
      s.put("x", new ByteArrayInputStream(new byte[] {1, 2, 3}));
      assertThat(s.stats().groups()).hasSize(4);
      assertThat(s.deviceStats()).hasSize(2)
          .allMatch(st -> st.state() == DeviceState.HEALTHY);
      for (int m = 0; m < 2; m++) {
        Path f = dir.resolve("mirror-" + m + ".img");
        assertThat(Files.size(f)).isEqualTo(1L << 30);
        long allocated = allocatedBytes(f);
        assertThat(allocated).as("%s is sparse", f).isLessThan(64L << 20);
      }
      assertThat(dir.resolve("mirror-2.img")).doesNotExist();
    }
    List<Path> before = listing(dir);
    assertThatThrownBy(() -> Store.create(dir, d)).isInstanceOf(FileAlreadyExistsException.class)
        .hasMessageContaining("mirror-0.img");
    assertThat(listing(dir)).isEqualTo(before);
    try (Store s = Store.open(dir)) {
      assertThat(s.read("x")).containsExactly(1, 2, 3);
    }
  }

  /** Bytes the file system allocated to {@code f}, from {@code du} (skipped where there is none). */
  private static long allocatedBytes(Path f) throws Exception {
    Process p;
    try {
      p = new ProcessBuilder("du", "-k", f.toString()).redirectErrorStream(true).start();
    } catch (IOException e) {
      assumeTrue(false, "no du to measure sparseness: " + e.getMessage());
      return 0;
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assumeTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "du failed: " + out);
    return Long.parseLong(out.trim().split("\\s+")[0]) * 1024;
  }

  private static List<Path> listing(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }

  // ---- Names --------------------------------------------------------------------------------

  @Test
  void namesAre1To1024BytesOfUtf8WithoutNulAndAnythingElseIsRefusedSayingWhy() throws Exception {
    try (Store s = memoryStore(2, 2048)) {
      s.put("keep", new ByteArrayInputStream(new byte[] {9}));
      String max = "é".repeat(511) + "ab"; // 1,024 bytes of UTF-8 in 513 chars
      s.put(max, new ByteArrayInputStream(new byte[] {7}));
      assertThat(s.read(max)).containsExactly(7);
      s.put("x".repeat(1024), new ByteArrayInputStream(new byte[0]));
      s.put("日本語/ö/🙂", new ByteArrayInputStream(new byte[] {1}));

      Map<String, String> bad = new LinkedHashMap<>();
      bad.put("", "empty");
      bad.put("a\0b", "NUL");
      bad.put("x".repeat(1025), "1025 bytes");
      bad.put("é".repeat(512) + "a", "1025 bytes");
      bad.put("\uD800x", "surrogate");
      for (Map.Entry<String, String> e : bad.entrySet()) {
        String name = e.getKey();
        assertThatThrownBy(() -> s.put(name, new ByteArrayInputStream(new byte[1])))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(e.getValue());
        assertThatThrownBy(() -> s.read(name)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.stat(name)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.delete(name)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.locate(name, 0)).isInstanceOf(IllegalArgumentException.class);
      }
      assertThatThrownBy(() -> s.read(null)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("null");
      assertThat(s.list("").stream().map(ObjectInfo::name))
          .containsExactlyInAnyOrder("keep", max, "x".repeat(1024), "日本語/ö/🙂");
      assertThat(s.read("keep")).containsExactly(9);
      assertThat(s.check().ok()).isTrue();
    }
  }

  // ---- Point 1: round trip, list/stat/delete/replace, concurrency -------------------------------

  @Test
  void point1ObjectsOfEveryAwkwardSizeAndARandomMixUpTo64MibComeBackAfterCloseAndReopen()
      throws Exception {
    Map<String, long[]> objects = new LinkedHashMap<>(); // name -> {size, seed}
    long[] edges = {0, 1, 4095, 4096, 4097, 10L << 20, 64L << 20};
    for (int i = 0; i < edges.length; i++) {
      objects.put("edge/" + edges[i], new long[] {edges[i], i});
    }
    Random r = new Random(11);
    long mix = 0;
    for (int i = 0; mix < (24L << 20); i++) {
      // Sizes spread over every scale from bytes to 8 MiB.
      long size = (long) Math.pow(2, r.nextDouble() * 23) + r.nextInt(B);
      objects.put("mix/" + i, new long[] {size, 100 + i});
      mix += size;
    }
    Path file = tmp.resolve("from-a-file.bin");
    Files.write(file, StoreStreamingTest.generated(300_001, 77).readAllBytes());
    Path dir = tmp.resolve("s");
    try (Store s = Store.create(dir, StoreOptions.builder().deviceSize(256L << 20).build())) {
      for (Map.Entry<String, long[]> e : objects.entrySet()) {
        long[] v = e.getValue();
        ObjectInfo info = s.put(e.getKey(), StoreStreamingTest.generated(v[0], v[1]));
        assertThat(info.name()).isEqualTo(e.getKey());
        assertThat(info.size()).isEqualTo(v[0]);
      }
      assertThat(s.put("file", file).size()).isEqualTo(300_001);
    }
    try (Store s = Store.open(dir)) {
      for (Map.Entry<String, long[]> e : objects.entrySet()) {
        long[] v = e.getValue();
        assertThat(s.stat(e.getKey()).orElseThrow().size()).isEqualTo(v[0]);
        String want = BigPutChild.digest(StoreStreamingTest.generated(v[0], v[1]));
        ByteArrayOutputStream small = new ByteArrayOutputStream();
        if (v[0] <= 1 << 20) {
          byte[] got = s.read(e.getKey());
          assertThat(BigPutChild.digest(new ByteArrayInputStream(got))).as(e.getKey())
              .isEqualTo(want);
          s.get(e.getKey(), small);
          assertThat(small.toByteArray()).isEqualTo(got);
        } else {
          assertThat(BigPutChild.digestOfGet(s, e.getKey())).as(e.getKey()).isEqualTo(want);
        }
      }
      assertThat(s.read("file")).isEqualTo(Files.readAllBytes(file));
      assertThat(s.list("")).hasSize(objects.size() + 1);
      assertThat(s.check().problems()).isEmpty();
    }
  }

  @Test
  void point1ListStatDeleteAndReplaceBehaveAsDocumented() throws Exception {
    Path dir = tmp.resolve("s");
    Instant start = Instant.now();
    try (Store s = Store.create(dir, StoreOptions.builder().deviceSize(16L << 20).build())) {
      for (String n : List.of("b/2", "a/1", "é", "b/1", "c", "a")) {
        s.put(n, new ByteArrayInputStream(n.getBytes(StandardCharsets.UTF_8)));
      }
      s.put("empty", new ByteArrayInputStream(new byte[0]));
      assertThat(names(s.list(""))).containsExactly("a", "a/1", "b/1", "b/2", "c", "empty", "é");
      assertThat(names(s.list("b/"))).containsExactly("b/1", "b/2");
      assertThat(names(s.list("a"))).containsExactly("a", "a/1");
      assertThat(s.list("zz")).isEmpty();

      ObjectInfo a1 = s.stat("a/1").orElseThrow();
      assertThat(a1.name()).isEqualTo("a/1");
      assertThat(a1.size()).isEqualTo(3);
      assertThat(a1.extents()).isEqualTo(1);
      assertThat(a1.checksum()).isEqualTo(ChecksumType.CRC32C);
      assertThat(a1.generation()).isPositive();
      assertThat(a1.modified()).isBetween(start.minusSeconds(1), Instant.now());
      assertThat(s.list("a/")).containsExactly(a1);
      ObjectInfo empty = s.stat("empty").orElseThrow();
      assertThat(empty.size()).isZero();
      assertThat(empty.extents()).isZero();
      assertThat(s.read("empty")).isEmpty();
      assertThat(s.stat("nope")).isEmpty();

      byte[] v2 = StoreRoundTripTest.random(2, 70_000);
      ObjectInfo replaced = s.put("a/1", new ByteArrayInputStream(v2));
      assertThat(replaced.generation()).isGreaterThan(a1.generation());
      assertThat(replaced.size()).isEqualTo(70_000);
      assertThat(replaced.modified()).isAfterOrEqualTo(a1.modified());
      assertThat(s.stat("a/1")).contains(replaced);
      assertThat(s.read("a/1")).isEqualTo(v2);
      assertThat(s.list("")).hasSize(7);

      List<BlockLocation> where = s.locate("a/1", 69_999);
      assertThat(where).extracting(BlockLocation::mirror).containsExactly(0, 1);
      assertThat(where.get(0).block()).isEqualTo(where.get(1).block())
          .isGreaterThanOrEqualTo(2).isLessThan((16L << 20) / B);
      assertThatThrownBy(() -> s.locate("a/1", 70_000))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("70000");
      assertThatThrownBy(() -> s.locate("a/1", -1)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> s.locate("nope", 0)).isInstanceOf(NoSuchObjectException.class);

      assertThat(s.delete("b/1")).isTrue();
      assertThat(s.delete("b/1")).isFalse();
      assertThat(s.delete("never")).isFalse();
      assertThat(s.stat("b/1")).isEmpty();
      assertThatThrownBy(() -> s.read("b/1")).isInstanceOf(NoSuchObjectException.class)
          .hasMessageContaining("b/1");
      assertThatThrownBy(() -> s.get("b/1", new ByteArrayOutputStream()))
          .isInstanceOf(NoSuchObjectException.class).hasMessageContaining("b/1");
      assertThat(s.check().ok()).isTrue();
    }
    try (Store s = Store.open(dir)) {
      assertThat(names(s.list(""))).containsExactly("a", "a/1", "b/2", "c", "empty", "é");
      assertThat(s.read("a/1")).isEqualTo(StoreRoundTripTest.random(2, 70_000));
      assertThat(s.read("é")).isEqualTo("é".getBytes(StandardCharsets.UTF_8));
    }
  }

  private static List<String> names(List<ObjectInfo> infos) {
    return infos.stream().map(ObjectInfo::name).toList();
  }

  /** Content that names its object and version, so another object's bytes cannot pass for it. */
  private static byte[] content(String name, int version) {
    Random r = new Random(name.hashCode() * 31L + version);
    byte[] head = (name + "#" + version + "#").getBytes(StandardCharsets.UTF_8);
    byte[] b = Arrays.copyOf(head, head.length + (r.nextInt(4) == 0 ? r.nextInt(40_000)
        : r.nextInt(3000)));
    for (int i = head.length; i < b.length; i++) {
      b[i] = (byte) r.nextInt();
    }
    return b;
  }

  @Test
  void point1AThousandConcurrentPutsAndGetsFrom16ThreadsLoseNothingAndNeverMixObjects()
      throws Exception {
    int threads = 16;
    int perThread = (1000 + threads - 1) / threads;
    Path dir = tmp.resolve("s");
    ConcurrentHashMap<String, Integer> latest = new ConcurrentHashMap<>();
    AtomicInteger puts = new AtomicInteger();
    AtomicInteger gets = new AtomicInteger();
    try (Store s = Store.create(dir, StoreOptions.builder().deviceSize(64L << 20).build())) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        CyclicBarrier go = new CyclicBarrier(threads);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int thread = t;
          done.add(pool.submit(() -> {
            Random r = new Random(thread);
            go.await();
            for (int i = 0; i < perThread; i++) {
              String own = "t" + thread + "/o" + r.nextInt(8);
              int version = latest.merge(own, 1, Integer::sum);
              s.put(own, new ByteArrayInputStream(content(own, version)));
              puts.incrementAndGet();
              // Any object of any thread: exactly one version of that very object, or none yet.
              String other = "t" + r.nextInt(threads) + "/o" + r.nextInt(8);
              try {
                byte[] got = s.read(other);
                String head = new String(got, 0, Math.min(got.length, other.length() + 12),
                    StandardCharsets.UTF_8);
                assertThat(head).startsWith(other + "#");
                int v = Integer.parseInt(head.substring(other.length() + 1).split("#")[0]);
                assertThat(got).isEqualTo(content(other, v));
              } catch (NoSuchObjectException e) {
                assertThat(e.name()).isEqualTo(other);
              }
              gets.incrementAndGet();
            }
            return null;
          }));
        }
        for (Future<?> f : done) {
          f.get(100, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(puts.get()).isGreaterThanOrEqualTo(1000);
      assertThat(gets.get()).isGreaterThanOrEqualTo(1000);
      assertThat(s.list("")).hasSize(latest.size());
    }
    try (Store s = Store.open(dir)) {
      for (Map.Entry<String, Integer> e : latest.entrySet()) {
        assertThat(s.read(e.getKey())).isEqualTo(content(e.getKey(), e.getValue()));
      }
      assertThat(s.check().problems()).isEmpty();
    }
  }

  // ---- Point 2: self-healing through the store ---------------------------------------------

  private static Store memoryStore(int mirrors, long blocks) throws IOException {
    List<BlockDevice> devices = new ArrayList<>();
    for (int m = 0; m < mirrors; m++) {
      devices.add(new MemoryBlockDevice(blocks));
    }
    return Store.create(devices, StoreOptions.builder().build());
  }

  private static byte[] raw(BlockDevice d, long block) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(B);
    d.read(block, b);
    return b.array();
  }

  @Test
  void point2ACorruptDataBlockOnMirror0IsReadFromMirror1AndRewritten() throws Exception {
    FaultyBlockDevice m0 = new FaultyBlockDevice(new MemoryBlockDevice(4096));
    FaultyBlockDevice m1 = new FaultyBlockDevice(new MemoryBlockDevice(4096));
    byte[] data = StoreRoundTripTest.random(3, 30_000);
    try (Store s = Store.create(List.of(m0, m1), StoreOptions.builder().build())) {
      s.put("x", new ByteArrayInputStream(data));
      long block = s.locate("x", 20_000).get(0).block();
      byte[] good = raw(m1, block);
      m0.corrupt(block, 5);
      long writes = m0.writes(block);
      // Reads may go to either mirror: read until one met the bad copy (it is then rewritten).
      for (int i = 0; i < 8 && m0.writes(block) == writes; i++) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        s.get("x", out);
        assertThat(out.toByteArray()).isEqualTo(data);
      }
      assertThat(m0.writes(block)).as("mirror 0's bad copy rewritten").isEqualTo(writes + 1);
      assertThat(raw(m0, block)).isEqualTo(good);
      assertThat(s.stats().volume().corrected()).isEqualTo(1);
      assertThat(s.deviceStats().get(0).corruptionErrors()).isEqualTo(1);
    }
  }

  @Test
  void point2EveryMetadataPageCorruptOnOneMirrorStillOpensReadsAndScrubRepairsIt()
      throws Exception {
    Path dir = tmp.resolve("s");
    Map<String, byte[]> objects = new TreeMap<>();
    Set<Long> dataBlocks = new HashSet<>();
    try (Store s = Store.create(dir, StoreOptions.builder().deviceSize(16L << 20).build())) {
      for (int i = 0; i < 150; i++) { // enough names for a directory of several pages
        String name = "object-with-a-longish-name-" + i;
        objects.put(name, StoreRoundTripTest.random(i, i % 10 == 0 ? 20_000 : 300));
        s.put(name, new ByteArrayInputStream(objects.get(name)));
      }
      for (Map.Entry<String, byte[]> e : objects.entrySet()) {
        for (long off = 0; off < e.getValue().length; off += B) {
          dataBlocks.add(s.locate(e.getKey(), off).get(0).block());
        }
      }
    }
    // Every block of mirror 0 that holds anything and is neither a superblock slot nor object
    // data: every directory and extent-map page, current or older.
    int damaged = damageMetadata(dir.resolve("mirror-0.img"), dataBlocks);
    assertThat(damaged).isGreaterThan(2);

    try (Store s = Store.open(dir)) {
      assertThat(names(s.list(""))).containsExactlyElementsOf(objects.keySet());
      for (Map.Entry<String, byte[]> e : objects.entrySet()) {
        assertThat(s.read(e.getKey())).isEqualTo(e.getValue());
      }
      ScrubReport first = s.scrub(QUIET).get(60, TimeUnit.SECONDS);
      assertThat(first.uncorrectable()).isZero();
      ScrubReport second = s.scrub(QUIET).get(60, TimeUnit.SECONDS);
      assertThat(second.csumErrors()).isZero();
      assertThat(second.readErrors()).isZero();
      assertThat(second.blocks()).isEqualTo(first.blocks());
      assertThat(s.check().problems()).isEmpty();
    }
    // Mirror 0's metadata is good again: the store opens with every page of mirror 1 damaged.
    damageMetadata(dir.resolve("mirror-1.img"), dataBlocks);
    try (Store s = Store.open(dir)) {
      for (Map.Entry<String, byte[]> e : objects.entrySet()) {
        assertThat(s.read(e.getKey())).isEqualTo(e.getValue());
      }
    }
  }

  /** Flips a byte of every non-zero block of {@code file} past the superblocks not in {@code keep}. */
  private static int damageMetadata(Path file, Set<Long> keep) throws IOException {
    int damaged = 0;
    try (FaultyBlockDevice d = new FaultyBlockDevice(FileBlockDevice.open(file))) {
      byte[] zero = new byte[B];
      for (long b = 2; b < d.blockCount(); b++) {
        if (!keep.contains(b) && !Arrays.equals(raw(d, b), zero)) {
          d.corrupt(b, 200);
          damaged++;
        }
      }
      d.flush();
    }
    return damaged;
  }

  @Test
  void point2DamageOnEveryMirrorFailsThatObjectUncorrectablyAndOnlyThatObject() throws Exception {
    FaultyBlockDevice m0 = new FaultyBlockDevice(new MemoryBlockDevice(4096));
    FaultyBlockDevice m1 = new FaultyBlockDevice(new MemoryBlockDevice(4096));
    try (Store s = Store.create(List.of(m0, m1), StoreOptions.builder().build())) {
      for (int i = 0; i < 5; i++) {
        s.put("o" + i, new ByteArrayInputStream(StoreRoundTripTest.random(i, 20_000)));
      }
      long block = s.locate("o2", 8192).get(0).block();
      m0.corrupt(block, 1);
      m1.corrupt(block, 2);
      assertThatThrownBy(() -> s.read("o2")).isInstanceOf(UncorrectableDataException.class);
      assertThatThrownBy(() -> s.get("o2", new ByteArrayOutputStream()))
          .isInstanceOf(UncorrectableDataException.class);
      for (int i = 0; i < 5; i++) {
        if (i != 2) {
          assertThat(s.read("o" + i)).isEqualTo(StoreRoundTripTest.random(i, 20_000));
        }
      }
      assertThat(s.stat("o2")).isPresent();
      assertThat(s.list("")).hasSize(5);
      CheckReport check = s.check();
      assertThat(check.ok()).isFalse();
      assertThat(check.problems()).singleElement().asString().contains("o2");
      assertThat(s.scrub(QUIET).get(30, TimeUnit.SECONDS).uncorrectable()).isPositive();
      // The damaged object can still be replaced or deleted.
      assertThat(s.delete("o2")).isTrue();
      assertThat(s.check().ok()).isTrue();
    }
  }

  // ---- Point 3: durable when it returns ------------------------------------------------------

  @Test
  void point3EveryChangeIsDurableWhenItReturnsWhateverAPowerLossDoesToUnsyncedWrites()
      throws Exception {
    FaultyBlockDevice m0 = new FaultyBlockDevice(new MemoryBlockDevice(2048));
    FaultyBlockDevice m1 = new FaultyBlockDevice(new MemoryBlockDevice(2048));
    Map<String, byte[]> expected = new TreeMap<>();
    Random r = new Random(5);
    try (Store s = Store.create(List.of(m0, m1), StoreOptions.builder().build())) {
      for (int op = 0; op < 12; op++) {
        String name = "o" + r.nextInt(4);
        if (op % 4 == 3) {
          assertThat(s.delete(name)).isEqualTo(expected.remove(name) != null);
        } else {
          byte[] data = StoreRoundTripTest.random(op, r.nextInt(40_000));
          s.put(name, new ByteArrayInputStream(data));
          expected.put(name, data);
        }
        for (PowerLoss mode : PowerLoss.values()) {
          long seed = op * 10L + mode.ordinal();
          try (Store after = Store.open(List.of(m0.crash(mode, seed), m1.crash(mode, seed + 1)))) {
            assertThat(names(after.list(""))).as("op %s, %s", op, mode)
                .containsExactlyElementsOf(expected.keySet());
            for (Map.Entry<String, byte[]> e : expected.entrySet()) {
              assertThat(after.read(e.getKey())).isEqualTo(e.getValue());
            }
          }
        }
      }
    }
  }

  // ---- Point 4: superblocks ------------------------------------------------------------------

  /**
   * A closed two-mirror store on files with two objects. Superblock slots are device blocks 0 and
   * 1 of every mirror (Store's Javadoc gives the layout).
   */
  private Path closedStore() throws IOException {
    Path dir = tmp.resolve("s");
    try (Store s = Store.create(dir, StoreOptions.builder().deviceSize(8L << 20).build())) {
      s.put("a", new ByteArrayInputStream(StoreRoundTripTest.random(1, 10_000)));
      s.put("b", new ByteArrayInputStream(StoreRoundTripTest.random(2, 100)));
    }
    return dir;
  }

  private static void assertStoreIntact(Store s) throws IOException {
    assertThat(s.read("a")).isEqualTo(StoreRoundTripTest.random(1, 10_000));
    assertThat(s.read("b")).isEqualTo(StoreRoundTripTest.random(2, 100));
  }

  private static ByteBuffer block(Path f, long block) throws IOException {
    try (FileChannel ch = FileChannel.open(f)) {
      ByteBuffer b = ByteBuffer.allocate(B);
      ch.read(b, block * B);
      return b.flip();
    }
  }

  private static void write(Path f, long block, ByteBuffer b) throws IOException {
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
      ch.write(b.rewind(), block * B);
    }
  }

  private static void flipByte(Path f, long block, int offset) throws IOException {
    ByteBuffer b = block(f, block);
    b.put(offset, (byte) ~b.get(offset));
    write(f, block, b);
  }

  /** The SHA-256 of every file in {@code dir}, by name: what "nothing written" compares. */
  private static Map<String, String> contents(Path dir) throws Exception {
    Map<String, String> out = new TreeMap<>();
    for (Path p : listing(dir)) {
      try (InputStream in = Files.newInputStream(p)) {
        out.put(p.getFileName().toString(), BigPutChild.digest(in));
      }
    }
    return out;
  }

  @Test
  void point4OneMirrorsSuperblocksDamagedOpensFromTheOtherAndRewritesThem() throws Exception {
    Path dir = closedStore();
    flipByte(dir.resolve("mirror-0.img"), 0, 100);
    flipByte(dir.resolve("mirror-0.img"), 1, 100);
    try (Store s = Store.open(dir)) {
      assertStoreIntact(s);
    }
    // Only rewritten superblocks on mirror 0 let the store open now.
    flipByte(dir.resolve("mirror-1.img"), 0, 100);
    flipByte(dir.resolve("mirror-1.img"), 1, 100);
    try (Store s = Store.open(dir)) {
      assertStoreIntact(s);
      s.put("c", new ByteArrayInputStream(new byte[] {3}));
    }
    try (Store s = Store.open(dir)) {
      assertStoreIntact(s);
      assertThat(s.check().ok()).isTrue();
    }
  }

  @Test
  void point4BothMirrorsSuperblocksDamagedIsACorruptStoreAndNothingIsWritten() throws Exception {
    Path dir = closedStore();
    for (int m = 0; m < 2; m++) {
      flipByte(dir.resolve("mirror-" + m + ".img"), 0, 300);
      flipByte(dir.resolve("mirror-" + m + ".img"), 1, 300);
    }
    Map<String, String> before = contents(dir);
    assertThatThrownBy(() -> Store.open(dir)).isInstanceOf(CorruptStoreException.class)
        .hasMessageContaining("superblock").hasMessageContaining("mirror-0.img")
        .hasMessageContaining("mirror-1.img");
    assertThat(contents(dir)).isEqualTo(before);
  }

  @Test
  void point4WrongMagicIsACorruptStoreAndNothingIsWritten() throws Exception {
    Path dir = closedStore();
    for (int m = 0; m < 2; m++) {
      for (int slot = 0; slot < 2; slot++) {
        ByteBuffer b = block(dir.resolve("mirror-" + m + ".img"), slot);
        b.put(0, "NOTASTOR".getBytes(StandardCharsets.US_ASCII));
        write(dir.resolve("mirror-" + m + ".img"), slot, b);
      }
    }
    Map<String, String> before = contents(dir);
    assertThatThrownBy(() -> Store.open(dir)).isInstanceOf(CorruptStoreException.class)
        .hasMessageContaining("magic");
    assertThat(contents(dir)).isEqualTo(before);
  }

  @Test
  void point4ATruncatedDeviceIsACorruptStoreSayingWhichAndNothingIsWritten() throws Exception {
    Path dir = closedStore();
    Path m1 = dir.resolve("mirror-1.img");
    // Half the device, a size that is not whole blocks, one block, nothing at all.
    for (long size : new long[] {Files.size(m1) / 2, 10_000, B, 0}) {
      try (FileChannel ch = FileChannel.open(m1, StandardOpenOption.WRITE)) {
        ch.truncate(size);
      }
      Map<String, String> before = contents(dir);
      assertThatThrownBy(() -> Store.open(dir)).as("mirror 1 truncated to %s bytes", size)
          .isInstanceOf(CorruptStoreException.class).hasMessageContaining("mirror-1.img");
      assertThat(contents(dir)).isEqualTo(before);
    }
  }

  @Test
  void point4AnUnknownFormatVersionIsACorruptStoreAndNothingIsWritten() throws Exception {
    Path dir = closedStore();
    for (int m = 0; m < 2; m++) {
      for (int slot = 0; slot < 2; slot++) {
        Path f = dir.resolve("mirror-" + m + ".img");
        ByteBuffer b = block(f, slot);
        b.putInt(8, 99); // format version, after the 8-byte magic
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, B - 4);
        b.putInt(B - 4, (int) crc.getValue());
        write(f, slot, b);
      }
    }
    Map<String, String> before = contents(dir);
    assertThatThrownBy(() -> Store.open(dir)).isInstanceOf(CorruptStoreException.class)
        .hasMessageContaining("version 99");
    assertThat(contents(dir)).isEqualTo(before);
  }

  @Test
  void point4AForeignDirectoryOrMixedStoresAreCorruptStoresAndNothingIsWritten()
      throws Exception {
    Path foreign = Files.createDirectories(tmp.resolve("foreign"));
    Files.write(foreign.resolve("mirror-0.img"), StoreRoundTripTest.random(1, 1 << 20));
    Files.write(foreign.resolve("mirror-1.img"), StoreRoundTripTest.random(2, 12_345));
    Map<String, String> before = contents(foreign);
    assertThatThrownBy(() -> Store.open(foreign)).isInstanceOf(CorruptStoreException.class);
    assertThat(contents(foreign)).isEqualTo(before);

    Path dir = closedStore();
    Path other = tmp.resolve("other");
    Store.create(other, StoreOptions.builder().deviceSize(8L << 20).build()).close();
    Files.copy(other.resolve("mirror-1.img"), dir.resolve("mirror-1.img"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    before = contents(dir);
    assertThatThrownBy(() -> Store.open(dir)).isInstanceOf(CorruptStoreException.class)
        .hasMessageContaining("different stores");
    assertThat(contents(dir)).isEqualTo(before);
  }

  // ---- Point 5: freed space ------------------------------------------------------------------

  @Test
  void point5SpaceADeleteFreesIsNotReusedWhileAnOpenableCommitReferencesIt() throws Exception {
    List<BlockDevice> devices = List.of(new MemoryBlockDevice(1024), new MemoryBlockDevice(1024));
    try (Store s = Store.create(devices, StoreOptions.builder().allocationGroups(1).build())) {
      s.put("a", new ByteArrayInputStream(StoreRoundTripTest.random(1, 64 * B)));
      Set<Long> aBlocks = blocks(s, "a", 64);
      assertThat(s.delete("a")).isTrue();
      // The commit before the delete can still be opened, and it holds "a".
      assertThat(s.stats().deferredBlocks()).isGreaterThanOrEqualTo(64);
      s.put("b", new ByteArrayInputStream(StoreRoundTripTest.random(2, 64 * B)));
      // First fit would have put "b" where "a" was, had that space been free.
      assertThat(blocks(s, "b", 64)).doesNotContainAnyElementsOf(aBlocks);
      // Now both openable commits (the delete's and b's) are past "a": its space is free again
      // (what stays deferred is the delete's directory pages, which b's commit replaced).
      assertThat(s.stats().deferredBlocks()).isLessThan(64);
      assertThat(s.check().ok()).isTrue();
    }
  }

  private static Set<Long> blocks(Store s, String name, int count) throws IOException {
    Set<Long> out = new HashSet<>();
    for (int i = 0; i < count; i++) {
      out.add(s.locate(name, (long) i * B).get(0).block());
    }
    return out;
  }

  // ---- Point 7: a full store -----------------------------------------------------------------

  @Test
  void point7APutThatDoesNotFitFailsClearlyChangesNothingAndFitsAfterADelete() throws Exception {
    byte[] a = StoreRoundTripTest.random(1, 256 * B);
    byte[] b = StoreRoundTripTest.random(2, 256 * B);
    byte[] old = StoreRoundTripTest.random(3, 1000);
    byte[] big = StoreRoundTripTest.random(4, 600 * B);
    try (Store s = memoryStore(2, 1024)) {
      s.put("a", new ByteArrayInputStream(a));
      s.put("b", new ByteArrayInputStream(b));
      s.put("big", new ByteArrayInputStream(old));
      List<ObjectInfo> listed = s.list("");

      assertThatThrownBy(() -> s.put("big", new ByteArrayInputStream(big)))
          .isInstanceOf(StoreFullException.class).isInstanceOf(IOException.class)
          .hasMessageContaining("\"big\"").hasMessageContaining("space")
          .hasMessageContaining("nothing was changed");
      assertThat(s.list("")).isEqualTo(listed);
      assertThat(s.read("big")).isEqualTo(old);
      assertThat(s.read("a")).isEqualTo(a);
      assertThat(s.read("b")).isEqualTo(b);
      assertThat(s.check().problems()).isEmpty();

      assertThat(s.delete("a")).isTrue();
      assertThat(s.put("big", new ByteArrayInputStream(big)).size()).isEqualTo(big.length);
      assertThat(s.read("big")).isEqualTo(big);
      assertThat(s.read("b")).isEqualTo(b);
      assertThat(s.check().problems()).isEmpty();
    }
  }

  // ---- Point 8: group commit -----------------------------------------------------------------

  @Test
  void point8ConcurrentPutsShareCommitsCountedAsSuperblockWrites() throws Exception {
    int threads = 16;
    int perThread = 8;
    List<FaultyBlockDevice> devices = new ArrayList<>();
    for (int m = 0; m < 2; m++) {
      devices.add(new FaultyBlockDevice(FileBlockDevice.create(tmp.resolve("m" + m), 8192)));
    }
    try (Store s = Store.create(List.copyOf(devices), StoreOptions.builder().build())) {
      long before = devices.get(0).writes(0) + devices.get(0).writes(1);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        CyclicBarrier go = new CyclicBarrier(threads);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int thread = t;
          done.add(pool.submit(() -> {
            go.await();
            for (int i = 0; i < perThread; i++) {
              String n = "g" + thread + "-" + i;
              s.put(n, new ByteArrayInputStream(content(n, 1)));
            }
            return null;
          }));
        }
        for (Future<?> f : done) {
          f.get(100, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      int puts = threads * perThread;
      long superblockWrites = devices.get(0).writes(0) + devices.get(0).writes(1) - before;
      assertThat(superblockWrites).as("superblock writes on mirror 0 for %s puts", puts)
          .isPositive().isLessThan(puts * 3L / 4);
      assertThat(s.list("g")).hasSize(puts);
    }
  }

  // ---- Point 9: replace ----------------------------------------------------------------------

  @Test
  void point9ABlankReplacementIsResilveredWhileReadsGoOnAndScrubsWithNoErrors() throws Exception {
    FaultyBlockDevice m0 = new FaultyBlockDevice(new MemoryBlockDevice(4096));
    FaultyBlockDevice m1 = new FaultyBlockDevice(new MemoryBlockDevice(4096));
    FaultyBlockDevice blank = new FaultyBlockDevice(new MemoryBlockDevice(4096));
    Map<String, byte[]> objects = new TreeMap<>();
    try (Store s = Store.create(List.of(m0, m1), StoreOptions.builder().build())) {
      for (int i = 0; i < 20; i++) {
        objects.put("o" + i, StoreRoundTripTest.random(i, 5000 * i));
        s.put("o" + i, new ByteArrayInputStream(objects.get("o" + i)));
      }
      AtomicInteger readsDuring = new AtomicInteger();
      List<String> wrong = new java.util.concurrent.CopyOnWriteArrayList<>();
      s.replace(0, blank, (done, total) -> {
        // The store serves reads, each verified, while the new mirror is being written.
        String name = "o" + (1 + done % 19);
        try {
          if (!Arrays.equals(s.read(name), objects.get(name))) {
            wrong.add(name + ": wrong bytes");
          }
        } catch (IOException | RuntimeException e) {
          wrong.add(name + ": " + e);
        }
        readsDuring.incrementAndGet();
      });
      assertThat(wrong).isEmpty();
      assertThat(readsDuring.get()).isPositive();
      assertThat(s.deviceStats()).allMatch(d -> d.state() == DeviceState.HEALTHY);

      ScrubReport scrub = s.scrub(QUIET).get(30, TimeUnit.SECONDS);
      assertThat(List.of(scrub.csumErrors(), scrub.readErrors(), scrub.uncorrectable()))
          .containsOnly(0L);
      assertThat(scrub.blocks()).isPositive();
      // The new mirror holds every object itself: with mirror 1's data gone, all still read.
      for (Map.Entry<String, byte[]> e : objects.entrySet()) {
        for (long off = 0; off < e.getValue().length; off += B) {
          m1.corrupt(s.locate(e.getKey(), off).get(1).block(), 0);
        }
      }
      for (Map.Entry<String, byte[]> e : objects.entrySet()) {
        assertThat(s.read(e.getKey())).isEqualTo(e.getValue());
      }
      assertThat(s.check().problems()).isEmpty();
    }
  }

  // ---- Streaming: memory stays bounded --------------------------------------------------------

  /**
   * A put and a get of an object larger than the whole heap, in a child JVM: the object is
   * never held. The default build puts 96 MiB with {@code -Xmx32m}; {@code -Pstress} puts the
   * issue's 4 GiB with {@code -Xmx256m}.
   */
  @Test
  @Timeout(3600)
  void aPutLargerThanTheHeapStreamsInBoundedMemory() throws Exception {
    long size = STRESS > 1 ? 4L << 30 : (96L << 20) + 123;
    String heap = STRESS > 1 ? "-Xmx256m" : "-Xmx32m";
    long seed = 42;
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, heap, "-XX:+ExitOnOutOfMemoryError", "-cp",
        System.getProperty("java.class.path"), BigPutChild.class.getName(),
        tmp.resolve("big").toString(), Long.toString(size), Long.toString(seed))
        .redirectOutput(tmp.resolve("child.out").toFile())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      String want = BigPutChild.digest(StoreStreamingTest.generated(size, seed));
      assertThat(child.waitFor(STRESS > 1 ? 3000 : 100, TimeUnit.SECONDS)).isTrue();
      String out = Files.readString(tmp.resolve("child.out"));
      assertThat(child.exitValue()).as("child exit status (%s)", out).isZero();
      assertThat(out.trim()).isEqualTo("SIZE " + size + " DIGEST " + want);
    } finally {
      child.destroyForcibly();
    }
  }
}
