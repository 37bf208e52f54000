package org.asyncwq.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the fenced code blocks of a Markdown document and the source regions they name (see the
 * package documentation for the convention), and says where they differ.
 */
final class DocumentedCode {
  /** Blocks in these languages must name their source. */
  static final List<String> CHECKED_LANGUAGES = List.of("java", "xml");

  private static final Pattern FENCE = Pattern.compile("^\\s*```\\s*(\\S*)\\s*$");
  private static final Pattern MARKER =
      Pattern.compile("^\\s*<!--\\s*example:\\s*(\\S+?)#(\\S+)\\s*-->\\s*$");
  private static final Pattern TAG = Pattern.compile("\\btag::([\\w.-]+)\\[\\]");
  private static final Pattern END = Pattern.compile("\\bend::([\\w.-]+)\\[\\]");

  /** One fenced block: where it is, its language, the source it names (or null), its text. */
  record Block(String document, int line, String language, String source, String region,
      String text) {
    boolean named() {
      return source != null;
    }

    @Override
    public String toString() {
      return document + ":" + line + " (" + (named() ? source + "#" + region : language) + ")";
    }
  }

  private DocumentedCode() {}

  /** Every fenced block of a document, with the marker directly above it if there is one. */
  static List<Block> blocks(String document, String markdown) {
    List<Block> blocks = new ArrayList<>();
    String[] lines = markdown.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      Matcher open = FENCE.matcher(lines[i]);
      if (!open.matches()) {
        continue;
      }
      int start = i;
      StringBuilder text = new StringBuilder();
      for (i++; i < lines.length && !FENCE.matcher(lines[i]).matches(); i++) {
        text.append(lines[i]).append('\n');
      }
      if (i == lines.length) {
        throw new IllegalArgumentException(document + ":" + (start + 1) + ": code block never closed");
      }
      Matcher marker = start > 0 ? MARKER.matcher(lines[start - 1]) : null;
      boolean named = marker != null && marker.matches();
      blocks.add(new Block(document, start + 1, open.group(1),
          named ? marker.group(1) : null, named ? marker.group(2) : null, text.toString()));
    }
    return blocks;
  }

  /**
   * The region {@code name} of a source text: every line between a {@code tag::name[]} line and the
   * next {@code end::name[]} line, all pieces in order, marker lines left out.
   *
   * @throws IllegalArgumentException if the region is missing, empty or not closed
   */
  static String region(String sourceName, String source, String name) {
    StringBuilder out = new StringBuilder();
    boolean inside = false;
    boolean found = false;
    String[] lines = source.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      Matcher tag = TAG.matcher(line);
      Matcher end = END.matcher(line);
      if (tag.find()) {
        if (tag.group(1).equals(name)) {
          if (inside) {
            throw new IllegalArgumentException(
                sourceName + ":" + (i + 1) + ": tag::" + name + "[] opened twice");
          }
          inside = true;
          found = true;
        }
      } else if (end.find()) {
        if (end.group(1).equals(name)) {
          if (!inside) {
            throw new IllegalArgumentException(
                sourceName + ":" + (i + 1) + ": end::" + name + "[] without tag::" + name + "[]");
          }
          inside = false;
        }
      } else if (inside) {
        out.append(line).append('\n');
      }
    }
    if (inside) {
      throw new IllegalArgumentException(sourceName + ": tag::" + name + "[] never closed");
    }
    if (!found || normalise(out.toString()).isEmpty()) {
      throw new IllegalArgumentException(sourceName + ": no region " + name);
    }
    return out.toString();
  }

  /** Every run of whitespace as one space, none at either end. */
  static String normalise(String code) {
    return code.replaceAll("\\s+", " ").trim();
  }

  /**
   * Where a block and its region first differ, as a short message; null when they are equal after
   * normalisation.
   */
  static String difference(Block block, String region) {
    String shown = normalise(block.text());
    String source = normalise(region);
    if (shown.equals(source)) {
      return null;
    }
    int at = 0;
    while (at < shown.length() && at < source.length() && shown.charAt(at) == source.charAt(at)) {
      at++;
    }
    return block + " differs from its source at character " + at + ":\n  document: "
        + excerpt(shown, at) + "\n  source:   " + excerpt(source, at);
  }

  private static String excerpt(String s, int at) {
    int from = Math.max(0, at - 30);
    int to = Math.min(s.length(), at + 50);
    return (from > 0 ? "..." : "") + s.substring(from, to) + (to < s.length() ? "..." : "");
  }

  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8).replace("\r\n", "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
