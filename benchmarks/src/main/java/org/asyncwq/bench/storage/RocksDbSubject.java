package org.asyncwq.bench.storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
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

  private final Options options;
  private final RocksDB db;
  private final WriteOptions sync;

  RocksDbSubject(Path dir) throws IOException {
    this.options = new Options().setCreateIfMissing(true);
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

  @Override
  public void close() {
    sync.close();
    db.close();
    options.close();
  }
}
