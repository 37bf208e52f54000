package org.asyncwq.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * No file in the repository refers to a path outside it: the repository is read, built and tested
 * on its own, so a document or script that points at a sibling folder or at one machine's absolute
 * paths is broken for everybody else.
 */
class RepositoryPathsTest {
  /** Spelt in pieces so that this file does not match itself. */
  private static final List<String> OUTSIDE = List.of(
      ".." + "/shared", "/" + "work/", "shared" + "/design", "shared" + "/seeds");

  private static final Pattern MARKDOWN_LINK = Pattern.compile("\\]\\(([^)\\s#]+)(#[^)]*)?\\)");

  @Test
  void noFileNamesAPathOutsideTheRepository() {
    Path root = Repository.root();
    List<String> found = new ArrayList<>();
    List<Path> files = Repository.files();
    for (Path file : files) {
      String text = readIfText(root.resolve(file));
      if (text == null) {
        continue;
      }
      String[] lines = text.split("\n", -1);
      for (int i = 0; i < lines.length; i++) {
        for (String outside : OUTSIDE) {
          if (lines[i].contains(outside)) {
            found.add(file + ":" + (i + 1) + ": " + lines[i].trim());
          }
        }
      }
    }
    assertThat(files).as("files scanned").contains(Path.of("README.md"), Path.of("pom.xml"));
    assertThat(found).as("lines that refer to a path outside the repository").isEmpty();
  }

  @Test
  void everyRelativeLinkInTheDocumentsStaysInsideAndExists() {
    Path root = Repository.root();
    List<String> broken = new ArrayList<>();
    for (Path doc : Repository.documents()) {
      Matcher m = MARKDOWN_LINK.matcher(DocumentedCode.read(root.resolve(doc)));
      while (m.find()) {
        String target = m.group(1);
        if (target.matches("^[a-z]+:.*")) {
          continue; // http:, https:, mailto:
        }
        Path resolved = root.resolve(doc).getParent().resolve(target).normalize();
        if (!resolved.startsWith(root) || !Files.exists(resolved)) {
          broken.add(doc + ": " + target);
        }
      }
    }
    assertThat(broken).as("links that leave the repository or lead nowhere").isEmpty();
  }

  @Test
  void theScanRecognisesAnOutsidePath() {
    String line = "see [design](" + OUTSIDE.get(0) + "/STYLE.md)";
    assertThat(OUTSIDE.stream().anyMatch(line::contains)).isTrue();
  }

  /** The file's text, or null for a binary file (one with a NUL byte). */
  private static String readIfText(Path file) {
    try {
      byte[] bytes = Files.readAllBytes(file);
      for (byte b : bytes) {
        if (b == 0) {
          return null;
        }
      }
      return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
