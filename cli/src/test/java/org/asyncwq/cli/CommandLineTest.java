package org.asyncwq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The command tree parses as documented: help and version succeed, usage errors exit 2. */
class CommandLineTest {
  @ParameterizedTest
  @ValueSource(strings = {"mkfs", "put", "get", "ls", "rm", "stat", "scrub", "check", "replace",
      "corrupt", "bench", "demo"})
  void everyCommandHasHelp(String command) {
    assertThat(Main.run(command, "--help")).isZero();
  }

  @Test
  void versionAndHelpSucceed() {
    assertThat(Main.run("--version")).isZero();
    assertThat(Main.run("--help")).isZero();
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(Main.run()).isEqualTo(2);
    assertThat(Main.run("frobnicate")).isEqualTo(2);
    assertThat(Main.run("ls", "--colour")).isEqualTo(2);
    assertThat(Main.run("get")).isEqualTo(2);
    assertThat(Main.run("mkfs", "--checksum", "md5", "--store", "/nonexistent/never")).isEqualTo(2);
    assertThat(Main.run("mkfs", "--size", "lots", "--store", "/nonexistent/never")).isEqualTo(2);
  }

  @Test
  void missingStoreExitsFour() {
    assertThat(Main.run("ls", "--store", "/nonexistent/never")).isEqualTo(4);
  }
}
