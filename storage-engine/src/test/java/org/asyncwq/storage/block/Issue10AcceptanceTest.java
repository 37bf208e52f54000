package org.asyncwq.storage.block;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.zip.CRC32C;
import net.openhft.hashing.LongHashFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 10 as its text spells it: every public name and signature it gives, its defaults and rules,
 * and each numbered point of "What must be true" with the issue's own figures, through the public
 * API only, as a user of the block layer writes it. The other tests of this package prove the same
 * points at more length; this class is the issue's wording, compiled and run.
 */
@Timeout(60)
class Issue10AcceptanceTest {
  private static final int BS = BlockDevice.BLOCK_SIZE;
  private static final long B = 7;
  private static final long BOUND_MS = 1000;

  @TempDir Path dir;

  /** Closed after each test, last added first (a volume before the queues it shares). */
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    Collections.reverse(toClose);
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  private <T extends AutoCloseable> T closing(T c) {
    toClose.add(c);
    return c;
  }

  /** {@code n} blocks of pseudo-random bytes from {@code seed}. */
  private static ByteBuffer blocks(int n, long seed) {
    byte[] b = new byte[n * BS];
    new Random(seed).nextBytes(b);
    return ByteBuffer.wrap(b);
  }

  /** Blocks {@code [first, first + n)} of {@code data}. */
  private static ByteBuffer slice(ByteBuffer data, long first, int n) {
    return data.duplicate().position((int) first * BS).limit((int) (first + n) * BS).slice();
  }

  /** {@code n} fault-injecting mirrors over memory devices of {@code blocks} blocks. */
  private static List<FaultyBlockDevice> faulty(int n, long blocks) {
    List<FaultyBlockDevice> m = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      m.add(new FaultyBlockDevice(new MemoryBlockDevice(blocks)));
    }
    return m;
  }

  private MirroredVolume volume(List<? extends BlockDevice> mirrors) {
    return closing(MirroredVolume.builder(List.copyOf(mirrors)).build());
  }

  private static long[] writes(List<FaultyBlockDevice> m, long block) {
    return m.stream().mapToLong(d -> d.writes(block)).toArray();
  }

  private static long[] reads(List<FaultyBlockDevice> m, long block) {
    return m.stream().mapToLong(d -> d.reads(block)).toArray();
  }

  private static long[] delta(long[] now, long[] before) {
    return IntStream.range(0, now.length).mapToLong(i -> now[i] - before[i]).toArray();
  }

  /** Every IO call through {@code d} to any block: reads and writes. */
  private static long io(FaultyBlockDevice d) {
    long n = 0;
    for (long b = 0; b < d.blockCount(); b++) {
      n += d.reads(b) + d.writes(b);
    }
    return n;
  }

  private static Throwable failure(CompletableFuture<?> f) throws Exception {
    try {
      f.get(10, SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("the future completed normally");
  }

  // ----------------------------------------------------------------------------------------------
  // The API as the issue spells it

  @Test
  void theApiHasTheIssuesNamesAndSignatures() throws Exception {
    assertThat(BlockDevice.BLOCK_SIZE).isEqualTo(4096);
    assertThat(AutoCloseable.class).isAssignableFrom(BlockDevice.class);
    for (Class<?> c : List.of(FileBlockDevice.class, MemoryBlockDevice.class,
        FaultyBlockDevice.class, Checksum.class, MirroredVolume.class, StorageQueues.class)) {
      assertThat(Modifier.isFinal(c.getModifiers())).as("%s is final", c).isTrue();
    }
    assertThat(BlockDevice.class).isAssignableFrom(FileBlockDevice.class)
        .isAssignableFrom(MemoryBlockDevice.class).isAssignableFrom(FaultyBlockDevice.class);
    assertThat(AutoCloseable.class).isAssignableFrom(MirroredVolume.class)
        .isAssignableFrom(StorageQueues.class);
    assertThat(IOException.class).isAssignableFrom(UncorrectableDataException.class);
    assertThat(ChecksumType.values()).containsExactly(ChecksumType.CRC32C, ChecksumType.XXH64,
        ChecksumType.SHA256);
    assertThat(ChecksumType.CRC32C.size()).isEqualTo(4);
    assertThat(ChecksumType.XXH64.size()).isEqualTo(8);
    assertThat(ChecksumType.SHA256.size()).isEqualTo(32);
    assertThat(DeviceState.values()).containsExactly(DeviceState.HEALTHY, DeviceState.FAULTY);

    StorageQueues queues = closing(StorageQueues.builder().limitActive("endio", 2).build());
    List<BlockDevice> mirrors = List.of(new MemoryBlockDevice(8), new MemoryBlockDevice(8));
    MirroredVolume v = closing(MirroredVolume.builder(mirrors).checksum(ChecksumType.CRC32C)
        .errorBudget(20).queues(queues).build());
    ByteBuffer data = blocks(2, 1);
    CompletableFuture<List<Checksum>> written = v.write(2, data);
    List<Checksum> sums = written.get(10, SECONDS);
    CompletableFuture<ByteBuffer> read = v.read(2, sums);
    CompletableFuture<ByteBuffer> readFrom = v.read(2, sums, 1);
    CompletableFuture<Void> flushed = v.flush();
    BlockRef ref = new BlockRef(2, sums.get(0));
    Iterable<BlockRef> refs = List.of(ref, new BlockRef(3, sums.get(1)));
    ScrubListener listener = (long done, long total) -> { };
    CompletableFuture<ScrubReport> scrubbed = v.scrub(refs, listener);

    assertThat(read.get(10, SECONDS)).isEqualTo(data);
    assertThat(readFrom.get(10, SECONDS)).isEqualTo(data);
    assertThat(flushed.get(10, SECONDS)).isNull();
    ScrubReport report = scrubbed.get(10, SECONDS);
    List<DeviceStats> deviceStats = v.deviceStats();
    VolumeStats stats = v.stats();
    int n = v.mirrors();
    assertThat(report).isEqualTo(new ScrubReport(2, 0, 0, 0, 0));
    assertThat(new long[] {report.blocks(), report.csumErrors(), report.readErrors(),
        report.corrected(), report.uncorrectable()}).containsExactly(2, 0, 0, 0, 0);
    assertThat(ref.block()).isEqualTo(2);
    assertThat(ref.checksum()).isEqualTo(sums.get(0));
    assertThat(n).isEqualTo(2);
    assertThat(deviceStats).containsExactly(
        new DeviceStats(0, DeviceState.HEALTHY, 0, 0, 0, 0, 0),
        new DeviceStats(1, DeviceState.HEALTHY, 0, 0, 0, 0, 0));
    DeviceStats s = deviceStats.get(1);
    assertThat(new Object[] {s.mirror(), s.state(), s.readErrors(), s.writeErrors(),
        s.flushErrors(), s.corruptionErrors(), s.generationErrors()})
        .containsExactly(1, DeviceState.HEALTHY, 0L, 0L, 0L, 0L, 0L);
    assertThat(stats).isEqualTo(new VolumeStats(4, 2, 0, 0));
    assertThat(new long[] {stats.reads(), stats.writes(), stats.corrected(),
        stats.uncorrectable()}).containsExactly(4, 2, 0, 0);
  }

  @Test
  void theDefaultsAreCrc32cAndAnErrorBudgetOf20() throws Exception {
    List<FaultyBlockDevice> m = faulty(2, 16);
    MirroredVolume v = volume(m);
    ByteBuffer data = blocks(1, 2);
    List<Checksum> sums = v.write(B, data).get(10, SECONDS);
    assertThat(sums).containsExactly(Checksum.of(ChecksumType.CRC32C, data));

    m.get(0).failReads(B);
    for (int i = 1; i <= 20; i++) {
      assertThat(v.read(B, sums, 0).get(10, SECONDS)).isEqualTo(data);
    }
    assertThat(v.deviceStats().get(0).readErrors()).isEqualTo(20);
    assertThat(v.deviceStats().get(0).state()).isEqualTo(DeviceState.HEALTHY);
    assertThat(v.read(B, sums, 0).get(10, SECONDS)).isEqualTo(data); // the 21st: over 20
    assertThat(v.deviceStats().get(0).state()).isEqualTo(DeviceState.FAULTY);
  }

  // ----------------------------------------------------------------------------------------------
  // Devices

  @Test
  void everyBlockDeviceTakesWholeBlocksInRangeElseAnIllegalArgumentSayingWhich() throws Exception {
    List<BlockDevice> devices = List.of(new MemoryBlockDevice(4),
        FileBlockDevice.create(dir.resolve("d.img"), 4),
        new FaultyBlockDevice(new MemoryBlockDevice(4)));
    for (BlockDevice d : devices) {
      closing(d);
      assertThat(d.blockCount()).isEqualTo(4);
      ByteBuffer two = blocks(2, 3);
      d.write(2, two.duplicate());
      d.flush();

      assertThatThrownBy(() -> d.write(3, two.duplicate())).as("%s", d)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("[3, 5) are out of range").hasMessageContaining("[0, 4)");
      assertThatThrownBy(() -> d.read(-1, ByteBuffer.allocate(BS))).as("%s", d)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of range");
      assertThatThrownBy(() -> d.read(4, ByteBuffer.allocate(BS))).as("%s", d)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of range");
      assertThatThrownBy(() -> d.write(0, ByteBuffer.allocate(BS + 1))).as("%s", d)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4097 bytes")
          .hasMessageContaining("multiple of the block size");
      assertThatThrownBy(() -> d.read(0, ByteBuffer.allocate(0))).as("%s", d)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 bytes");

      ByteBuffer all = ByteBuffer.allocate(4 * BS);
      d.read(0, all);
      assertThat(all.hasRemaining()).isFalse();
      assertThat(slice(all, 0, 2)).as("%s: the refused calls wrote nothing", d)
          .isEqualTo(ByteBuffer.allocate(2 * BS));
      assertThat(slice(all, 2, 2)).isEqualTo(two);
    }
  }

  @Test
  void fileBlockDeviceCreatesASparseFileRefusesAnExistingOneAndOpensIt() throws Exception {
    Path file = dir.resolve("mirror.img");
    long blocks = 262_144; // 1 GiB
    ByteBuffer last = blocks(1, 4);
    try (FileBlockDevice d = FileBlockDevice.create(file, blocks)) {
      assertThat(d.blockCount()).isEqualTo(blocks);
      d.write(blocks - 1, last.duplicate());
      d.flush();
    }
    assertThat(Files.size(file)).isEqualTo(blocks * BS);
    assertThat(allocatedBytes(file)).as("a sparse file: 1 GiB long, about one block allocated")
        .isLessThan(1 << 20);

    assertThatThrownBy(() -> FileBlockDevice.create(file, 8))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThat(Files.size(file)).isEqualTo(blocks * BS);
    try (FileBlockDevice d = FileBlockDevice.open(file)) {
      assertThat(d.blockCount()).isEqualTo(blocks);
      ByteBuffer back = ByteBuffer.allocate(BS);
      d.read(blocks - 1, back);
      assertThat(back.flip()).as("the existing file was not overwritten").isEqualTo(last);
    }
  }

  /** The bytes the file system allocated to {@code file}, from stat(1). */
  private static long allocatedBytes(Path file) throws Exception {
    assumeTrue(System.getProperty("os.name").startsWith("Linux"), "stat(1) of GNU coreutils");
    Process p = new ProcessBuilder("stat", "-c", "%b %B", file.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
    assertThat(p.waitFor(10, SECONDS)).isTrue();
    assumeTrue(p.exitValue() == 0, () -> "stat(1) failed: " + out);
    String[] f = out.split(" ");
    return Long.parseLong(f[0]) * Long.parseLong(f[1]);
  }

  @Test
  void fileBlockDeviceIsSafeForConcurrentUse() throws Exception {
    int threads = 4;
    int perThread = 32;
    FileBlockDevice d = closing(FileBlockDevice.create(dir.resolve("c.img"), threads * perThread));
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CyclicBarrier start = new CyclicBarrier(threads);
      List<Future<?>> all = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int base = t * perThread;
        all.add(pool.submit(() -> {
          start.await(10, SECONDS);
          for (int i = 0; i < perThread; i++) {
            d.write(base + i, blocks(1, base + i));
            ByteBuffer back = ByteBuffer.allocate(BS);
            d.read(base + i, back);
            assertThat(back.flip()).isEqualTo(blocks(1, base + i));
          }
          return null;
        }));
      }
      for (Future<?> f : all) {
        f.get(30, SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    ByteBuffer back = ByteBuffer.allocate(threads * perThread * BS);
    d.read(0, back);
    for (int b = 0; b < threads * perThread; b++) {
      assertThat(slice(back, b, 1)).isEqualTo(blocks(1, b));
    }
  }

  @Test
  void faultyBlockDeviceInjectsFailuresAndCorruptionAndCountsIoPerBlock() throws Exception {
    FaultyBlockDevice d = closing(new FaultyBlockDevice(new MemoryBlockDevice(8)));
    ByteBuffer data = blocks(2, 5);
    d.write(2, data.duplicate());
    d.failReads(3);
    d.failWrites(2);
    d.failFlushes(true);

    assertThatThrownBy(() -> d.read(2, ByteBuffer.allocate(2 * BS))).isInstanceOf(IOException.class);
    d.read(2, ByteBuffer.allocate(BS)); // block 2 alone reads
    assertThatThrownBy(() -> d.write(1, blocks(2, 6))).isInstanceOf(IOException.class);
    assertThatThrownBy(d::flush).isInstanceOf(IOException.class);
    assertThatThrownBy(d::flush).as("from then on").isInstanceOf(IOException.class);
    d.corrupt(2, 100);
    d.heal();

    d.flush();
    ByteBuffer back = ByteBuffer.allocate(3 * BS);
    d.read(1, back);
    assertThat(slice(back, 0, 1)).as("the failed write wrote nothing")
        .isEqualTo(ByteBuffer.allocate(BS));
    assertThat(back.get(BS + 100)).as("the stored byte flipped").isEqualTo((byte) ~data.get(100));
    back.put(BS + 100, data.get(100));
    assertThat(slice(back, 1, 2)).isEqualTo(data);

    // IO calls that touched the block, failed ones included; corrupt() is not IO
    assertThat(d.reads(1)).isEqualTo(1);
    assertThat(d.reads(2)).isEqualTo(3);
    assertThat(d.reads(3)).isEqualTo(2);
    assertThat(d.writes(1)).isEqualTo(1);
    assertThat(d.writes(2)).isEqualTo(2);
    assertThat(d.writes(3)).isEqualTo(1);
    assertThat(d.reads(0) + d.writes(0) + d.reads(7) + d.writes(7)).isZero();
  }

  // ----------------------------------------------------------------------------------------------
  // What must be true

  @Test
  void point1_aCorruptByteOnMirror0IsReadFromMirror1AndMirror0RewrittenOnce() throws Exception {
    List<FaultyBlockDevice> m = faulty(2, 16);
    MirroredVolume v = volume(m);
    ByteBuffer data = blocks(1, 1);
    List<Checksum> sums = v.write(B, data).get(10, SECONDS);
    m.get(0).corrupt(B, 100);
    long[] before = writes(m, B);

    assertThat(v.read(B, sums, 0).get(10, SECONDS)).isEqualTo(data);

    assertThat(v.stats().corrected()).isEqualTo(1);
    assertThat(v.deviceStats().get(0).corruptionErrors()).isEqualTo(1);
    assertThat(delta(writes(m, B), before)).as("mirror 0 rewritten once, mirror 1 not written")
        .containsExactly(1, 0);
    ByteBuffer onMirror0 = ByteBuffer.allocate(BS);
    m.get(0).read(B, onMirror0);
    assertThat(onMirror0.flip()).isEqualTo(data);
  }

  @Test
  void point2_aBlockBadOnBothMirrorsFailsUncorrectableAfterOneReadPerMirrorWritingNothing()
      throws Exception {
    List<FaultyBlockDevice> m = faulty(2, 16);
    MirroredVolume v = volume(m);
    List<Checksum> sums = v.write(B, blocks(1, 2)).get(10, SECONDS);
    m.get(0).corrupt(B, 0);
    m.get(1).corrupt(B, 4095);
    long[] readsBefore = reads(m, B);
    long[] writesBefore = writes(m, B);

    Throwable e = failure(v.read(B, sums, 0));

    assertThat(e).isInstanceOf(UncorrectableDataException.class)
        .hasMessageContaining("block " + B);
    assertThat(((UncorrectableDataException) e).block()).isEqualTo(B);
    assertThat(delta(reads(m, B), readsBefore)).containsExactly(1, 1);
    assertThat(delta(writes(m, B), writesBefore)).containsExactly(0, 0);
    assertThat(v.stats().uncorrectable()).isEqualTo(1);
  }

  @Test
  void point2_underRandomFaultsAReadReturnsTheWrittenBytesOrFailsUncorrectable() throws Exception {
    List<FaultyBlockDevice> m = faulty(2, 32);
    MirroredVolume v = closing(MirroredVolume.builder(List.copyOf(m))
        .errorBudget(Integer.MAX_VALUE).build());
    ByteBuffer data = blocks(32, 5);
    List<Checksum> sums = v.write(0, data).get(10, SECONDS);
    Random r = new Random(10);
    int returned = 0;
    int failed = 0;
    for (int round = 0; round < 400; round++) {
      FaultyBlockDevice d = m.get(r.nextInt(2));
      long b = r.nextInt(32);
      switch (r.nextInt(4)) {
        case 0 -> d.corrupt(b, r.nextInt(BS));
        case 1 -> d.failReads(b);
        case 2 -> d.failWrites(b);
        default -> d.heal();
      }
      int first = r.nextInt(32);
      int n = 1 + r.nextInt(32 - first);
      CompletableFuture<ByteBuffer> f = v.read(first, sums.subList(first, first + n),
          r.nextInt(2));
      try {
        assertThat(f.get(10, SECONDS)).isEqualTo(slice(data, first, n));
        returned++;
      } catch (ExecutionException e) {
        assertThat(e.getCause()).isInstanceOf(UncorrectableDataException.class);
        assertThat(((UncorrectableDataException) e.getCause()).block())
            .isBetween((long) first, (long) first + n - 1);
        failed++;
      }
    }
    assertThat(returned).isPositive();
    assertThat(failed).isPositive();
  }

  @Test
  void point3_threeMirrorsBadOn1And2ReadFrom1AreRepairedFromMirror0() throws Exception {
    List<FaultyBlockDevice> m = faulty(3, 16);
    MirroredVolume v = volume(m);
    ByteBuffer data = blocks(1, 3);
    List<Checksum> sums = v.write(B, data).get(10, SECONDS);
    m.get(1).corrupt(B, 1);
    m.get(2).corrupt(B, 2);
    long[] readsBefore = reads(m, B);
    long[] writesBefore = writes(m, B);

    assertThat(v.read(B, sums, 1).get(10, SECONDS)).isEqualTo(data);

    assertThat(delta(reads(m, B), readsBefore)).as("mirror 0 supplies the data")
        .containsExactly(1, 1, 1);
    assertThat(delta(writes(m, B), writesBefore)).as("1 and 2 rewritten, 0 not written")
        .containsExactly(0, 1, 1);
    assertThat(v.stats().corrected()).isEqualTo(2);
    for (int i = 0; i < 3; i++) {
      ByteBuffer copy = ByteBuffer.allocate(BS);
      m.get(i).read(B, copy);
      assertThat(copy.flip()).as("mirror %d", i).isEqualTo(data);
    }
  }

  @Test
  void point4_scrubOf64BlocksRepairs32ConsecutiveCorruptOnOneMirrorAndASecondFindsNothing()
      throws Exception {
    List<FaultyBlockDevice> m = faulty(2, 128);
    MirroredVolume v = volume(m);
    ByteBuffer data = blocks(64, 4);
    List<Checksum> sums = v.write(16, data).get(10, SECONDS);
    List<BlockRef> refs = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      refs.add(new BlockRef(16 + i, sums.get(i)));
    }
    IntStream.range(40, 72).forEach(b -> m.get(1).corrupt(b, b)); // 32 blocks, 128 KiB
    List<long[]> progress = Collections.synchronizedList(new ArrayList<>());

    ScrubReport first = v.scrub(refs, (done, total) -> progress.add(new long[] {done, total}))
        .get(10, SECONDS);

    assertThat(first.blocks()).isEqualTo(64);
    assertThat(first.csumErrors()).isEqualTo(32);
    assertThat(first.corrected()).isEqualTo(32);
    assertThat(first.uncorrectable()).isZero();
    assertThat(first.readErrors()).isZero();
    assertThat(progress).isNotEmpty().allSatisfy(p -> assertThat(p[1]).isEqualTo(64));
    assertThat(progress.get(progress.size() - 1)).as("progress reaches total")
        .containsExactly(64, 64);
    assertThat(v.deviceStats().get(1).corruptionErrors()).isEqualTo(32);

    ScrubReport second = v.scrub(refs, (done, total) -> { }).get(10, SECONDS);
    assertThat(second).isEqualTo(new ScrubReport(64, 0, 0, 0, 0));
    assertThat(v.read(16, sums, 1).get(10, SECONDS)).isEqualTo(data);
  }

  @Test
  void point5_aReadErrorOnMirror0IsServedFromMirror1AndAFailedRewriteCountsAWriteError()
      throws Exception {
    List<FaultyBlockDevice> m = faulty(2, 16);
    MirroredVolume v = volume(m);
    ByteBuffer data = blocks(2, 5);
    List<Checksum> sums = v.write(B, data).get(10, SECONDS);
    m.get(0).failReads(B);

    assertThat(v.read(B, sums.subList(0, 1), 0).get(10, SECONDS)).isEqualTo(slice(data, 0, 1));
    assertThat(v.deviceStats().get(0).readErrors()).isEqualTo(1);
    assertThat(v.deviceStats().get(0).writeErrors()).isZero();
    assertThat(v.deviceStats().get(1).readErrors()).isZero();

    m.get(0).failReads(B + 1);
    m.get(0).failWrites(B + 1);
    assertThat(v.read(B + 1, sums.subList(1, 2), 0).get(10, SECONDS))
        .isEqualTo(slice(data, 1, 1));
    assertThat(v.deviceStats().get(0).readErrors()).isEqualTo(2);
    assertThat(v.deviceStats().get(0).writeErrors()).isEqualTo(1);
  }

  @Test
  void point6_aWriteFailingOnOneMirrorSucceedsOnTheOthersAndOnEveryMirrorFails() throws Exception {
    List<FaultyBlockDevice> m = faulty(3, 16);
    MirroredVolume v = volume(m);
    m.get(1).failWrites(B);
    ByteBuffer data = blocks(1, 6);

    List<Checksum> sums = v.write(B, data).get(10, SECONDS);

    assertThat(v.deviceStats()).extracting(DeviceStats::writeErrors).containsExactly(0L, 1L, 0L);
    assertThat(v.read(B, sums, 0).get(10, SECONDS)).isEqualTo(data);
    assertThat(v.read(B, sums, 2).get(10, SECONDS)).isEqualTo(data);

    for (FaultyBlockDevice d : m) {
      d.failWrites(B + 1);
    }
    assertThat(failure(v.write(B + 1, blocks(1, 7)))).isInstanceOf(IOException.class)
        .hasMessageContaining("failed on every mirror");
    assertThat(v.deviceStats()).extracting(DeviceStats::writeErrors).containsExactly(1L, 2L, 1L);
    assertThat(v.stats().writes()).isEqualTo(1);
  }

  @Test
  void point7_aMirrorOverItsBudgetIsFaultyAndSkippedAndNoHealthyMirrorFailsEveryCall()
      throws Exception {
    List<FaultyBlockDevice> m = faulty(2, 16);
    MirroredVolume v = closing(MirroredVolume.builder(List.copyOf(m)).errorBudget(2).build());
    ByteBuffer data = blocks(1, 8);
    List<Checksum> sums = v.write(B, data).get(10, SECONDS);
    m.get(0).failReads(B);
    for (int i = 0; i < 3; i++) {
      assertThat(v.deviceStats().get(0).state()).isEqualTo(DeviceState.HEALTHY);
      assertThat(v.read(B, sums, 0).get(10, SECONDS)).isEqualTo(data);
    }
    assertThat(v.deviceStats().get(0).state()).isEqualTo(DeviceState.FAULTY);
    assertThat(v.deviceStats().get(1).state()).isEqualTo(DeviceState.HEALTHY);

    long io0 = io(m.get(0));
    long io1 = io(m.get(1));
    List<Checksum> more = v.write(B + 1, blocks(1, 9)).get(10, SECONDS);
    assertThat(v.read(B + 1, more, 0).get(10, SECONDS)).isEqualTo(blocks(1, 9));
    assertThat(v.read(B, sums).get(10, SECONDS)).isEqualTo(data);
    v.flush().get(10, SECONDS);
    assertThat(v.scrub(List.of(new BlockRef(B, sums.get(0))), (d, t) -> { }).get(10, SECONDS)
        .blocks()).isEqualTo(1);
    assertThat(io(m.get(0))).as("a FAULTY mirror's IO counts stop moving").isEqualTo(io0);
    assertThat(io(m.get(1))).isGreaterThan(io1);

    m.get(1).failFlushes(true);
    for (int i = 0; i < 3; i++) {
      assertThat(failure(v.flush())).isInstanceOf(IOException.class);
    }
    assertThat(v.deviceStats()).extracting(DeviceStats::state)
        .containsExactly(DeviceState.FAULTY, DeviceState.FAULTY);
    List<CompletableFuture<?>> calls = List.of(v.write(0, blocks(1, 1)), v.read(B, sums),
        v.read(B, sums, 1), v.flush(),
        v.scrub(List.of(new BlockRef(B, sums.get(0))), (d, t) -> { }));
    for (CompletableFuture<?> call : calls) {
      assertThat(failure(call)).isInstanceOf(IOException.class)
          .hasMessageContaining("no healthy mirror");
    }
    assertThat(m.get(0).writes(0) + m.get(1).writes(0)).isZero();
  }

  @Test
  void point8_withEndioAtOne1000ConcurrentReadsOfBlocksBadOnMirror0AllComplete()
      throws Exception {
    int reads = 1000;
    StorageQueues q = closing(StorageQueues.builder().limitActive("endio", 1).build());
    List<FaultyBlockDevice> m = faulty(2, reads);
    MirroredVolume v = closing(MirroredVolume.builder(List.copyOf(m)).queues(q).build());
    ByteBuffer data = blocks(reads, 8);
    List<Checksum> sums = v.write(0, data).get(10, SECONDS);
    for (int b = 0; b < reads; b++) {
      m.get(0).corrupt(b, b % BS);
    }
    int clients = 8;
    @SuppressWarnings("unchecked")
    CompletableFuture<ByteBuffer>[] all = new CompletableFuture[reads];
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      CyclicBarrier start = new CyclicBarrier(clients);
      List<Future<?>> issued = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        int client = c;
        issued.add(pool.submit(() -> {
          start.await(10, SECONDS);
          for (int b = client; b < reads; b += clients) {
            all[b] = v.read(b, sums.subList(b, b + 1), 0);
          }
          return null;
        }));
      }
      for (Future<?> f : issued) {
        f.get(10, SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    CompletableFuture.allOf(all).get(30, SECONDS);
    for (int b = 0; b < reads; b++) {
      assertThat(all[b].join()).isEqualTo(slice(data, b, 1));
    }
    assertThat(v.stats().corrected()).isEqualTo(reads);
    assertThat(v.deviceStats().get(0).corruptionErrors()).isEqualTo(reads);
    assertThat(q.stats().get("endio").normal().limitActive()).isEqualTo(1);
  }

  @Test
  void point8_theNaiveRepairCompletionOnEndioHangsWithinTheBoundAndEndioRepairDoesNot()
      throws Exception {
    for (String completion : List.of("endio", "endio-repair")) {
      List<FaultyBlockDevice> m = faulty(2, 4);
      List<Checksum> sums = new ArrayList<>();
      for (int b = 0; b < 4; b++) {
        ByteBuffer data = blocks(1, b);
        sums.add(Checksum.of(ChecksumType.CRC32C, data));
        m.get(0).write(b, data.duplicate());
        m.get(1).write(b, data.duplicate());
        m.get(0).corrupt(b, 0);
      }
      List<CompletableFuture<ByteBuffer>> waits = new ArrayList<>();
      StorageQueues q = StorageQueues.builder().limitActive("endio", 1).build();
      try {
        Executor submit = q.executor("submit");
        Executor endio = q.executor("endio");
        Executor repairCompletion = q.executor(completion);
        CountDownLatch done = new CountDownLatch(4);
        for (int b = 0; b < 4; b++) {
          long block = b;
          CompletableFuture<ByteBuffer> repaired = new CompletableFuture<>();
          waits.add(repaired);
          submit.execute(() -> {
            ByteBuffer first = readBlock(m.get(0), block);
            endio.execute(() -> { // verify; on a bad copy submit the repair read and wait for it
              if (!Checksum.of(ChecksumType.CRC32C, first).equals(sums.get((int) block))) {
                try {
                  submit.execute(() -> {
                    ByteBuffer copy = readBlock(m.get(1), block);
                    repairCompletion.execute(() -> repaired.complete(copy));
                  });
                  repaired.join();
                } catch (RuntimeException released) {
                  return; // let go after the bound (or the queues are closing)
                }
              }
              done.countDown();
            });
          });
        }
        if (completion.equals("endio")) {
          assertThat(done.await(BOUND_MS, TimeUnit.MILLISECONDS)).as("the naive wiring hangs")
              .isFalse();
        } else {
          assertThat(done.await(30, SECONDS)).isTrue();
        }
      } finally {
        waits.forEach(w -> w.completeExceptionally(new IllegalStateException("bound")));
        q.close(); // drains and stops the queues: the hang is cleaned up
      }
    }
  }

  private static ByteBuffer readBlock(BlockDevice d, long block) {
    ByteBuffer buf = ByteBuffer.allocate(BS);
    try {
      d.read(block, buf);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return buf.flip();
  }

  @Test
  void point8_checksumSubmitAndEndioOnOnePoolOfNDeadlockUnderNPlusOneWritesAndOursDoNot()
      throws Exception {
    int n = 2;
    // the naive shape: checksum-submit and end-IO share one queue of n threads
    StorageQueues shared = StorageQueues.builder().limitActive("submit", n).build();
    List<CompletableFuture<Void>> waits = new ArrayList<>();
    try {
      Executor one = shared.executor("submit");
      MemoryBlockDevice dev = new MemoryBlockDevice(n + 1);
      CountDownLatch done = new CountDownLatch(n + 1);
      for (int i = 0; i <= n; i++) {
        long block = i;
        CompletableFuture<Void> ended = new CompletableFuture<>();
        waits.add(ended);
        one.execute(() -> {
          ByteBuffer data = blocks(1, block);
          Checksum.of(ChecksumType.CRC32C, data);
          try {
            dev.write(block, data);
          } catch (IOException e) {
            ended.completeExceptionally(e);
          }
          one.execute(() -> ended.complete(null)); // end-IO on the same pool
          try {
            ended.join();
            done.countDown();
          } catch (RuntimeException released) {
            // let go after the bound
          }
        });
      }
      assertThat(done.await(BOUND_MS, TimeUnit.MILLISECONDS)).as("one pool deadlocks").isFalse();
    } finally {
      waits.forEach(w -> w.completeExceptionally(new IllegalStateException("bound")));
      shared.close();
    }

    // ours: n+1 concurrent volume writes with csum and submit at n all complete
    StorageQueues q = closing(StorageQueues.builder().limitActive("csum", n)
        .limitActive("submit", n).build());
    MirroredVolume v = closing(MirroredVolume.builder(List.copyOf(faulty(2, 64))).queues(q)
        .build());
    List<CompletableFuture<List<Checksum>>> writes = new ArrayList<>();
    for (int i = 0; i <= n; i++) {
      writes.add(v.write(4L * i, blocks(4, i)));
    }
    CompletableFuture.allOf(writes.toArray(new CompletableFuture[0])).get(30, SECONDS);
    for (int i = 0; i <= n; i++) {
      assertThat(v.read(4L * i, writes.get(i).join()).get(10, SECONDS)).isEqualTo(blocks(4, i));
    }
  }

  @ParameterizedTest
  @EnumSource(ChecksumType.class)
  void point9_eachChecksumTypeRoundTripsAndDetectsASingleFlippedBitInAnyByte(ChecksumType type)
      throws Exception {
    ByteBuffer block = blocks(1, 99);
    byte[] bytes = block.array().clone();
    Checksum sum = Checksum.of(type, block);

    assertThat(block.position()).isZero();
    assertThat(block.remaining()).isEqualTo(BS);
    assertThat(sum.type()).isEqualTo(type);
    assertThat(sum.bytes()).hasSize(type.size()).isEqualTo(reference(type, bytes));
    Checksum again = Checksum.of(type, ByteBuffer.wrap(bytes.clone()));
    assertThat(again).isEqualTo(sum).hasSameHashCodeAs(sum);
    assertThat(sum.toString()).isEqualTo(HexFormat.of().formatHex(sum.bytes()));

    ByteBuffer view = ByteBuffer.wrap(bytes);
    int missed = 0;
    for (int offset = 0; offset < BS; offset++) {
      byte original = bytes[offset];
      for (int bit = 0; bit < 8; bit++) {
        bytes[offset] = (byte) (original ^ (1 << bit));
        if (Checksum.of(type, view).equals(sum)) {
          missed++;
        }
      }
      bytes[offset] = original;
    }
    assertThat(missed).as("single flipped bits %s missed", type).isZero();
    assertThat(Checksum.of(type, view)).isEqualTo(sum);

    // through a volume keeping this type: written, verified, a damaged copy repaired
    List<FaultyBlockDevice> m = faulty(2, 4);
    MirroredVolume v = closing(MirroredVolume.builder(List.copyOf(m)).checksum(type).build());
    List<Checksum> sums = v.write(1, block).get(10, SECONDS);
    assertThat(sums).containsExactly(sum);
    m.get(0).corrupt(1, 1234);
    assertThat(v.read(1, sums, 0).get(10, SECONDS)).isEqualTo(block);
    assertThat(v.stats().corrected()).isEqualTo(1);
  }

  /** The checksum by the JDK (CRC32C, SHA-256) or the library (XXH64), big-endian. */
  private static byte[] reference(ChecksumType type, byte[] bytes) throws Exception {
    switch (type) {
      case CRC32C: {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return ByteBuffer.allocate(4).putInt((int) crc.getValue()).array();
      }
      case XXH64:
        return ByteBuffer.allocate(8).putLong(LongHashFunction.xx().hashBytes(bytes)).array();
      default:
        return MessageDigest.getInstance("SHA-256").digest(bytes);
    }
  }

  @Test
  void point10_badInputIsAClearExceptionNamingTheProblemAndNothingIsWritten() throws Exception {
    List<FaultyBlockDevice> m = faulty(2, 8);
    MirroredVolume v = volume(m);
    Checksum sum = Checksum.of(ChecksumType.CRC32C, blocks(1, 1));

    assertThatThrownBy(() -> v.write(7, blocks(2, 1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("blocks [7, 9) are out of range").hasMessageContaining("[0, 8)");
    assertThatThrownBy(() -> v.write(-1, blocks(1, 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of range");
    assertThatThrownBy(() -> v.read(8, List.of(sum)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of range");
    assertThatThrownBy(() -> v.read(7, List.of(sum, sum), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of range");
    assertThatThrownBy(() -> v.scrub(List.of(new BlockRef(8, sum)), (d, t) -> { }))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of range");
    assertThatThrownBy(() -> v.write(0, ByteBuffer.allocate(BS - 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4095 bytes")
        .hasMessageContaining("multiple of the block size");
    List<FaultyBlockDevice> unequal = List.of(new FaultyBlockDevice(new MemoryBlockDevice(8)),
        new FaultyBlockDevice(new MemoryBlockDevice(9)));
    assertThatThrownBy(() -> MirroredVolume.builder(List.copyOf(unequal)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("equal size")
        .hasMessageContaining("8 blocks").hasMessageContaining("9");
    assertThatThrownBy(() -> MirroredVolume.builder(List.copyOf(unequal)))
        .as("refused by the builder at once, before build()")
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("equal size");
    for (FaultyBlockDevice d : unequal) {
      assertThat(io(d)).isZero();
    }
    for (FaultyBlockDevice d : m) {
      assertThat(io(d)).as("nothing read or written").isZero();
    }

    List<Checksum> sums = v.write(0, blocks(1, 2)).get(10, SECONDS);
    v.close();
    long[] before = m.stream().mapToLong(Issue10AcceptanceTest::io).toArray();
    assertThatThrownBy(() -> v.write(1, blocks(1, 1))).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> v.read(0, sums)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> v.read(0, sums, 1)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(v::flush).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> v.scrub(List.of(new BlockRef(0, sums.get(0))), (d, t) -> { }))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThat(m.stream().mapToLong(Issue10AcceptanceTest::io).toArray()).isEqualTo(before);
  }

  // ----------------------------------------------------------------------------------------------
  // The queues and their wiring

  @Test
  void storageQueuesAreSixNamedQueuesSizedByLimitActiveWithStatsPerQueue() throws Exception {
    StorageQueues q = closing(StorageQueues.builder().limitActive("endio", 1)
        .limitActive("csum", 3).build());
    assertThat(q.stats().keySet()).containsExactly("csum", "submit", "endio", "endio-write",
        "endio-repair", "alloc");
    assertThat(q.stats().get("endio").normal().limitActive()).isEqualTo(1);
    assertThat(q.stats().get("csum").normal().limitActive()).isEqualTo(3);
    assertThatThrownBy(() -> StorageQueues.builder().limitActive("commit", 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("commit");
    assertThatThrownBy(() -> StorageQueues.builder().limitActive("endio", 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("endio");

    List<FaultyBlockDevice> m = faulty(2, 8);
    MirroredVolume v = closing(MirroredVolume.builder(List.copyOf(m)).queues(q).build());
    Map<String, Long> before = queued(q);
    List<Checksum> sums = v.write(B, blocks(1, 3)).get(10, SECONDS);
    Map<String, Long> afterWrite = queued(q);
    assertThat(afterWrite.get("csum") - before.get("csum")).as("checksums on csum").isEqualTo(1);
    assertThat(afterWrite.get("submit") - before.get("submit")).as("one write per mirror on submit")
        .isEqualTo(2);
    assertThat(afterWrite.get("endio-write") - before.get("endio-write"))
        .as("completed on endio-write").isGreaterThanOrEqualTo(2);

    m.get(0).corrupt(B, 9);
    assertThat(v.read(B, sums, 0).get(10, SECONDS)).isEqualTo(blocks(1, 3));
    Map<String, Long> afterRead = queued(q);
    assertThat(afterRead.get("submit") - afterWrite.get("submit")).isEqualTo(1);
    assertThat(afterRead.get("endio") - afterWrite.get("endio")).as("verified on endio")
        .isEqualTo(1);
    assertThat(afterRead.get("endio-repair") - afterWrite.get("endio-repair"))
        .as("repaired on endio-repair").isEqualTo(1);
  }

  private static Map<String, Long> queued(StorageQueues q) {
    Map<String, Long> m = new java.util.HashMap<>();
    q.stats().forEach((name, s) -> m.put(name, s.normal().queue().queued()));
    return m;
  }

  @Test
  void daggerProvidesStorageQueuesAndAVolumeFromADevicesAndOptionsModule() throws Exception {
    List<BlockDevice> devices = List.of(new MemoryBlockDevice(8), new MemoryBlockDevice(8));
    BlockLayerComponent c = DaggerBlockLayerComponent.builder()
        .blockLayerModule(new BlockLayerModule(devices,
            new VolumeOptions(ChecksumType.XXH64, 5, Map.of("endio", 1))))
        .build();
    StorageQueues queues = closing(c.queues());
    MirroredVolume v = closing(c.volume());
    assertThat(c.queues()).isSameAs(queues);
    assertThat(c.volume()).isSameAs(v);
    assertThat(queues.stats().get("endio").normal().limitActive()).isEqualTo(1);
    ByteBuffer data = blocks(2, 1);
    List<Checksum> sums = v.write(0, data).get(10, SECONDS);
    assertThat(sums).extracting(Checksum::type).containsOnly(ChecksumType.XXH64);
    assertThat(v.read(0, sums).get(10, SECONDS)).isEqualTo(data);
    assertThat(v.mirrors()).isEqualTo(2);
  }
}
