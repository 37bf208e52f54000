package org.asyncwq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How {@code bench} turns what it measured into the figures it prints. */
class BenchFiguresTest {
  @Test
  void scrubThroughputCountsTheCopyReadOnEveryMirrorAsTheRawReadOfEveryFileDoes() {
    // 256 blocks (1 MiB) verified on each of 2 mirrors in 1 s: 2 MiB read, as a raw read of the
    // 2 files of 1 MiB counts it
    assertThat(BenchCommand.scrubMiBps(256, 2, 1.0)).isEqualTo(2.0);
    // one healthy mirror left: one copy read
    assertThat(BenchCommand.scrubMiBps(256, 1, 0.5)).isEqualTo(2.0);
  }

  @Test
  void everyFigureIsLabelledWithWhoseItIsAndTheRatioSaysWhatItDivides() {
    BenchCommand.BenchResult r = new BenchCommand.BenchResult("/data/store", true, 64L << 20, 2,
        BenchCommand.Figure.of(50, 100, "write 2 files + force"),
        BenchCommand.Figure.of(900, 1200, "read 1 file"),
        BenchCommand.Figure.of(800, 1000, "read 2 files"),
        "asyncwq --store /data/store bench --size 64M");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    r.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();

    assertThat(lines.get(0)).isEqualTo(
        "bench: 64.0 MiB on 2 mirrors in /data/store (a temporary store, now removed)");
    assertThat(lines.get(1)).contains("raw positional FileChannel IO").contains("MiB/s")
        .contains("page cache");
    assertThat(lines.get(2)).startsWith("put    store      50.0 MiB/s   raw     100.0 MiB/s"
        + " (write 2 files + force)").endsWith("ratio 0.50 (store/raw)");
    assertThat(lines.get(3)).startsWith("get    store     900.0 MiB/s   raw    1200.0 MiB/s"
        + " (read 1 file)").endsWith("ratio 0.75 (store/raw)");
    assertThat(lines.get(4)).startsWith("scrub  store     800.0 MiB/s").contains("(read 2 files)")
        .endsWith("ratio 0.80 (store/raw)");
    // the ratios line up in one column
    assertThat(lines.get(2).indexOf("ratio")).isEqualTo(lines.get(3).indexOf("ratio"))
        .isEqualTo(lines.get(4).indexOf("ratio"));
    assertThat(lines.get(5)).isEqualTo("reproduce: asyncwq --store /data/store bench --size 64M");
  }
}
