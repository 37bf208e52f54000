package org.asyncwq.cli;

import static org.assertj.core.api.Assertions.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 point 6 and issue 13: bench prints its figures, the ratio to raw file IO and how to
 * reproduce it, and leaves nothing behind: not its object, not its raw files, not a store it had
 * to make.
 */
@Timeout(300)
class CliBenchIT {
  @TempDir Path work;

  @Test
  void benchPrintsFiguresRatiosAndTheCommandThatReproducesThem() throws IOException {
    AsyncwqProcess asyncwq = new AsyncwqProcess(work, work.resolve("store"));
    asyncwq.run("mkfs").succeeds();
    List<Path> before = files(asyncwq.store());
    String out = asyncwq.run("bench", "--size", "8M").succeeds().stdout();
    assertThat(out).contains("put").contains("get").contains("scrub").contains("MiB/s").contains("ratio");
    assertThat(out.lines()).anySatisfy(line -> assertThat(line).startsWith("reproduce: asyncwq").contains("bench")
        .contains("--size 8M").contains(work.resolve("store").toString()));

    JsonNode json = asyncwq.run("bench", "--size", "8M", "--json").succeeds().json();
    for (String phase : new String[] {"put", "get", "scrub"}) {
      JsonNode figure = json.get(phase);
      assertThat(figure.get("storeMiBps").asDouble()).isPositive();
      assertThat(figure.get("rawMiBps").asDouble()).isPositive();
      assertThat(figure.get("ratio").asDouble()).isPositive();
    }
    assertThat(json.get("reproduce").asText()).contains("bench --size 8M");
    assertThat(json.get("temporary").asBoolean()).isFalse();
    assertThat(asyncwq.run("ls").succeeds().stdout()).isBlank();
    assertThat(files(asyncwq.store())).as("no raw file left beside the devices")
        .allSatisfy(p -> assertThat(p.getFileName().toString()).doesNotStartWith(".bench-raw-"))
        .containsAll(before);
  }

  @Test
  void withNoStoreBenchMeasuresATemporaryStoreAndRemovesIt() {
    AsyncwqProcess asyncwq = new AsyncwqProcess(work, work.resolve("fresh"));
    String out = asyncwq.run("bench", "--size", "4M").succeeds().stdout();

    assertThat(out).contains("temporary store").contains("ratio");
    assertThat(work.resolve("fresh")).doesNotExist();
  }

  @Test
  void aSizeTheDiskCannotHoldIsRefusedInOneLineBeforeAnythingIsWritten() throws IOException {
    AsyncwqProcess fresh = new AsyncwqProcess(work, work.resolve("fresh"));
    AsyncwqProcess.Result r = fresh.run("bench", "--size", "1000T");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.stderr().strip().lines()).singleElement(as(STRING)).contains("--size 1000.0 TiB")
        .contains("free").contains("smaller --size");
    assertThat(work.resolve("fresh")).doesNotExist();

    AsyncwqProcess store = new AsyncwqProcess(work, work.resolve("store"));
    store.run("mkfs").succeeds();
    List<Path> before = files(store.store());
    assertThat(store.run("bench", "--size", "1000T").exitCode()).isEqualTo(1);
    assertThat(files(store.store())).containsAll(before)
        .noneSatisfy(p -> assertThat(p.getFileName().toString()).startsWith(".bench-raw-"));
    assertThat(store.run("ls").succeeds().stdout()).isBlank();
  }

  @Test
  void rawFilesAnInterruptedBenchLeftAreReplacedAndRemoved() throws IOException {
    AsyncwqProcess asyncwq = new AsyncwqProcess(work, work.resolve("store"));
    asyncwq.run("mkfs").succeeds();
    Files.write(asyncwq.store().resolve(".bench-raw-0.tmp"), new byte[] {1, 2, 3});

    asyncwq.run("bench", "--size", "4M").succeeds();

    assertThat(asyncwq.store().resolve(".bench-raw-0.tmp")).doesNotExist();
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }
}
