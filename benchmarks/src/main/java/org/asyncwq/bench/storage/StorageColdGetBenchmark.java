package org.asyncwq.bench.storage;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.asyncwq.storage.Store;
import org.asyncwq.storage.StoreOptions;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.FileBlockDevice;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Cold gets: the data is read with O_DIRECT, so every get goes to the disk, not the page cache.
 * {@code objects} objects of {@code size} bytes are written first; ASYNCWQ then reopens the store on
 * {@link FileBlockDevice#openDirectReads} devices (its tree pages stay in the store's own cache,
 * as a running store's would; its data blocks are read from the disk and verified), and
 * RAW_FILECHANNEL reads the same bytes from a plain file through a channel opened with {@code
 * ExtendedOpenOption.DIRECT} into an aligned buffer, copied to the caller's array. One reader.
 * Score: gets per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StorageColdGetBenchmark {
  @Param({"ASYNCWQ", "RAW_FILECHANNEL"})
  public StorageContender contender;

  @Param({"4096", "65536", "1048576"})
  public int size;

  @Param({"64"})
  public int objects;

  private Path dir;
  private Store store;
  private FileChannel raw;
  private ByteBuffer aligned;
  private byte[] buffer;
  private final SplittableRandom random = new SplittableRandom(13);

  @Setup(Level.Trial)
  public void load() throws IOException {
    dir = BenchDirectory.create("coldget");
    buffer = new byte[size];
    byte[] data = new byte[size];
    switch (contender) {
      case ASYNCWQ: {
        try (Store s = Store.create(dir, StoreOptions.builder().mirrors(2)
            .deviceSize(StoreSubject.DEVICE_SIZE).build())) {
          for (int i = 0; i < objects; i++) {
            new SplittableRandom(i).nextBytes(data);
            s.put("o" + i, new ByteArrayInputStream(data));
          }
        }
        List<BlockDevice> devices = new ArrayList<>();
        for (int m = 0; m < 2; m++) {
          devices.add(FileBlockDevice.openDirectReads(dir.resolve("mirror-" + m + ".img")));
        }
        store = Store.open(devices);
        break;
      }
      case RAW_FILECHANNEL: {
        Path f = dir.resolve("raw-0.bin");
        try (FileChannel w = FileChannel.open(f, StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE)) {
          for (int i = 0; i < objects; i++) {
            new SplittableRandom(i).nextBytes(data);
            ByteBuffer b = ByteBuffer.wrap(data);
            while (b.hasRemaining()) {
              w.write(b, (long) i * size + b.position());
            }
          }
          w.force(true);
        }
        raw = FileChannel.open(f, StandardOpenOption.READ,
            com.sun.nio.file.ExtendedOpenOption.DIRECT);
        int align = (int) Files.getFileStore(f).getBlockSize();
        aligned = ByteBuffer.allocateDirect(size + align).alignedSlice(align);
        break;
      }
      default:
        throw new IllegalArgumentException("no cold get for " + contender);
    }
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    try {
      if (store != null) {
        store.close();
      }
      if (raw != null) {
        raw.close();
      }
    } finally {
      BenchDirectory.delete(dir);
    }
  }

  @Benchmark
  @Threads(1)
  public int oneReader() throws IOException {
    int slot = random.nextInt(objects);
    int n;
    if (store != null) {
      n = store.get("o" + slot, ByteBuffer.wrap(buffer));
    } else {
      aligned.clear().limit(size);
      while (aligned.hasRemaining()) {
        if (raw.read(aligned, (long) slot * size + aligned.position()) < 0) {
          break;
        }
      }
      aligned.flip();
      n = aligned.remaining();
      aligned.get(buffer, 0, n);
    }
    if (n != size) {
      throw new IllegalStateException(contender + " returned " + n + " bytes, not " + size);
    }
    return n;
  }
}
