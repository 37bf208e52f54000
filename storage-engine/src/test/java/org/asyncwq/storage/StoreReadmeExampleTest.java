package org.asyncwq.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.asyncwq.storage.block.ScrubReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The README's object-store example, compiled and run. */
@Timeout(120)
class StoreReadmeExampleTest {
  @TempDir Path tmp;

  @Test
  void readmeExampleRuns() throws Exception {
    Path dir = tmp.resolve("store");
    byte[] bytes = StoreRoundTripTest.random(1, 50_000);
    Path backup = tmp.resolve("backup.tar");
    Files.write(backup, StoreRoundTripTest.random(2, 200_000));
    // --- README example starts (backup.tar's path adapted to the test directory)
    try (Store store = Store.create(dir, StoreOptions.builder()
             .mirrors(2)                        // mirror-0.img, mirror-1.img in dir (RAID1)
             .deviceSize(64L << 20)             // sparse files; 1 GiB by default
             .build())) {
      store.put("photos/cat.jpg", new ByteArrayInputStream(bytes));   // durable when it returns
      store.put("backup.tar", backup);                                // streamed, bounded memory
      byte[] cat = store.read("photos/cat.jpg");                      // every block verified
      store.list("photos/");                                          // sorted by name
      store.locate("photos/cat.jpg", 0);                              // its block on each mirror
      ScrubReport report = store.scrub((done, total) -> {}).join();   // verify and repair all
      store.check().ok();                                             // trees and free space agree
      // --- README example pauses for the test's checks
      assertThat(cat).isEqualTo(bytes);
      assertThat(report.csumErrors()).isZero();
      assertThat(store.check().ok()).isTrue();
    }
    try (Store store = Store.open(dir)) {                             // after a crash too
      store.delete("backup.tar");
      assertThat(store.list("").stream().map(ObjectInfo::name)).containsExactly("photos/cat.jpg");
    }
  }
}
