package org.asyncwq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.asyncwq.storage.Store;
import org.asyncwq.storage.StoreOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15: {@code stat}'s queue lines show what the queues did. After a put and a get in one
 * process, the csum, submit, endio and endio-write lines show completed work and the threads that
 * did it; the lines say the figures are this process's, and a limit is printed as a limit.
 */
@Timeout(60)
class StatQueuesTest {
  private static final Pattern LINE = Pattern.compile(
      "  (\\S+)\\s+completed (\\d+)  failures (\\d+)  pending (\\d+)  threads (\\d+) \\((\\d+) busy\\)"
          + "  limit (\\d+) of (\\d+)");

  @TempDir Path dir;

  @Test
  void afterAPutAndAGetTheQueueLinesShowCompletedWorkAndTheirThreads() throws Exception {
    String report;
    try (Store store =
        Store.create(dir.resolve("s"), StoreOptions.builder().deviceSize(64L << 20).build())) {
      store.put("a", new ByteArrayInputStream(new byte[1 << 20]));
      store.get("a", new ByteArrayOutputStream());
      StoreHealth health = StoreHealth.of(dir.resolve("s"), store.stats(), null);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      health.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
      report = bytes.toString(StandardCharsets.UTF_8);
      assertThat(health.queues()).filteredOn(q -> q.name().equals("csum"))
          .singleElement().satisfies(q -> assertThat(q.completed()).isPositive());
    }
    List<String> lines = Arrays.asList(report.split("\\R"));
    assertThat(lines).contains("queues (work done by this process since it opened the store)");
    for (String queue : List.of("csum", "submit", "endio", "endio-write")) {
      String line = lines.stream().filter(l -> l.startsWith("  " + queue + " ")).findFirst()
          .orElseThrow();
      Matcher m = LINE.matcher(line);
      assertThat(m.matches()).as(line).isTrue();
      assertThat(Long.parseLong(m.group(2))).as(line).isPositive();
      assertThat(Integer.parseInt(m.group(5))).as(line).isPositive();
      assertThat(Integer.parseInt(m.group(6))).as(line).isLessThanOrEqualTo(Integer.parseInt(m.group(5)));
    }
  }
}
