package org.asyncwq.bench.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.asyncwq.storage.StoreWiring;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed 002/003 hang scenarios of the storage report, on real files, with a bound: the naive
 * one-queue shapes hang on either wiring and are cleaned up (waiting threads ended); the seeds'
 * split shapes and the storage stack itself complete on asyncwq's queues, and what the JDK wiring
 * does is what the report records.
 */
@Timeout(120)
class StorageWiringHangTest {
  private static final long BOUND_MS = 1000;

  @TempDir Path dir;

  private static void assertOutcomes(List<HangScenarios.Outcome> all) {
    assertThat(all).hasSize(6);
    assertThat(all).allSatisfy(o -> assertThat(o.cleanedUp()).as(o.scenario()).isTrue());
    assertThat(all.get(0).hung()).as(all.get(0).scenario()).isTrue();
    assertThat(all.get(1).hung()).as(all.get(1).scenario()).isFalse();
    assertThat(all.get(2).hung()).as(all.get(2).scenario()).isFalse();
    assertThat(all.get(3).hung()).as(all.get(3).scenario()).isTrue();
    assertThat(all.get(4).hung()).as(all.get(4).scenario()).isFalse();
    assertThat(all.get(5).hung()).as(all.get(5).scenario()).isFalse();
  }

  @Test
  void asyncwqWiringCompletesTheSplitShapesAndTheStackAndCleansUpTheNaiveHangs()
      throws Exception {
    List<HangScenarios.Outcome> all =
        HangScenarios.all(StoreWiring.ASYNCWQ_QUEUES, dir, BOUND_MS);
    assertOutcomes(all);
    assertThat(all.get(0).verdict()).isEqualTo("hangs (bound 1000 ms)");
    assertThat(all.get(2).verdict()).isEqualTo("does not hang (bound 1000 ms)");
  }

  @Test
  void jdkWiringHangsInTheNaiveShapesOnlyAndIsCleanedUp() throws Exception {
    assertOutcomes(HangScenarios.all(StoreWiring.JDK_EXECUTORS, dir, BOUND_MS));
  }
}
