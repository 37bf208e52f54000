package org.asyncwq.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.asyncwq.storage.Store;
import org.asyncwq.storage.StoreOptions;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.DeviceState;
import org.asyncwq.storage.block.ScrubReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench}: how fast this store puts, gets and scrubs, against plain positional
 * {@code FileChannel} IO of the same bytes on the same file system.
 *
 * <p>The raw baseline does what the store must do at least: put writes the bytes to one file per
 * mirror and forces them; get reads one copy; scrub reads every mirror's copy. The store's figure
 * includes checksums, metadata and commits. Both read from the page cache when it holds the data,
 * so the ratio compares the software paths more than the disk. Short by design: the storage
 * benchmarks measure it properly.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Measure put, get and scrub throughput of this store against raw file IO of the same bytes"
          + " on the same disk, and print the figures, the ratios and the command that"
          + " reproduces them.",
      "Uses a temporary object and raw files beside the device files, removed afterwards (also"
          + " those an interrupted bench left).",
      "With no store at --store it benchmarks a temporary store made there with the defaults,"
          + " and removes it afterwards."
    })
final class BenchCommand extends StoreCommand {
  private static final String OBJECT = ".asyncwq-bench";
  private static final int CHUNK = 1 << 20;
  /**
   * Each read phase runs this many times and keeps its fastest pass, so that one pass slowed by
   * a cold start (code not compiled yet, a page not cached yet, another process) does not
   * decide the figure; the put runs once, as it fills the disk.
   */
  static final int READ_PASSES = 3;

  @Option(
      names = "--size",
      paramLabel = "SIZE",
      converter = ByteSize.class,
      description = "Bytes to write and read (default 64M).")
  long size = 64L << 20;

  @Override
  ExitStatus execute() throws Exception {
    if (size < 4096) {
      throw new IllegalArgumentException(
          "--size must be at least 4K, got " + ByteSize.format(size));
    }
    StoreDirectory directory = storeDirectory();
    boolean temporary = directory.isVacant();
    boolean madeDirectory = !Files.exists(directory.path(), LinkOption.NOFOLLOW_LINKS);
    if (temporary) {
      checkRoom(directory.path(), size, temporaryOptions(size).mirrors()); // before making it
      output().say("no store at " + directory.path() + ": benchmarking a temporary store made"
          + " there, removed afterwards");
    }
    try {
      BenchResult result = run(directory, temporary);
      output().result(result, out -> result.print(out));
    } finally {
      if (temporary) {
        removeTemporaryStore(directory.path(), madeDirectory);
      }
    }
    return ExitStatus.OK;
  }

  private BenchResult run(StoreDirectory directory, boolean temporary) throws Exception {
    byte[] pattern = new byte[CHUNK];
    new SplittableRandom(42).nextBytes(pattern);
    try (StoreSession session = temporary
        ? directory.create(temporaryOptions(size)) : directory.open()) {
      Store store = session.store();
      int mirrors = store.deviceStats().size();
      if (!temporary) {
        checkRoom(directory.path(), size, mirrors); // a temporary store's was checked before
      }
      store.delete(OBJECT); // left by an interrupted bench
      List<Path> rawFiles = new ArrayList<>();
      for (int i = 0; i < mirrors; i++) {
        rawFiles.add(directory.path().resolve(".bench-raw-" + i + ".tmp"));
      }
      for (Path raw : rawFiles) {
        Files.deleteIfExists(raw); // left by an interrupted bench
      }
      try {
        double rawWrite = mibPerSecond(size, () -> rawWrite(rawFiles, pattern));
        double storePut = mibPerSecond(size, () -> {
          try (Progress progress = Progress.start(output(), "bench put", size, true)) {
            store.put(OBJECT, progress.counting(new PatternStream(pattern, size)));
            progress.complete();
          }
        });
        double rawRead =
            fastest(() -> mibPerSecond(size, () -> rawRead(rawFiles.subList(0, 1))));
        double storeGet = fastest(() -> mibPerSecond(size, () -> {
          try (Progress progress = Progress.start(output(), "bench get", size, true)) {
            store.get(OBJECT, progress.counting(OutputStream.nullOutputStream()));
            progress.complete();
          }
        }));
        double rawScrub = fastest(() -> mibPerSecond(size * mirrors, () -> rawRead(rawFiles)));
        double storeScrub = fastest(() -> {
          long scrubStart = System.nanoTime();
          ScrubReport scrub;
          try (Progress progress = Progress.start(output(), "bench scrub", 0, false)) {
            scrub = store.scrub(progress::update).get();
            progress.complete();
          }
          return scrubMiBps(scrub.blocks(), healthy(store),
              (System.nanoTime() - scrubStart) / 1e9);
        });
        return new BenchResult(
            directory.path().toString(), temporary, size, mirrors,
            Figure.of(storePut, rawWrite, "write " + mirrors + " files + force"),
            Figure.of(storeGet, rawRead, "read 1 file"),
            Figure.of(storeScrub, rawScrub, "read " + mirrors + " files"),
            reproduce(directory.path()));
      } finally {
        store.delete(OBJECT);
        for (Path raw : rawFiles) {
          Files.deleteIfExists(raw);
        }
      }
    }
  }

  /**
   * Refuses a size the disk cannot hold before anything is written: the raw files ({@code size}
   * per mirror) and the object (as much again, when the devices share the disk) must fit in the
   * space free at {@code dir} (or its nearest existing parent).
   */
  static void checkRoom(Path dir, long size, int mirrors) throws IOException {
    Path at = dir.toAbsolutePath();
    while (at != null && !Files.exists(at)) {
      at = at.getParent();
    }
    if (at == null) {
      return;
    }
    long free = Files.getFileStore(at).getUsableSpace();
    long needed = size > Long.MAX_VALUE / (2L * mirrors) ? Long.MAX_VALUE : 2L * mirrors * size;
    if (needed > free) {
      throw new CommandFailure(ExitStatus.FAILED, "--size " + ByteSize.format(size)
          + " needs about " + ByteSize.format(needed) + " free at " + at + " (raw files and the"
          + " object on " + mirrors + " mirrors), but " + ByteSize.format(free)
          + " is free: give a smaller --size");
    }
  }

  /**
   * The defaults, with devices large enough for an object of {@code size} bytes (sparse files, so
   * the unused part costs no disk space).
   */
  static StoreOptions temporaryOptions(long size) {
    long defaults = StoreOptions.builder().build().deviceSize();
    long needed = (size + size / 8 + (64L << 20) + BlockDevice.BLOCK_SIZE - 1)
        / BlockDevice.BLOCK_SIZE * BlockDevice.BLOCK_SIZE;
    return StoreOptions.builder().deviceSize(Math.max(defaults, needed)).build();
  }

  /**
   * Removes the temporary store: everything in its directory (which was missing or empty when the
   * bench began, and was locked by it since), and the directory itself if the bench made it.
   */
  private static void removeTemporaryStore(Path dir, boolean madeDirectory) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        if (madeDirectory || !p.equals(dir)) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private String reproduce(Path store) {
    String sizeText = size % (1 << 20) == 0 ? (size >> 20) + "M"
        : size % 1024 == 0 ? (size >> 10) + "K" : String.valueOf(size);
    return "asyncwq --store " + store + " bench --size " + sizeText;
  }

  /**
   * A scrub's throughput in the raw read's unit, bytes read per second: {@link ScrubReport#blocks}
   * counts each block once, and a scrub reads and verifies it on every healthy mirror, as the raw
   * baseline reads every mirror's file.
   */
  static double scrubMiBps(long blocks, int copies, double seconds) {
    return blocks * (double) BlockDevice.BLOCK_SIZE * copies / (1 << 20) / Math.max(1e-9, seconds);
  }

  private static int healthy(Store store) {
    return (int) store.deviceStats().stream()
        .filter(d -> d.state() == DeviceState.HEALTHY).count();
  }

  private interface Timed {
    void run() throws Exception;
  }

  private static double mibPerSecond(long bytes, Timed work) throws Exception {
    long start = System.nanoTime();
    work.run();
    double seconds = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
    return bytes / (double) (1 << 20) / seconds;
  }

  /** One timed pass of a phase, returning its MiB/s. */
  private interface Pass {
    double mibPerSecond() throws Exception;
  }

  /** The fastest of {@link #READ_PASSES} passes, in MiB/s. */
  private static double fastest(Pass pass) throws Exception {
    double best = 0;
    for (int i = 0; i < READ_PASSES; i++) {
      best = Math.max(best, pass.mibPerSecond());
    }
    return best;
  }

  /** The least a mirrored put must do: the bytes to every mirror's file, then force each. */
  private void rawWrite(List<Path> files, byte[] pattern) throws IOException {
    List<FileChannel> channels = new ArrayList<>();
    try {
      for (Path file : files) {
        channels.add(FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
      }
      for (long position = 0; position < size; position += CHUNK) {
        int n = (int) Math.min(CHUNK, size - position);
        for (FileChannel channel : channels) {
          ByteBuffer buffer = ByteBuffer.wrap(pattern, 0, n);
          while (buffer.hasRemaining()) {
            channel.write(buffer, position + n - buffer.remaining());
          }
        }
      }
      for (FileChannel channel : channels) {
        channel.force(false);
      }
    } finally {
      for (FileChannel channel : channels) {
        channel.close();
      }
    }
  }

  private static void rawRead(List<Path> files) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
    for (Path file : files) {
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
        long position = 0;
        int n;
        while ((n = channel.read(buffer.clear(), position)) > 0) {
          position += n;
        }
      }
    }
  }

  /** {@code size} bytes repeating {@code pattern}, generated as read. */
  private static final class PatternStream extends InputStream {
    private final byte[] pattern;
    private long left;

    PatternStream(byte[] pattern, long size) {
      this.pattern = pattern;
      this.left = size;
    }

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
      int n = (int) Math.min(Math.min(len, left), pattern.length);
      System.arraycopy(pattern, 0, b, off, n);
      left -= n;
      return n;
    }
  }

  /** One phase: the store's throughput, the raw baseline's, and store / raw. */
  record Figure(double storeMiBps, double rawMiBps, double ratio, String raw) {
    static Figure of(double storeMiBps, double rawMiBps, String raw) {
      return new Figure(storeMiBps, rawMiBps, storeMiBps / rawMiBps, raw);
    }
  }

  record BenchResult(String store, boolean temporary, long bytes, int mirrors, Figure put,
      Figure get, Figure scrub, String reproduce) {
    void print(java.io.PrintStream out) {
      out.println("bench: " + ByteSize.format(bytes) + " on " + mirrors + " mirrors in " + store
          + (temporary ? " (a temporary store, now removed)" : ""));
      out.println("  the store against raw positional FileChannel IO of the same bytes on the same"
          + " file system, in MiB/s (higher is better); reads come mostly from the page cache,"
          + " and each read figure is the fastest of " + READ_PASSES + " passes");
      line(out, "put", put);
      line(out, "get", get);
      line(out, "scrub", scrub);
      out.println("reproduce: " + reproduce);
    }

    private static void line(java.io.PrintStream out, String phase, Figure f) {
      out.println(String.format(Locale.ROOT,
          "%-6s store %9.1f MiB/s   raw %9.1f MiB/s %-29s ratio %.2f (store/raw)", phase,
          f.storeMiBps(), f.rawMiBps(), "(" + f.raw() + ")", f.ratio()));
    }
  }
}
