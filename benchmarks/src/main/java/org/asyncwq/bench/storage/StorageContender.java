package org.asyncwq.bench.storage;

/**
 * The contenders of the storage benchmarks; the first is asyncwq's, every ratio is against it.
 *
 * <ul>
 *   <li>{@code ASYNCWQ}: the store, 2 mirrors, CRC32C, on its asyncwq queues;
 *   <li>{@code JDK_EXECUTORS}: the same store with every storage queue on a fixed
 *       ThreadPoolExecutor of the same size ({@code JdkExecutorQueuesModule});
 *   <li>{@code RAW_FILECHANNEL}: the same bytes written to 2 files with positional writes and
 *       {@code force(false)} on both before a put returns; read from one;
 *   <li>{@code ROCKSDB}: RocksDB (rocksdbjni), sync writes, default block checksums.
 * </ul>
 */
public enum StorageContender {
  ASYNCWQ,
  JDK_EXECUTORS,
  RAW_FILECHANNEL,
  ROCKSDB
}
