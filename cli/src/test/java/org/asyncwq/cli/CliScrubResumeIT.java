package org.asyncwq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, {@code scrub --resume}, as separate processes: a scrub killed with SIGKILL mid-way
 * leaves its position in {@code scrub-status.json}; {@code scrub --resume} goes on from there and
 * reports totals covering the whole store, each block once; a plain {@code scrub} starts over; a
 * {@code --resume} with nothing interrupted says so and scrubs everything.
 *
 * <p>The scrub to kill runs under {@code --limit} so it lasts seconds; the test waits (bounded) on
 * its recorded progress, never on a clock.
 */
@Timeout(300)
class CliScrubResumeIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path work;

  @Test
  void aKilledScrubResumesFromItsRecordedPositionAndTotalsCoverTheStoreOnce() throws Exception {
    AsyncwqProcess asyncwq = new AsyncwqProcess(work, work.resolve("store"));
    asyncwq.run("mkfs", "--size", "64M", "--ags", "2").succeeds();
    long size = 16L << 20;
    Path big = TestFiles.random(work, "big", size, 41);
    asyncwq.run("put", "big", big.toString()).succeeds();
    // One bad copy near the start of the store (scrubbed before the kill), one at the end (after).
    asyncwq.run("corrupt", "big", "--mirror", "1", "--offset", "0", "--force").succeeds();
    asyncwq.run("corrupt", "big", "--mirror", "1", "--offset", Long.toString(size - 4096), "--force").succeeds();

    Path record = asyncwq.store().resolve("scrub-status.json");
    Process scrub = asyncwq.start("scrub", "--limit", "4M");
    JsonNode seen;
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (true) {
        seen = status(record);
        if (seen != null && seen.get("state").asText().equals("running")
            && seen.get("scrubbed").get("blocks").asLong() >= 256) {
          break;
        }
        assertThat(scrub.isAlive()).as("the scrub is still running").isTrue();
        assertThat(System.nanoTime() - deadline).as("progress recorded within 120 s").isNegative();
        scrub.waitFor(20, TimeUnit.MILLISECONDS); // wakes early if it ends
      }
    } finally {
      scrub.destroyForcibly(); // SIGKILL
      assertThat(scrub.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    JsonNode killed = status(record);
    assertThat(killed.get("state").asText()).isEqualTo("running");
    long position = killed.get("position").asLong();
    long before = killed.get("scrubbed").get("blocks").asLong();
    assertThat(position).isPositive();
    assertThat(before).isGreaterThanOrEqualTo(256).isLessThan(size / 4096);
    assertThat(killed.get("scrubbed").get("corrected").asLong()).as("the early bad copy, before the kill").isEqualTo(1);

    AsyncwqProcess.Result resumed = asyncwq.run("--json", "scrub", "--resume").succeeds();
    JsonNode totals = resumed.json();
    assertThat(totals.get("resumed").asBoolean()).isTrue();
    assertThat(totals.get("resumedAt").asLong()).isEqualTo(position);
    assertThat(totals.get("corrected").asLong()).as("both bad copies, each counted once").isEqualTo(2);
    assertThat(totals.get("csumErrors").asLong()).isEqualTo(2);
    assertThat(totals.get("uncorrectable").asLong()).isZero();
    long whole = totals.get("blocks").asLong();
    assertThat(whole).isGreaterThan(size / 4096);
    assertThat(status(record).get("state").asText()).isEqualTo("finished");

    // A plain scrub starts over: every block, nothing left to correct.
    JsonNode again = asyncwq.run("--json", "scrub").succeeds().json();
    assertThat(again.get("resumed").asBoolean()).isFalse();
    assertThat(again.get("blocks").asLong()).isEqualTo(whole);
    assertThat(again.get("corrected").asLong()).isZero();

    // --resume with nothing interrupted says so and scrubs everything.
    AsyncwqProcess.Result nothing = asyncwq.run("--json", "scrub", "--resume").succeeds();
    assertThat(nothing.stderr()).contains("no interrupted scrub of this store to resume");
    assertThat(nothing.json().get("blocks").asLong()).isEqualTo(whole);
    JsonNode stat = asyncwq.run("--json", "stat").succeeds().json();
    assertThat(stat.get("lastScrub").get("state").asText()).isEqualTo("finished");
    assertThat(stat.get("lastScrub").get("scrubbed").get("blocks").asLong()).isEqualTo(whole);
  }

  /** The record, or null before the first one (it is always replaced whole, never torn). */
  private static JsonNode status(Path record) throws IOException {
    try {
      return JSON.readTree(Files.readAllBytes(record));
    } catch (java.nio.file.NoSuchFileException e) {
      return null;
    }
  }
}
