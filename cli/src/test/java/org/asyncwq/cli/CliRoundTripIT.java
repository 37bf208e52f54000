package org.asyncwq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Issue 12 point 1: put and get round trips, ls -l, stat, rm, and the same facts in --json. */
@Timeout(600)
class CliRoundTripIT {
  private static final long MIB = 1 << 20;

  @TempDir static Path work;
  private static AsyncwqProcess asyncwq;

  @BeforeAll
  static void makeStore() {
    asyncwq = new AsyncwqProcess(work, work.resolve("store"));
    asyncwq.run("mkfs", "--size", "512M").succeeds();
  }

  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(longs = {0, 1, 5 * MIB, 100 * MIB})
  void putThenGetOfAFileIsByteIdentical(long size) throws IOException {
    Path original = TestFiles.random(work, "file-" + size, size, size);
    String name = "files/f-" + size;
    asyncwq.run("put", name, original.toString()).succeeds();
    Path copy = work.resolve("copy-" + size);
    asyncwq.run("get", name, "-o", copy.toString()).succeeds();
    assertThat(Files.mismatch(original, copy)).isEqualTo(-1);
    Files.delete(copy);
    Files.delete(original);
  }

  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(longs = {0, 1, 5 * MIB, 100 * MIB})
  void putFromStdinThenGetToStdoutIsByteIdentical(long size) throws IOException {
    Path original = TestFiles.random(work, "stdin-" + size, size, ~size);
    String name = "stdin/s-" + size;
    asyncwq.run(original, "put", name, "-").succeeds();
    Path copy = work.resolve("stdout-" + size);
    asyncwq.runToFile(null, copy, "get", name).succeeds();
    assertThat(Files.mismatch(original, copy)).isEqualTo(-1);
    Files.delete(copy);
    Files.delete(original);
  }

  @Test
  void lsStatAndRmShowAndDoWhatTheySay() throws IOException {
    Path a = TestFiles.random(work, "a", 10_000, 1);
    Path b = TestFiles.random(work, "b", 4096, 2);
    asyncwq.run("put", "tour/a", a.toString()).succeeds();
    asyncwq.run("put", "tour/b", b.toString()).succeeds();

    String listing = asyncwq.run("ls", "-l", "tour/").succeeds().stdout();
    assertThat(listing.lines()).anySatisfy(line -> assertThat(line).contains("10000").endsWith("tour/a"));
    assertThat(listing.lines()).anySatisfy(line -> assertThat(line).contains("4096").endsWith("tour/b"));
    assertThat(listing).contains("total 2 objects");
    assertThat(asyncwq.run("ls", "tour/").succeeds().stdout().lines()).containsExactly("tour/a", "tour/b");

    String stat = asyncwq.run("stat", "tour/a").succeeds().stdout();
    assertThat(stat).contains("object tour/a").contains("10000 bytes").contains("mirror 0:").contains("mirror 1:");
    String storeStat = asyncwq.run("stat").succeeds().stdout();
    assertThat(storeStat).contains("[mirror 0]").contains("[mirror 1]").contains("corruption_errs");

    asyncwq.run("rm", "tour/a").succeeds();
    assertThat(asyncwq.run("ls", "tour/").succeeds().stdout().lines()).containsExactly("tour/b");
    asyncwq.run("get", "tour/a", "-o", work.resolve("gone").toString()).exits(1);
    assertThat(work.resolve("gone")).doesNotExist();
    asyncwq.run("rm", "tour/b").succeeds();
  }

  @Test
  void jsonOutputParsesAndCarriesTheSameFacts() throws IOException {
    Path file = TestFiles.random(work, "j", 12_345, 3);
    JsonNode put = asyncwq.run("--json", "put", "json/j", file.toString()).succeeds().json();
    assertThat(put.get("objects").get(0).get("name").asText()).isEqualTo("json/j");
    assertThat(put.get("objects").get(0).get("size").asLong()).isEqualTo(12_345);

    JsonNode ls = asyncwq.run("ls", "--json", "json/").succeeds().json();
    assertThat(ls.get("count").asInt()).isEqualTo(1);
    JsonNode listed = ls.get("objects").get(0);
    assertThat(listed.get("name").asText()).isEqualTo("json/j");
    assertThat(listed.get("size").asLong()).isEqualTo(12_345);
    assertThat(listed.get("extents").asInt()).isPositive();
    assertThat(listed.get("checksum").asText()).isEqualTo("crc32c");

    JsonNode stat = asyncwq.run("stat", "json/j", "--json").succeeds().json();
    assertThat(stat.get("object").get("size").asLong()).isEqualTo(12_345);
    List<Integer> mirrors = new ArrayList<>();
    stat.get("blocks").forEach(run -> mirrors.add(run.get("mirror").asInt()));
    assertThat(mirrors).contains(0, 1);

    JsonNode store = asyncwq.run("stat", "--json").succeeds().json();
    assertThat(store.get("devices")).hasSize(2);
    assertThat(store.get("devices").get(0).get("state").asText()).isEqualTo("HEALTHY");

    JsonNode rm = asyncwq.run("rm", "--json", "json/j", "json/none").exits(1).json();
    assertThat(rm.get("removed").get(0).asText()).isEqualTo("json/j");
    assertThat(rm.get("missing").get(0).asText()).isEqualTo("json/none");
  }
}
