package org.asyncwq.bench.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.ScrubReport;
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

/**
 * Scrub of a 2-mirror store holding {@code objects} objects of 1 MiB (every copy of every block
 * read and verified) against a raw read of both files holding the same bytes, page cache warm.
 * Score: scrubs per second (the same bytes per operation for every contender). Each operation
 * checks it covered them: the raw side every byte of both files, the scrub at least every data
 * block (it also reads the metadata blocks, on both mirrors).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StorageScrubBenchmark {
  static final int OBJECT = 1 << 20;

  @Param({"ASYNCWQ", "JDK_EXECUTORS", "RAW_FILECHANNEL"})
  public StorageContender contender;

  @Param({"64"})
  public int objects;

  private Path dir;
  private Subject subject;
  private final ByteBuffer buffer = ByteBuffer.allocateDirect(OBJECT);
  private FileChannel[] raw;

  @Setup(Level.Trial)
  public void load() throws IOException {
    dir = BenchDirectory.create("scrub");
    subject = Subject.open(contender, dir, OBJECT);
    byte[] data = new byte[OBJECT];
    for (int s = 0; s < objects; s++) {
      new SplittableRandom(s).nextBytes(data);
      subject.put(s, data);
    }
    if (contender == StorageContender.RAW_FILECHANNEL) {
      raw = new FileChannel[] {
        FileChannel.open(dir.resolve("raw-0.bin"), StandardOpenOption.READ),
        FileChannel.open(dir.resolve("raw-1.bin"), StandardOpenOption.READ)
      };
    }
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    try {
      if (raw != null) {
        for (FileChannel f : raw) {
          f.close();
        }
      }
      subject.close();
    } finally {
      BenchDirectory.delete(dir);
    }
  }

  @Benchmark
  public long scrub() throws IOException, InterruptedException, ExecutionException {
    if (raw == null) {
      ScrubReport r = ((StoreSubject) subject).store().scrub((done, total) -> {}).get();
      if (r.uncorrectable() != 0 || r.csumErrors() != 0) {
        throw new IllegalStateException("scrub found damage: " + r);
      }
      if (r.blocks() < (long) objects * OBJECT / BlockDevice.BLOCK_SIZE) {
        throw new IllegalStateException("scrub covered " + r.blocks() + " blocks, fewer than the "
            + objects + " objects' data");
      }
      return r.blocks();
    }
    long bytes = 0;
    for (FileChannel f : raw) {
      long at = 0;
      int n;
      while ((n = f.read(buffer.clear(), at)) > 0) {
        at += n;
      }
      bytes += at;
    }
    // The raw side reads every byte of both mirrors' files, as the scrub reads every copy.
    if (bytes != 2L * objects * OBJECT) {
      throw new IllegalStateException("raw read " + bytes + " bytes, not both files' "
          + 2L * objects * OBJECT);
    }
    return bytes;
  }
}
