package org.asyncwq.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Issue 16 point 4: which object names may land inside a directory. */
class ObjectPathsTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"..", "../x", "a/../../x", "a/..", "/etc/passwd", "nul\0name", ".", "a/../.."})
  void namesLandingOutsideOrOnTheDirectoryAreRefusedNamingTheObject(String name) {
    assertThatThrownBy(() -> ObjectPaths.inside(dir, name))
        .isInstanceOf(CommandFailure.class)
        .hasMessageContaining("would be written outside " + dir)
        .hasMessageContaining("nothing was written for it")
        .hasMessageNotContaining("\0")
        .satisfies(e -> assertThat(((CommandFailure) e).status()).isEqualTo(ExitStatus.FAILED));
  }

  @Test
  void aNameThroughALinkInsideTheDirectoryLeadingOutIsRefused() throws Exception {
    Path outside = Files.createTempDirectory(dir.getParent(), "outside");
    Files.createSymbolicLink(dir.resolve("link"), outside);
    assertThatThrownBy(() -> ObjectPaths.inside(dir, "link/x")).hasMessageContaining("'link/x'");
    assertThatThrownBy(() -> ObjectPaths.inside(dir, "link/new/deeper/x")).hasMessageContaining("outside");
    Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("nowhere"));
    assertThatThrownBy(() -> ObjectPaths.inside(dir, "dangling/x")).hasMessageContaining("outside");
  }

  @Test
  void namesInsideResolveUnderTheDirectoryAndALinkStayingInsideIsAllowed() throws Exception {
    Files.createDirectories(dir.resolve("real"));
    Files.createSymbolicLink(dir.resolve("alias"), dir.resolve("real"));
    assertThat(ObjectPaths.inside(dir, "a/b/c.txt")).isEqualTo(dir.toAbsolutePath().resolve("a/b/c.txt"));
    assertThat(ObjectPaths.inside(dir, "./a//b")).isEqualTo(dir.toAbsolutePath().resolve("a/b"));
    assertThat(ObjectPaths.inside(dir, "alias/x")).isEqualTo(dir.toAbsolutePath().resolve("alias/x"));
  }
}
