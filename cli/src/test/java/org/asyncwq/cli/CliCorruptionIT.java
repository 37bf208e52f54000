package org.asyncwq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 point 2: damage injected with {@code corrupt} on the device files is repaired by
 * {@code get} and {@code scrub} and counted by {@code stat}; damage on every mirror is exit 3.
 */
@Timeout(300)
class CliCorruptionIT {
  @TempDir Path work;
  private AsyncwqProcess asyncwq;
  private Path original;

  @BeforeEach
  void storeWithOneObject() throws IOException {
    asyncwq = new AsyncwqProcess(work, work.resolve("store"));
    asyncwq.run("mkfs", "--size", "64M").succeeds();
    original = TestFiles.random(work, "original", 64 * 4096, 7);
    asyncwq.run("put", "victim", original.toString()).succeeds();
  }

  /**
   * {@code corrupt} without {@code --mirror} damages the copy the next {@code get} reads (reads
   * of one position go to one mirror, and a read verifies the copy it reads).
   */
  @Test
  void corruptedCopyIsRepairedByGetAndCountedByStat() throws IOException {
    JsonNode damage = asyncwq.run("corrupt", "victim", "--offset", "8192", "--force", "--json").succeeds().json();
    int bad = damage.get("mirror").asInt();
    assertThat(damage.get("block").asLong()).isPositive();

    Path copy = work.resolve("copy");
    asyncwq.run("get", "victim", "-o", copy.toString()).succeeds();
    assertThat(Files.mismatch(original, copy)).isEqualTo(-1);

    JsonNode stat = asyncwq.run("stat", "--json").succeeds().json();
    assertThat(stat.get("devices").get(bad).get("corruptionErrors").asLong()).isEqualTo(1);
    assertThat(stat.get("devices").get(1 - bad).get("corruptionErrors").asLong()).isZero();
    assertThat(stat.get("volume").get("corrected").asLong()).isEqualTo(1);
    assertThat(stat.get("volume").get("uncorrectable").asLong()).isZero();
    assertThat(asyncwq.run("stat").succeeds().stdout()).contains("corrected 1")
        .contains("[mirror " + bad + "] HEALTHY read_io_errs 0  write_io_errs 0  flush_io_errs 0  corruption_errs 1");
    asyncwq.run("check").succeeds();
  }

  @Test
  void corruptionOnBothMirrorsIsExitThreeNamingTheObject() {
    asyncwq.run("corrupt", "victim", "--mirror", "0", "--offset", "100", "--force").succeeds();
    asyncwq.run("corrupt", "victim", "--mirror", "1", "--offset", "100", "--force").succeeds();

    AsyncwqProcess.Result get = asyncwq.run("get", "victim", "-o", work.resolve("copy").toString()).exits(3);
    assertThat(get.oneLineError()).contains("victim").contains("uncorrectable");
    assertThat(work.resolve("copy")).doesNotExist();
  }

  @Test
  void scrubReportsTenCorruptedBlocksCorrected() {
    for (int block = 0; block < 10; block++) {
      asyncwq.run("corrupt", "victim", "--mirror", "1", "--offset", String.valueOf(block * 4 * 4096L + 17), "--force")
          .succeeds();
    }
    JsonNode scrub = asyncwq.run("scrub", "--json").succeeds().json();
    assertThat(scrub.get("csumErrors").asLong()).isEqualTo(10);
    assertThat(scrub.get("corrected").asLong()).isEqualTo(10);
    assertThat(scrub.get("uncorrectable").asLong()).isZero();
    assertThat(asyncwq.run("scrub").succeeds().stdout()).contains("0 checksum errors");
  }
}
