package org.asyncwq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.asyncwq.storage.block.ScrubReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scrub record: keyed by the store's identity, replaced whole, unreadable means none. */
class ScrubStatusTest {
  @TempDir Path dir;

  @Test
  void aRecordIsReadBackForItsStoreOnlyAndReplacedWhole() throws Exception {
    ScrubStatus running = ScrubStatus.start("store-a")
        .at(ScrubStatus.RUNNING, 700, ScrubSummary.of(new ScrubReport(300, 1, 0, 1, 0)));
    running.write(dir);
    assertThat(ScrubStatus.read(dir, "store-a")).contains(running);
    assertThat(ScrubStatus.read(dir, "store-a").orElseThrow().interrupted()).isTrue();
    assertThat(ScrubStatus.read(dir, "store-b")).as("another store's record is not ours").isEmpty();
    ScrubStatus finished = running.at(ScrubStatus.FINISHED, 900, running.scrubbed());
    finished.write(dir);
    assertThat(ScrubStatus.read(dir, "store-a").orElseThrow().interrupted()).isFalse();
    assertThat(dir.resolve(ScrubStatus.FILE + ".new")).doesNotExist();
  }

  @Test
  void aMissingOrUnreadableRecordMeansNoScrubToResume() throws Exception {
    assertThat(ScrubStatus.read(dir, "store-a")).isEmpty();
    Files.writeString(dir.resolve(ScrubStatus.FILE), "{ torn");
    assertThat(ScrubStatus.read(dir, "store-a")).isEmpty();
  }
}
