package org.asyncwq.bench.storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Statistics;
import org.rocksdb.TickerType;
import org.rocksdb.WriteOptions;

/**
 * The embedded-store peer: RocksDB with its defaults (block-based table, default block checksums,
 * which every read verifies) and sync writes ({@code WriteOptions.setSync(true)}: the WAL is synced
 * before a put returns). Closed in the order RocksDB asks: write options, the database, options.
 */
final class RocksDbSubject implements Subject {
  static {
    RocksDB.loadLibrary();
  }

  /** The counters {@link #counters()} reads: where a get's value came from and what it cost. */
  static final List<TickerType> TICKERS = List.of(TickerType.BLOCK_CACHE_DATA_HIT,
      TickerType.BLOCK_CACHE_DATA_MISS, TickerType.BLOCK_CACHE_HIT, TickerType.BLOCK_CACHE_MISS,
      TickerType.MEMTABLE_HIT, TickerType.MEMTABLE_MISS, TickerType.GET_HIT_L0,
      TickerType.GET_HIT_L1, TickerType.GET_HIT_L2_AND_UP, TickerType.BLOCK_CHECKSUM_COMPUTE_COUNT,
      TickerType.BYTES_READ, TickerType.BLOCK_CACHE_BYTES_READ, TickerType.LAST_LEVEL_READ_BYTES,
      TickerType.LAST_LEVEL_READ_COUNT, TickerType.NON_LAST_LEVEL_READ_BYTES,
      TickerType.NON_LAST_LEVEL_READ_COUNT);

  private final Options options;
  private final RocksDB db;
  private final WriteOptions sync;
  /** RocksDB's own counters, for {@link GetProbe} only (null in the benchmarks: they cost). */
  private final Statistics statistics;

  RocksDbSubject(Path dir) throws IOException {
    this(dir, null);
  }

  /** A subject that keeps RocksDB's statistics, for {@link #counters()}. */
  static RocksDbSubject withStatistics(Path dir) throws IOException {
    return new RocksDbSubject(dir, new Statistics());
  }

  private RocksDbSubject(Path dir, Statistics statistics) throws IOException {
    this.statistics = statistics;
    this.options = new Options().setCreateIfMissing(true);
    if (statistics != null) {
      options.setStatistics(statistics);
    }
    try {
      this.db = RocksDB.open(options, dir.toString());
    } catch (RocksDBException e) {
      options.close();
      throw new IOException("RocksDB open of " + dir + " failed: " + e.getMessage(), e);
    }
    this.sync = new WriteOptions().setSync(true);
  }

  private static byte[] key(int slot) {
    return ("o" + slot).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void put(int slot, byte[] data) throws IOException {
    try {
      db.put(sync, key(slot), data);
    } catch (RocksDBException e) {
      throw new IOException("RocksDB put failed: " + e.getMessage(), e);
    }
  }

  @Override
  public int get(int slot, byte[] into) throws IOException {
    try {
      int n = db.get(key(slot), into);
      if (n == RocksDB.NOT_FOUND) {
        throw new IOException("RocksDB has no slot " + slot);
      }
      return n;
    } catch (RocksDBException e) {
      throw new IOException("RocksDB get failed: " + e.getMessage(), e);
    }
  }

  /** Flushes the memtable, so gets read checksummed table blocks as they would at rest. */
  @Override
  public void loaded() throws IOException {
    try (FlushOptions wait = new FlushOptions().setWaitForFlush(true)) {
      db.flush(wait);
    } catch (RocksDBException e) {
      throw new IOException("RocksDB flush failed: " + e.getMessage(), e);
    }
  }

  /** The values of {@link #TICKERS} now (needs {@link #withStatistics}). */
  long[] counters() {
    long[] v = new long[TICKERS.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = statistics.getTickerCount(TICKERS.get(i));
    }
    return v;
  }

  /** One of RocksDB's counters now (needs {@link #withStatistics}). */
  long ticker(TickerType t) {
    return statistics.getTickerCount(t);
  }

  /** The block cache's capacity and use, the memtables' size and the table files per level. */
  String cacheProperties() {
    StringBuilder b = new StringBuilder();
    for (String p : List.of("rocksdb.block-cache-capacity", "rocksdb.block-cache-usage",
        "rocksdb.cur-size-all-mem-tables", "rocksdb.num-files-at-level0",
        "rocksdb.num-files-at-level1", "rocksdb.total-sst-files-size")) {
      try {
        b.append(p).append('=').append(db.getProperty(p)).append(' ');
      } catch (RocksDBException e) {
        b.append(p).append(": ").append(e.getMessage()).append(' ');
      }
    }
    return b.toString().trim();
  }

  @Override
  public void close() {
    sync.close();
    db.close();
    options.close();
    if (statistics != null) {
      statistics.close();
    }
  }
}
