package org.asyncwq.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
}
