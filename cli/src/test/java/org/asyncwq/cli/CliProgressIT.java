package org.asyncwq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 point 5: in a real pseudo-terminal ({@code script} from util-linux gives the command
 * one) {@code put} of a large file draws a bar that advances and finishes; piped, the same command
 * writes no control characters at all.
 *
 * <p>The bar normally waits a second before it appears; the tests set that delay to 0 (and redraw
 * every 20 ms) so that a fast machine still shows several frames.
 */
@Timeout(300)
class CliProgressIT {
  private static final Pattern PERCENT = Pattern.compile("(\\d{1,3})%");
  private static final List<String> FAST_BAR =
      List.of("-Dasyncwq.progress.delay.ms=0", "-Dasyncwq.progress.interval.ms=20");

  @TempDir Path work;
  private Path big;
  private AsyncwqProcess asyncwq;

  @BeforeEach
  void storeAndFile() throws IOException {
    asyncwq = new AsyncwqProcess(work, work.resolve("store"));
    asyncwq.run("mkfs", "--size", "512M").succeeds();
    big = TestFiles.random(work, "big", 100L << 20, 5);
  }

  @Test
  void barAdvancesAndFinishesInATerminal() throws IOException {
    List<String> command = new ArrayList<>(asyncwq.commandLine("put", "big", big.toString()));
    command.addAll(1, FAST_BAR);
    Path transcript = work.resolve("transcript");
    AsyncwqProcess.Result result =
        asyncwq.exec(List.of("script", "-qfec", String.join(" ", command), "/dev/null"), null, transcript)
            .succeeds();
    String screen = Files.readString(transcript, StandardCharsets.UTF_8);
    assertThat(screen).as("stderr: %s", result.stderr()).contains("\r").contains("put big");

    List<Integer> percents = new ArrayList<>();
    Matcher m = PERCENT.matcher(screen);
    while (m.find()) {
      percents.add(Integer.parseInt(m.group(1)));
    }
    assertThat(percents).as(screen).isNotEmpty().isSorted();
    assertThat(percents.get(percents.size() - 1)).isEqualTo(100);
    assertThat(percents).as("a frame between start and finish, in %s", screen).anyMatch(p -> p > 0 && p < 100);
  }

  @Test
  void pipedOutputHasNoControlCharacters() {
    List<String> command = new ArrayList<>(asyncwq.commandLine("put", "big", big.toString()));
    command.addAll(1, FAST_BAR);
    AsyncwqProcess.Result result = asyncwq.exec(command, null, null).succeeds();
    assertThat(result.stdout()).contains("put big");
    assertThat(result.stdout() + result.stderr()).doesNotContainPattern("[\\x00-\\x08\\x0b-\\x1f\\x7f]");
  }
}
