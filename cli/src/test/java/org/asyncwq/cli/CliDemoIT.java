package org.asyncwq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12 point 3: the newcomer's demo runs in an empty directory and says what it proved. */
@Timeout(300)
class CliDemoIT {
  @TempDir Path empty;

  @Test
  void demoRepairsTheDamagedBlockAndReplacesTheMirror() {
    AsyncwqProcess.Result demo = new AsyncwqProcess(empty, null).run("demo").succeeds();
    String out = demo.stdout();
    assertThat(out).containsIgnoringCase("byte-identical");
    assertThat(out).contains("repaired");
    assertThat(out).contains("replaced mirror 1");
    assertThat(out).contains("[mirror 0]").contains("[mirror 1]");
  }

  @Test
  void demoOnANamedStoreLeavesItForExploring() {
    AsyncwqProcess asyncwq = new AsyncwqProcess(empty, empty.resolve("demo-store"));
    asyncwq.run("demo").succeeds();
    asyncwq.run("check").succeeds();
    assertThat(asyncwq.run("ls").succeeds().stdout()).isNotBlank();
  }
}
