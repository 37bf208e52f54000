package org.asyncwq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the built, shaded {@code asyncwq} jar as a separate process on real files, the way a person
 * or a script runs it. The jar's path comes from the system property {@code asyncwq.cli.jar},
 * which the failsafe configuration sets to the jar the package phase just shaded.
 */
final class AsyncwqProcess {
  static final Path JAR = Path.of(System.getProperty("asyncwq.cli.jar", "target/cli-all.jar"));
  static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long TIMEOUT_SECONDS = 300;
  /**
   * Many short commands run per test: the client compiler alone starts them about twice as fast
   * on a loaded machine, and changes nothing they do.
   */
  private static final List<String> JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  private final Path workDir;
  private final Path store;

  /** Commands run in {@code workDir} against the store {@code store} (given as --store). */
  AsyncwqProcess(Path workDir, Path store) {
    this.workDir = workDir;
    this.store = store;
  }

  Path store() {
    return store;
  }

  /** The command line that runs the jar with {@code args}, with --store first when there is one. */
  List<String> commandLine(String... args) {
    List<String> command = new ArrayList<>(List.of(JAVA));
    command.addAll(JVM_OPTIONS);
    command.addAll(List.of("-jar", JAR.toString()));
    if (store != null) {
      command.add("--store");
      command.add(store.toString());
    }
    command.addAll(Arrays.asList(args));
    return command;
  }

  /**
   * Starts the jar with {@code args} and returns at once: stdin and stdout are pipes the caller
   * drives (a {@code get -o -} whose stdout is not read yet holds the store open), stderr is
   * discarded. The caller ends it (close its stdin, drain its stdout, or destroy it).
   */
  Process start(String... args) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(commandLine(args)).directory(workDir.toFile());
    builder.environment().remove("ASYNCWQ_STORE");
    builder.environment().put("LC_ALL", "C.UTF-8");
    builder.redirectError(ProcessBuilder.Redirect.DISCARD);
    return builder.start();
  }

  /** Runs with no stdin, capturing stdout and stderr. */
  Result run(String... args) {
    return run(null, args);
  }

  /** Runs with stdin read from {@code stdin} (null: none), capturing stdout and stderr. */
  Result run(Path stdin, String... args) {
    return exec(commandLine(args), stdin, null);
  }

  /** Runs with stdin from {@code stdin} and stdout written to the file {@code stdout}. */
  Result runToFile(Path stdin, Path stdout, String... args) {
    return exec(commandLine(args), stdin, stdout);
  }

  /** Runs any command line (a shell, {@code script}) in the work directory. */
  Result exec(List<String> command, Path stdin, Path stdout) {
    try {
      Path out = stdout != null ? stdout : Files.createTempFile(workDir, "stdout", ".bin");
      Path err = Files.createTempFile(workDir, "stderr", ".txt");
      ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
      builder.environment().remove("ASYNCWQ_STORE");
      builder.environment().put("LC_ALL", "C.UTF-8");
      builder.redirectInput(stdin == null
          ? ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())
          : ProcessBuilder.Redirect.from(stdin.toFile()));
      builder.redirectOutput(out.toFile());
      builder.redirectError(err.toFile());
      Process process = builder.start();
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
        throw new AssertionError("timed out after " + TIMEOUT_SECONDS + " s: " + command);
      }
      byte[] outBytes = stdout != null ? new byte[0] : Files.readAllBytes(out);
      String errText = Files.readString(err, StandardCharsets.UTF_8);
      if (stdout == null) {
        Files.delete(out);
      }
      Files.delete(err);
      return new Result(command, process.exitValue(), outBytes, errText);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** One finished process: its exit status, stdout bytes and stderr text. */
  record Result(List<String> command, int exitCode, byte[] stdoutBytes, String stderr) {
    String stdout() {
      return new String(stdoutBytes, StandardCharsets.UTF_8);
    }

    JsonNode json() {
      try {
        return JSON.readTree(stdoutBytes);
      } catch (IOException e) {
        throw new AssertionError("stdout is not JSON: " + stdout() + "\nstderr: " + stderr, e);
      }
    }

    /** Asserts the exit status, showing the whole run when it differs. */
    Result exits(int expected) {
      assertThat(exitCode).as("exit status of %s%nstdout: %s%nstderr: %s", command, stdout(), stderr)
          .isEqualTo(expected);
      return this;
    }

    Result succeeds() {
      return exits(0);
    }

    /** The failure contract: exactly one line on stderr, which says something, no stack trace. */
    String oneLineError() {
      List<String> lines = stderr.lines().toList();
      assertThat(lines).as("stderr of %s", command).hasSize(1);
      assertThat(lines.get(0)).startsWith("asyncwq: ").doesNotContain("Exception").doesNotContain("\tat ");
      return lines.get(0);
    }
  }
}
