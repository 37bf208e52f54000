package org.asyncwq.bench.storage;

import java.io.IOException;
import java.nio.file.Path;

/**
 * One thing the storage benchmarks put objects into and get them back from: the store on either
 * wiring, raw {@code FileChannel} IO of the same bytes, or RocksDB. Objects live in numbered slots
 * (a put to a used slot replaces it), so a long run reuses the same space. Safe for concurrent
 * puts and gets from several benchmark threads.
 */
interface Subject extends AutoCloseable {
  /** Stores {@code data} in {@code slot}, durable when it returns. */
  void put(int slot, byte[] data) throws IOException;

  /** Reads slot {@code slot} (of {@code size} bytes) into {@code into}; returns the bytes read. */
  int get(int slot, byte[] into) throws IOException;

  /** Called once after the preloading puts, before gets are measured (RocksDB flushes here). */
  default void loaded() throws IOException {}

  @Override
  void close() throws IOException;

  /** Opens {@code contender} on a fresh directory {@code dir}. */
  static Subject open(StorageContender contender, Path dir, int objectSize) throws IOException {
    switch (contender) {
      case ASYNCWQ:
        return new StoreSubject(dir, org.asyncwq.storage.StoreWiring.ASYNCWQ_QUEUES);
      case JDK_EXECUTORS:
        return new StoreSubject(dir, org.asyncwq.storage.StoreWiring.JDK_EXECUTORS);
      case RAW_FILECHANNEL:
        return new RawFileSubject(dir, objectSize);
      case ROCKSDB:
        return new RocksDbSubject(dir);
      default:
        throw new IllegalArgumentException("unknown contender " + contender);
    }
  }
}
