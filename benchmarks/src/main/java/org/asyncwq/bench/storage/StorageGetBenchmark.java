package org.asyncwq.bench.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
 * Verified gets with the data in the page cache, so the CPU side shows: {@code objects} objects
 * (default 64) of {@code size} bytes are put first, then each get reads a random one whole into the caller's
 * buffer (the store verifies every block's checksum, RocksDB its table blocks' checksums, raw reads
 * verify nothing). 1 or 4 readers. Score: gets per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StorageGetBenchmark {
  @Param({"ASYNCWQ", "JDK_EXECUTORS", "RAW_FILECHANNEL", "ROCKSDB"})
  public StorageContender contender;

  @Param({"4096", "65536", "1048576"})
  public int size;

  @Param({"64"})
  public int objects;

  private Path dir;
  private Subject subject;

  /** One reader's buffer and random slots. */
  @State(Scope.Thread)
  public static class Reader {
    byte[] buffer;
    final SplittableRandom random = new SplittableRandom();

    @Setup(Level.Trial)
    public void allocate(StorageGetBenchmark b) {
      buffer = new byte[b.size];
    }
  }

  @Setup(Level.Trial)
  public void load() throws IOException {
    dir = BenchDirectory.create("get");
    subject = Subject.open(contender, dir, size);
    byte[] data = new byte[size];
    for (int s = 0; s < objects; s++) {
      new SplittableRandom(s).nextBytes(data);
      subject.put(s, data);
    }
    subject.loaded();
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    try {
      subject.close();
    } finally {
      BenchDirectory.delete(dir);
    }
  }

  private int get(Reader r) throws IOException {
    int n = subject.get(r.random.nextInt(objects), r.buffer);
    if (n != size) {
      throw new IllegalStateException(contender + " returned " + n + " bytes, not " + size);
    }
    return n;
  }

  @Benchmark
  @Threads(1)
  public int oneReader(Reader r) throws IOException {
    return get(r);
  }

  @Benchmark
  @Threads(4)
  public int fourReaders(Reader r) throws IOException {
    return get(r);
  }
}
