package org.asyncwq.examples.readme;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The README's storage-engine and object-store examples run as shown and do what it says. */
@Timeout(120)
class StorageReadmeExamplesTest {
  @TempDir Path tmp;

  @Test
  void blockLayerExampleReturnsTheOriginalBytesAndCountsOneRepair() throws Exception {
    BlockLayerExample.Outcome o = new BlockLayerExample().run(tmp);
    assertThat(o.readBack()).isEqualTo(o.written().rewind());
    assertThat(o.corrected()).isEqualTo(1);
    assertThat(o.corruption()).isEqualTo(1);
  }

  @Test
  void storeExampleReadsBackScrubsCleanAndDeletes() throws Exception {
    byte[] cat = new byte[50_000];
    new Random(1).nextBytes(cat);
    byte[] backup = new byte[200_000];
    new Random(2).nextBytes(backup);
    Path backupFile = Files.write(tmp.resolve("backup.tar"), backup);
    StoreExample.Outcome o = new StoreExample().run(tmp.resolve("store"), cat, backupFile);
    assertThat(o.cat()).isEqualTo(cat);
    assertThat(o.report().csumErrors()).isZero();
    assertThat(o.checkOk()).isTrue();
    assertThat(o.names()).containsExactly("photos/cat.jpg");
  }
}
