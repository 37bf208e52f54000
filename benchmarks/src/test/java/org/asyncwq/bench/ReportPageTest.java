package org.asyncwq.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.asyncwq.bench.ScoreTable.RowRatio;
import org.asyncwq.bench.BenchmarkReport.Target;
import org.asyncwq.bench.storage.StorageContender;
import org.asyncwq.bench.storage.StreamingRun;
import org.junit.jupiter.api.Test;

/** How bench/run writes docs/BENCHMARKS.md: sections replaced alone, targets judged with errors. */
class ReportPageTest {
  private static final Target FJP = new Target("FJP", 1.0, "");

  @Test
  void onlyReplacesTheNamedSectionAndKeepsTheRestOfThePage() {
    String page = "# head\n\n" + Page.wrap("burst", "old burst\n") + "\n"
        + Page.wrap("ordered", "old ordered\n") + "\n" + BenchmarkReport.ANALYSIS_MARKER
        + "\nhand-written\n";

    String after = Page.replace(page, Map.of("burst", "new burst\n"));

    assertThat(after).contains("new burst").doesNotContain("old burst")
        .contains("old ordered").endsWith(BenchmarkReport.ANALYSIS_MARKER + "\nhand-written\n");
    assertThat(after.indexOf("new burst")).isLessThan(after.indexOf("old ordered"));
  }

  @Test
  void aStorageTableThePageLacksGoesAtTheEndOfTheStorageSection() {
    String page = Page.wrap("storage", "## 7.\n" + Page.wrap("storage-put", "puts\n"))
        + BenchmarkReport.ANALYSIS_MARKER + "\n";
    Map<String, String> blocks = new LinkedHashMap<>();
    blocks.put("storage-get", "gets\n");

    String after = Page.replace(page, blocks);

    assertThat(after.indexOf("gets")).isGreaterThan(after.indexOf("puts"))
        .isLessThan(after.indexOf(Page.end("storage")));
  }

  @Test
  void aSectionThePageLacksGoesBeforeTheAnalysis() {
    String page = "# head\n\n" + BenchmarkReport.ANALYSIS_MARKER + "\nnotes\n";

    String after = Page.replace(page, Map.of("hashed", "hashed rows\n"));

    assertThat(after.indexOf("hashed rows")).isLessThan(after.indexOf("notes"));
    assertThat(after).startsWith("# head");
  }

  @Test
  void anUnknownSectionNameIsRefusedWithTheKnownNames() {
    assertThatThrownBy(() -> Page.keys("burst,brust"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'brust'").hasMessageContaining("ordered")
        .hasMessageContaining("storage-get");
    assertThat(Page.keys("")).containsExactlyElementsOf(Page.KEYS);
  }

  @Test
  void aTargetIsMetOnlyWhenEveryRowDecidesAndReachesIt() {
    assertThat(ScoreTable.verdict(FJP, List.of(new RowRatio("a", 1.2, true),
        new RowRatio("b", 1.1, true)))).contains("**met**").contains("1.10×");
  }

  @Test
  void aDecidedRowBelowTheTargetIsAMiss() {
    assertThat(ScoreTable.verdict(FJP, List.of(new RowRatio("a", 1.2, false),
        new RowRatio("b", 0.7, true)))).contains("**missed**").contains("b: 0.70×")
        .contains("not decided: a");
  }

  @Test
  void rowsWithWideErrorsAndNoDecidedMissLeaveTheTargetUndecided() {
    assertThat(ScoreTable.verdict(FJP, List.of(new RowRatio("a", 0.6, false),
        new RowRatio("b", 1.3, true)))).contains("**not decided**").contains("in a")
        .doesNotContain("**met**").doesNotContain("**missed**");
  }

  @Test
  void anErrorOfAFifthOfTheScoreOrMoreDecidesNothing() {
    assertThat(ScoreTable.decides(100, 19.9)).isTrue();
    assertThat(ScoreTable.decides(100, 20)).isFalse();
    assertThat(ScoreTable.decides(100, Double.NaN)).isFalse();
  }

  @Test
  void rowsWithNoTargetAreReportedAsMeasuredWithUndecidedRowsMarked() {
    String line = ScoreTable.reported(new Target("ROCKSDB", Double.NaN, "size=4096"),
        List.of(new RowRatio("put {size=4096}", 0.42, true),
            new RowRatio("get {size=4096}", 0.65, false)));

    assertThat(line).contains("no target").contains("ROCKSDB").contains("size=4096")
        .contains("put {size=4096} 0.42×,").contains("get {size=4096} 0.65× †")
        .doesNotContain("**met**").doesNotContain("**missed**");
  }

  @Test
  void streamingAgainstJdkExecutorsIsJudgedAsTheJmhRowsAre() {
    StreamingRun.Result ours = streaming(StorageContender.ASYNCWQ, 150, 10, 900, 50);
    StreamingRun.Result fast = streaming(StorageContender.JDK_EXECUTORS, 140, 10, 850, 50);
    StreamingRun.Result slowPut = streaming(StorageContender.JDK_EXECUTORS, 200, 10, 850, 50);
    StreamingRun.Result loose = streaming(StorageContender.JDK_EXECUTORS, 200, 100, 850, 50);

    assertThat(StorageReport.streamingVerdict(ours, fast)).contains("**met**")
        .contains("put 1.07×").contains("get 1.06×");
    assertThat(StorageReport.streamingVerdict(ours, slowPut)).contains("**missed**")
        .contains("put 0.75×");
    assertThat(StorageReport.streamingVerdict(ours, loose)).contains("**not decided**")
        .contains("put 0.75× †");
  }

  @Test
  void theStorageSectionNamesTheForksAndIterationsItWasAskedToRun() {
    assertThat(StorageReport.lengthNote(StorageReport.Length.full(5, 8)))
        .startsWith("Full mode: 5 forks,").contains("8 measured of 2 s");
    assertThat(StorageReport.lengthNote(StorageReport.Length.full(2, 5)))
        .startsWith("Full mode: 2 forks,").contains("5 measured of 2 s");
  }

  @Test
  void theStorageSectionSaysTheCheckoutForTheDefaultDirectoryNotThisMachinesPath() {
    Path checkout = Path.of("/home/someone/asyncwq");
    assertThat(StorageReport.filesUnder(checkout.resolve("."), checkout)).isEqualTo("the checkout");
    assertThat(StorageReport.filesUnder(Path.of("/mnt/disk2/bench"), checkout))
        .isEqualTo("`/mnt/disk2/bench` (-Dasyncwq.bench.dir)");
  }

  private static StreamingRun.Result streaming(StorageContender c, double put, double putError,
      double get, double getError) {
    return new StreamingRun.Result(c, 1L << 30, put, putError, get, getError, 1, 1, 1024, null);
  }
}
