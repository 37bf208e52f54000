package org.asyncwq.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.asyncwq.storage.Store;
import org.asyncwq.storage.StoreOptions;
import org.asyncwq.storage.StoreStats;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.DeviceStats;
import org.asyncwq.storage.block.FileBlockDevice;
import org.asyncwq.storage.block.ScrubListener;
import org.asyncwq.storage.block.ScrubReport;
import picocli.CommandLine.Command;

/**
 * {@code demo}: the store's whole story in nine steps on real device files, each printed as one
 * line saying what happened and why it matters. Runs in a new temporary store (removed at the
 * end) unless {@code --store DIR} names a new or empty directory, where the store is left to explore.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Show what the store does, on real device files: make a two-mirror store, put a few",
      "generated files, corrupt one copy of a block and read it back byte-identical, scrub,",
      "destroy a whole mirror and replace it, and end with stat. Uses a new temporary store,",
      "or --store DIR (a new or empty directory, left in place afterwards)."
    })
final class DemoCommand extends StoreCommand {
  private static final int STEPS = 9;
  private static final long DEVICE_SIZE = 64L << 20;
  private static final Map<String, Long> FILES = new LinkedHashMap<>();

  static {
    FILES.put("reports/q3.csv", 300L << 10);
    FILES.put("photos/cat.raw", 2L << 20);
    FILES.put("logs/app.log", (1L << 20) + 123);
  }

  private final List<Step> steps = new ArrayList<>();
  private final Map<String, byte[]> digests = new LinkedHashMap<>();

  /** One step: what was done, what happened, and why it matters. */
  record Step(int step, String command, String happened, String why) {
    String line() {
      return String.format("[%d/%d] %-8s %s; %s", step, STEPS, command, happened, why);
    }
  }

  @Override
  ExitStatus execute() throws Exception {
    boolean temporary = !storeNamed();
    Path dir = temporary
        ? Files.createTempDirectory("asyncwq-demo-")
        : storeDirectory().path();
    StoreDirectory directory = new StoreDirectory(dir, output());
    if (!temporary && !directory.isVacant()) {
      throw new CommandFailure(ExitStatus.FAILED, "the demo makes a new store, and " + dir
          + " is not empty; name a new directory with --store, or none for a temporary one");
    }
    output().say("asyncwq demo: a 2-mirror store in " + dir + (temporary ? " (temporary)" : "")
        + ", real IO on real device files");
    StoreStats finalStats;
    try {
      mkfsAndPut(directory);
      String victim = "photos/cat.raw";
      long offset = (1L << 20) + 100;
      corrupt(directory, victim, offset);
      try (StoreSession session = directory.open()) {
        readBack(session, victim);
        scrub(directory, session);
      }
      damageMirror(directory);
      try (StoreSession session = directory.open()) {
        replace(directory, session);
        finalStats = session.stats();
      }
      step("stat", "mirrors " + finalStats.devices().stream().map(d -> d.mirror() + " " + d.state())
              .reduce((a, b) -> a + ", " + b).orElse("none") + "; " + finalStats.volume().corrected()
              + " copies corrected in all, " + finalStats.volume().uncorrectable() + " uncorrectable",
          "the full report follows, as 'asyncwq stat' prints it");
      StoreHealth health = StoreHealth.of(dir, finalStats, null);
      output().result(new DemoResult(dir.toString(), temporary, steps, health), out -> health.print(out));
      output().say(temporary ? "the temporary store is removed; keep one with 'asyncwq demo --store DIR'"
          : "the store is left in " + dir + "; try 'asyncwq --store " + dir + " ls -l'");
    } finally {
      if (temporary) {
        deleteTree(dir);
      }
    }
    return ExitStatus.OK;
  }

  private boolean storeNamed() {
    return spec.commandLine().getParseResult().hasMatchedOption("--store")
        || root.spec.commandLine().getParseResult().hasMatchedOption("--store");
  }

  private void step(String command, String happened, String why) {
    Step step = new Step(steps.size() + 1, command, happened, why);
    steps.add(step);
    output().say(step.line());
  }

  private void mkfsAndPut(StoreDirectory directory) throws IOException {
    try (StoreSession session =
        directory.create(StoreOptions.builder().mirrors(2).deviceSize(DEVICE_SIZE).build())) {
      step("mkfs", "made 2 mirrors, mirror-0.img and mirror-1.img (" + ByteSize.format(DEVICE_SIZE)
              + " sparse files)", "every block is written to both, so either copy can be lost");
      long total = 0;
      for (Map.Entry<String, Long> file : FILES.entrySet()) {
        MessageDigest sha = sha256();
        try (InputStream in = generated(file.getKey().hashCode(), file.getValue(), sha)) {
          session.store().put(file.getKey(), in);
        }
        digests.put(file.getKey(), sha.digest());
        total += file.getValue();
      }
      step("put", "stored " + FILES.size() + " generated files (" + ByteSize.format(total) + ": "
              + String.join(", ", FILES.keySet()) + ")",
          "each 4 KiB block's checksum is kept in the metadata, never next to the data it protects");
    }
  }

  /** Damages the copy the next read of the block will use, exactly as {@code corrupt} does. */
  private void corrupt(StoreDirectory directory, String victim, long offset) throws IOException {
    int mirror = MirrorProbe.nextReadMirror(directory, victim, offset);
    long block;
    try (StoreSession session = directory.open()) {
      block = session.store().locate(victim, offset).get(mirror).block();
    }
    CorruptCommand.flip(directory.deviceFile(mirror), block * BlockDevice.BLOCK_SIZE + offset % BlockDevice.BLOCK_SIZE);
    step("corrupt", "flipped one byte of block " + block + " (" + victim + ", offset " + offset
            + ") on mirror " + mirror + ", the copy the next read uses, as a failing disk would",
        "nothing has noticed yet");
  }

  private void readBack(StoreSession session, String victim) throws IOException {
    verify(session.store(), victim);
    StoreStats stats = session.stats();
    if (stats.volume().corrected() < 1) {
      throw new CommandFailure(ExitStatus.FAILED, "the demo read " + victim + " back but the store"
          + " counted no correction; the damaged block was not repaired");
    }
    step("get", "read " + victim + " back byte-identical (sha256 matches): the bad copy failed its"
            + " checksum, the good one was returned and the bad one repaired",
        "wrong bytes are never returned, and the bad copy is fixed in passing");
    step("stat", "corrected " + stats.volume().corrected() + ", corruption_errs "
            + stats.devices().stream().map(d -> "mirror " + d.mirror() + " " + d.corruptionErrors())
                .reduce((a, b) -> a + ", " + b).orElse("")
            + ", uncorrectable " + stats.volume().uncorrectable(),
        "counted like btrfs device stats, so a disk going bad shows before data is lost");
  }

  private void scrub(StoreDirectory directory, StoreSession session) throws Exception {
    String quiet = "reports/q3.csv";
    long block = session.store().locate(quiet, 8192).get(1).block();
    CorruptCommand.flip(directory.deviceFile(1), block * BlockDevice.BLOCK_SIZE + 8192 % BlockDevice.BLOCK_SIZE);
    ScrubReport report = session.store().scrub(ScrubListener.NONE).get();
    if (report.corrected() < 1 || report.uncorrectable() > 0) {
      throw new CommandFailure(ExitStatus.FAILED, "the demo's scrub did not repair the block it damaged: "
          + ScrubSummary.of(report).line());
    }
    step("scrub", "damaged block " + block + " of " + quiet + " on mirror 1, which nothing reads, then "
            + ScrubSummary.of(report).line() + ": it was repaired",
        "scrub finds damage in data nobody reads before the other copy is needed");
  }

  private void damageMirror(StoreDirectory directory) throws IOException {
    byte[] noise = new byte[1 << 20];
    new SplittableRandom(7).nextBytes(noise);
    try (FileChannel channel = FileChannel.open(directory.deviceFile(1), StandardOpenOption.WRITE)) {
      for (long position = 0; position < DEVICE_SIZE; position += noise.length) {
        ByteBuffer buffer = ByteBuffer.wrap(noise);
        while (buffer.hasRemaining()) {
          channel.write(buffer, position + buffer.position());
        }
      }
      channel.force(false);
    }
    step("damage", "closed the store and overwrote all of mirror-1.img with random bytes,"
            + " superblocks included", "a dead disk");
  }

  private void replace(StoreDirectory directory, StoreSession session) throws Exception {
    Path fresh = directory.path().resolve("mirror-1.new.img");
    BlockDevice replacement = FileBlockDevice.create(fresh, DEVICE_SIZE / BlockDevice.BLOCK_SIZE);
    session.store().replace(1, replacement, ScrubListener.NONE);
    session.replaced(1);
    Files.move(fresh, directory.deviceFile(1), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    for (String name : FILES.keySet()) {
      verify(session.store(), name);
    }
    ScrubReport report = session.store().scrub(ScrubListener.NONE).get();
    if (report.csumErrors() + report.readErrors() + report.uncorrectable() > 0) {
      throw new CommandFailure(ExitStatus.FAILED, "after the replace a scrub still found errors: "
          + ScrubSummary.of(report).line());
    }
    step("replace", "the store opened from mirror 0 alone; replaced mirror 1 by a new device,"
            + " resilvered from mirror 0 with every block verified; all " + FILES.size()
            + " files read back byte-identical and a scrub finds 0 errors",
        "a lost disk costs no data, and the store stayed usable while it was rebuilt");
  }

  private void verify(Store store, String name) throws IOException {
    MessageDigest sha = sha256();
    try (OutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), sha)) {
      GetCommand.read(store, name, out);
    }
    if (!MessageDigest.isEqual(sha.digest(), digests.get(name))) {
      throw new CommandFailure(ExitStatus.FAILED, "the demo read " + name + " back and its bytes differ"
          + " from what it stored (sha256 " + HexFormat.of().formatHex(sha.digest()) + ")");
    }
  }

  /** {@code size} reproducible pseudo-random bytes, hashed into {@code sha} as they are read. */
  private static InputStream generated(long seed, long size, MessageDigest sha) {
    SplittableRandom random = new SplittableRandom(seed);
    return new InputStream() {
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
        byte[] chunk = new byte[n];
        random.nextBytes(chunk);
        System.arraycopy(chunk, 0, b, off, n);
        sha.update(chunk);
        left -= n;
        return n;
      }
    };
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has SHA-256", e);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  record DemoResult(String store, boolean temporary, List<Step> steps, StoreHealth stat) {}
}
