package org.asyncwq.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reliability campaign 3, kill -9: a child JVM ({@link KillNineChild}) puts objects into a
 * file-backed two-mirror store (real files, real fsync) and reports each put that returned; the
 * parent kills it with SIGKILL ({@link Process#destroyForcibly()}) at a random moment — after a
 * random number of reported puts plus a random 0–40 ms, so mostly in the middle of a put. The
 * parent then reopens the store: every reported object is there byte-identical, the only other
 * object allowed is the one whose put was in flight (and then byte-identical too), and {@code
 * check()} is clean.
 *
 * <p>2 runs in the default build, 100 with {@code -Pstress}. Run {@code i} is seeded from {@code
 * i}; a failure names it: rerun with {@code -Dasyncwq.kill.first=i -Dasyncwq.kill.runs=1}.
 */
@Tag("crash")
@Timeout(3600)
class KillNineCrashTest {
  private static final int STRESS = Integer.getInteger("asyncwq.stress", 1);
  private static final int RUNS = Integer.getInteger("asyncwq.kill.runs", 2 * STRESS);
  private static final long FIRST = Long.getLong("asyncwq.kill.first", 0);

  @Test
  void aChildKilledWithSigkillMidPutLeavesEveryReportedPutByteIdentical(@TempDir Path tmp)
      throws Exception {
    int[] reported = new int[1];
    for (long run = FIRST; run < FIRST + RUNS; run++) {
      try {
        reported[0] += killOnce(tmp.resolve("run-" + run), run);
        if ((run - FIRST + 1) % 10 == 0) {
          System.out.println("KillNineCrashTest: " + (run - FIRST + 1) + " runs from " + FIRST
              + " passed so far, " + reported[0] + " reported puts intact");
        }
      } catch (AssertionError | Exception e) {
        throw new AssertionError("kill -9 run " + run + " failed (rerun with "
            + "-Dasyncwq.kill.first=" + run + " -Dasyncwq.kill.runs=1)", e);
      }
    }
    System.out.println("KillNineCrashTest: " + RUNS + " SIGKILLed runs from " + FIRST + ", "
        + reported[0] + " reported puts all intact");
  }

  private int killOnce(Path dir, long seed) throws Exception {
    Random r = new Random(seed * 0x9E3779B97F4A7C15L);
    int killAfter = 1 + r.nextInt(30);
    long extraMillis = r.nextInt(41);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-Xmx256m", "-cp",
        System.getProperty("java.class.path"), KillNineChild.class.getName(), dir.toString(),
        Long.toString(seed))
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        for (String l; (l = in.readLine()) != null; ) {
          lines.add(l);
        }
      } catch (java.io.IOException e) {
        // the pipe closes when the child dies
      } finally {
        lines.add("EOF");
      }
    }, "kill9-reader");
    reader.start();
    List<Integer> puts = new ArrayList<>();
    try {
      while (puts.size() < killAfter) {
        String l = lines.poll(120, TimeUnit.SECONDS);
        assertThat(l).as("child output (seed %s)", seed).isNotNull().isNotEqualTo("EOF");
        if (l.startsWith("PUT ")) {
          puts.add(Integer.parseInt(l.substring(4)));
        }
      }
      // A random moment: the child keeps putting meanwhile (a bounded wait, not a handshake).
      child.waitFor(extraMillis, TimeUnit.MILLISECONDS);
    } finally {
      sigkill(child);
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
      reader.join(60_000);
    }
    assertThat(reader.isAlive()).as("the child's stdout read to its end (seed %s)", seed).isFalse();
    for (String l; (l = lines.poll()) != null; ) {
      if (l.startsWith("PUT ")) {
        puts.add(Integer.parseInt(l.substring(4))); // reported before the kill
      }
    }
    assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);
    int last = puts.get(puts.size() - 1);
    try (Store s = Store.open(dir)) {
      for (int i : puts) {
        assertThat(s.read("obj-" + i)).as("seed %s: reported obj-%s", seed, i)
            .isEqualTo(KillNineChild.data(seed, i));
      }
      for (ObjectInfo o : s.list("")) {
        int i = Integer.parseInt(o.name().substring(4));
        assertThat(i).as("seed %s: only reported objects and the one in flight", seed)
            .isLessThanOrEqualTo(last + 1);
        assertThat(s.read(o.name())).isEqualTo(KillNineChild.data(seed, i));
      }
      assertThat(s.list("")).hasSizeBetween(puts.size(), puts.size() + 1);
      assertThat(s.check().problems()).as("seed %s: check()", seed).isEmpty();
    }
    deleteTree(dir);
    return puts.size();
  }

  /**
   * Kills {@code child} with SIGKILL and does nothing else, so every report it printed before
   * dying can still be read. {@link Process#destroyForcibly()} also closes our end of the child's
   * stdout, which drops the reports still in the pipe: a put whose report was dropped, then the
   * next put made durable, looked like two puts in flight (runs 2 and 4 of the first run on
   * format version 2). Regression test: {@link KillNineReportsTest}.
   */
  static void sigkill(Process child) {
    child.toHandle().destroyForcibly();
  }

  private static void deleteTree(Path dir) throws java.io.IOException {
    try (var files = Files.walk(dir)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
