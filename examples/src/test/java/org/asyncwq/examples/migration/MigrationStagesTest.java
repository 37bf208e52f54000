package org.asyncwq.examples.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.asyncwq.examples.migration.Ledgers.Update;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every stage of docs/MIGRATION.md: the code before and the code after give the same result, and
 * the result is the one the guide promises.
 */
@Timeout(60)
class MigrationStagesTest {

  private static List<byte[]> blocks(int n) {
    List<byte[]> blocks = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      blocks.add(("block-" + i).getBytes(StandardCharsets.UTF_8));
    }
    return blocks;
  }

  private static Set<Integer> range(int from, int to) {
    return IntStream.range(from, to).boxed().collect(Collectors.toSet());
  }

  @Test
  void stage1ExecutorServiceDropInComputesTheSameSum() throws Exception {
    List<byte[]> blocks = blocks(2000);
    long expected = blocks.stream().mapToLong(Checksums::crc32).sum();
    assertThat(Stage1Before.sumOfChecksums(blocks)).isEqualTo(expected);
    assertThat(Stage1After.sumOfChecksums(blocks)).isEqualTo(expected);
  }

  @Test
  void stage2WorkWritesEveryBlockWhenNotStopped() throws Exception {
    Device before = new Device();
    Device after = new Device();
    Stage2Before.write(1000, before, false);
    Stage2After.write(1000, after, false);
    assertThat(before.written()).isEqualTo(range(0, 1000));
    assertThat(after.written()).isEqualTo(before.written());
    assertThat(before.failed()).isEmpty();
    assertThat(after.failed()).isEmpty();
  }

  @Test
  void stage2StoppedAtOnceEveryBlockIsWrittenOrReportedNeverBoth() throws Exception {
    for (int round = 0; round < 10; round++) {
      Device before = new Device();
      Device after = new Device();
      Stage2Before.write(5000, before, true);
      Stage2After.write(5000, after, true);
      for (Device d : List.of(before, after)) {
        Set<Integer> all = new HashSet<>(d.written());
        all.addAll(d.failed());
        assertThat(all).isEqualTo(range(0, 5000));
        assertThat(Collections.disjoint(d.written(), d.failed())).as("written and failed overlap").isTrue();
      }
    }
  }

  @Test
  void stage3OrderedWorkQueueLogsTheSameChecksumsInTheSameOrder() throws Exception {
    List<byte[]> blocks = blocks(2000);
    List<Long> expected = blocks.stream().map(Checksums::crc32).collect(Collectors.toList());
    assertThat(Stage3Before.checksumInOrder(blocks)).containsExactlyElementsOf(expected);
    assertThat(Stage3After.checksumInOrder(blocks)).containsExactlyElementsOf(expected);
  }

  @Test
  void stage4HashedWorkKeepsEachLedgersEntriesInOrder() throws Exception {
    List<Update> updates = new ArrayList<>();
    for (int entry = 0; entry < 3000; entry++) {
      updates.add(new Update("ledger-" + (entry * 7 % 13), entry));
    }
    Ledgers before = new Ledgers();
    Ledgers after = new Ledgers();
    Stage4Before.apply(updates, before);
    Stage4After.apply(updates, after);
    Map<String, List<Integer>> expected = before.entries();
    assertThat(expected).hasSize(13);
    expected.values().forEach(entries -> assertThat(entries).isSorted());
    assertThat(after.entries()).isEqualTo(expected);
  }

  @Test
  void stage5HighLaneWritesTheSameBlocks() throws Exception {
    List<Integer> before = Collections.synchronizedList(new ArrayList<>());
    List<Integer> after = Collections.synchronizedList(new ArrayList<>());
    Stage5Before.write(before);
    Stage5After.write(after);
    assertThat(new HashSet<>(before)).isEqualTo(range(-1, 1000)).hasSize(before.size());
    assertThat(new HashSet<>(after)).isEqualTo(range(-1, 1000)).hasSize(after.size());
  }

  @Test
  void stage6SeparateQueuesCompleteTheSameWritesAsOnePoolUnderLightLoad() throws Exception {
    // fewer writes than threads: the one-pool shape still has a thread left for the end-IO
    Set<Integer> before = Stage6Before.write(3, 4, java.time.Duration.ofSeconds(10));
    assertThat(before).isEqualTo(range(0, 3));
    assertThat(Stage6After.write(3, 4)).isEqualTo(before);
    assertThat(Stage6After.write(500, 4)).isEqualTo(range(0, 500));
  }
}
