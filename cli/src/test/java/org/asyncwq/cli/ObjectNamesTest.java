package org.asyncwq.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ObjectNamesTest {
  @Test
  void acceptsUpTo1024BytesOfUtf8() {
    String multibyte = "é".repeat(512);
    assertThat(ObjectNames.check(multibyte)).isEqualTo(multibyte);
    assertThat(ObjectNames.check("photos/2024/cat.jpg")).isEqualTo("photos/2024/cat.jpg");
  }

  @Test
  void refusesEmptyTooLongNulAndUndecodableNames() {
    assertThatThrownBy(() -> ObjectNames.check("")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> ObjectNames.check("é".repeat(512) + "x")).hasMessageContaining("1025 bytes");
    assertThatThrownBy(() -> ObjectNames.check("a\0b")).hasMessageContaining("NUL");
    assertThatThrownBy(() -> ObjectNames.check("bad\uFFFDname")).hasMessageContaining("not valid UTF-8");
  }

  @Test
  void objectWrittenIntoADirectoryNeverLandsOutsideIt() throws Exception {
    Path dir = Path.of("/tmp/out");
    assertThat(ObjectPaths.inside(dir, "a/b.txt")).isEqualTo(Path.of("/tmp/out/a/b.txt"));
    // Any '..' segment is refused, even one that would stay inside (issue 16 point 4).
    for (String escaping : new String[] {"../x", "a/../../x", "/etc/passwd", ".", "a\0b", "a/../b.txt"}) {
      assertThatThrownBy(() -> ObjectPaths.inside(dir, escaping)).isInstanceOf(CommandFailure.class)
          .hasMessageContaining("outside");
    }
  }
}
