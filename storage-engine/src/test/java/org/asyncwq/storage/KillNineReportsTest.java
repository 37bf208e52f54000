package org.asyncwq.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The kill of campaign 3 ({@link KillNineCrashTest#sigkill}) loses none of the reports a child
 * printed before it was killed: the campaign compares the store with those reports, so a dropped
 * report made a put that had returned look like a second put in flight.
 */
@Timeout(120)
class KillNineReportsTest {
  private static final int REPORTS = 1000; // about 9 KB: the whole lot fits in the pipe

  @Test
  void everyReportPrintedBeforeTheSigkillIsRead() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-Xmx32m", "-cp",
        System.getProperty("java.class.path"), Reporter.class.getName()).start();
    try (BufferedReader err = new BufferedReader(
        new InputStreamReader(child.getErrorStream(), StandardCharsets.UTF_8))) {
      // Nothing reads the reports yet: all of them wait in the pipe when the child is killed.
      assertThat(err.readLine()).isEqualTo("REPORTED");
    } finally {
      KillNineCrashTest.sigkill(child);
    }
    assertThat(child.waitFor()).as("killed by SIGKILL").isEqualTo(137);
    List<String> reports;
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      reports = out.lines().toList();
    }
    assertThat(reports).containsExactlyElementsOf(
        IntStream.range(0, REPORTS).mapToObj(i -> "PUT " + i).toList());
  }

  /** Prints the reports on stdout, says so on stderr, then waits to be killed. */
  static final class Reporter {
    public static void main(String[] args) throws Exception {
      for (int i = 0; i < REPORTS; i++) {
        System.out.println("PUT " + i);
      }
      System.out.flush();
      System.err.println("REPORTED");
      System.err.flush();
      System.in.read();
    }
  }
}
