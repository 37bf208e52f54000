package org.asyncwq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12 point 6: bench prints its figures, the ratio to raw file IO and how to reproduce it. */
@Timeout(300)
class CliBenchIT {
  @TempDir Path work;

  @Test
  void benchPrintsFiguresRatiosAndTheCommandThatReproducesThem() {
    AsyncwqProcess asyncwq = new AsyncwqProcess(work, work.resolve("store"));
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
    assertThat(asyncwq.run("ls").succeeds().stdout()).isBlank();
  }
}
