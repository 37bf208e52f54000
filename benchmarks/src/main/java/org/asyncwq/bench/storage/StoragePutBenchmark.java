package org.asyncwq.bench.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * Durable puts of one object size on real files: each put of {@code size} bytes returns once the
 * bytes are durable on both mirrors (the store: its commit; raw: both files forced; RocksDB: its
 * synced WAL). 1 or 4 producers; {@value #SLOTS} slots reused round-robin, so a run overwrites the
 * same space. Score: puts per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StoragePutBenchmark {
  static final int SLOTS = 64;

  @Param({"ASYNCWQ", "JDK_EXECUTORS", "RAW_FILECHANNEL", "ROCKSDB"})
  public StorageContender contender;

  @Param({"4096", "65536", "1048576"})
  public int size;

  private Path dir;
  private Subject subject;
  private byte[] data;
  private final AtomicInteger next = new AtomicInteger();

  @Setup(Level.Trial)
  public void open() throws IOException {
    dir = BenchDirectory.create("put");
    subject = Subject.open(contender, dir, size);
    data = new byte[size];
    new SplittableRandom(size).nextBytes(data);
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    try {
      subject.close();
    } finally {
      BenchDirectory.delete(dir);
    }
  }

  private int slot() {
    return Math.floorMod(next.getAndIncrement(), SLOTS);
  }

  @Benchmark
  @Threads(1)
  public void oneProducer() throws IOException {
    subject.put(slot(), data);
  }

  @Benchmark
  @Threads(4)
  public void fourProducers() throws IOException {
    subject.put(slot(), data);
  }
}
