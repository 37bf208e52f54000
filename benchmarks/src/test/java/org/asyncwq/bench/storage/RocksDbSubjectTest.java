package org.asyncwq.bench.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.TickerType;

/**
 * The RocksDB peer is set up as issue 13 asks, told by RocksDB's own counters: sync writes (every
 * put syncs the write-ahead log before it returns) and its default block checksums (a value read
 * from a table file has its block checksum verified).
 */
class RocksDbSubjectTest {
  private static final int VALUE = 64 * 1024;
  private static final int SLOTS = 8;

  @TempDir Path dir;

  @Test
  void everyPutSyncsTheWalAndAGetFromTheTableFilesVerifiesBlockChecksums() throws Exception {
    try (RocksDbSubject db = RocksDbSubject.withStatistics(dir)) {
      byte[] data = new byte[VALUE];
      long synced = db.ticker(TickerType.WAL_FILE_SYNCED);
      for (int s = 0; s < SLOTS; s++) {
        new SplittableRandom(s).nextBytes(data);
        db.put(s, data);
        assertThat(db.ticker(TickerType.WAL_FILE_SYNCED)).as("WAL syncs after put %d", s + 1)
            .isEqualTo(synced + s + 1);
      }
      db.loaded(); // memtable flushed: the values are in a table file now
      long checksums = db.ticker(TickerType.BLOCK_CHECKSUM_COMPUTE_COUNT);
      byte[] into = new byte[VALUE];
      byte[] expected = new byte[VALUE];
      for (int s = 0; s < SLOTS; s++) {
        assertThat(db.get(s, into)).isEqualTo(VALUE);
        new SplittableRandom(s).nextBytes(expected);
        assertThat(into).isEqualTo(expected);
      }
      assertThat(db.ticker(TickerType.MEMTABLE_HIT)).isZero();
      assertThat(db.ticker(TickerType.BLOCK_CHECKSUM_COMPUTE_COUNT)).isGreaterThan(checksums);
    }
  }
}
