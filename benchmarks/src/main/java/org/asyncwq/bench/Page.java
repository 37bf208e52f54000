package org.asyncwq.bench;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The layout of docs/BENCHMARKS.md: every section between a {@code <!-- key: begin -->} and a
 * {@code <!-- key: end -->} marker, so that {@code bench/run --only key} can replace one section
 * and keep the rest of the page, and the hand-written analysis under {@link
 * BenchmarkReport#ANALYSIS_MARKER} kept by every run.
 */
final class Page {
  /** The sections of the page, in order; {@code storage} holds {@link StorageReport#PARTS}. */
  static final List<String> KEYS =
      List.of("burst", "ordered", "hashed", "elasticity", "thresholds", "allocation", "storage");

  private Page() {}

  /**
   * The sections a {@code --only} value names ({@code ""}: all of them); an unknown name is an
   * error that lists the known ones.
   */
  static Set<String> keys(String only) {
    if (only.isBlank()) {
      return new LinkedHashSet<>(KEYS);
    }
    Set<String> keys = new LinkedHashSet<>();
    for (String k : only.split(",")) {
      String key = k.trim();
      if (!KEYS.contains(key) && !StorageReport.PARTS.contains(key)) {
        throw new IllegalArgumentException("--only: no section '" + key + "'; the sections are "
            + String.join(", ", KEYS) + " and the storage tables "
            + String.join(", ", StorageReport.PARTS));
      }
      keys.add(key);
    }
    return keys;
  }

  static String begin(String key) {
    return "<!-- " + key + ": begin -->";
  }

  static String end(String key) {
    return "<!-- " + key + ": end -->";
  }

  /** {@code body} between the markers of {@code key}. */
  static String wrap(String key, String body) {
    return begin(key) + '\n' + body.stripTrailing() + '\n' + end(key) + '\n';
  }

  /** A whole page's sections, in order, each between its markers. */
  static String assemble(Map<String, String> blocks) {
    StringBuilder md = new StringBuilder();
    blocks.forEach((key, body) -> md.append(wrap(key, body)).append('\n'));
    return md.toString();
  }

  /** The hand-written analysis of an old page, from its marker on ({@code ""} if none). */
  static String analysisOf(String page) {
    int at = page.indexOf(BenchmarkReport.ANALYSIS_MARKER);
    return at >= 0 ? page.substring(at) : "";
  }

  /**
   * {@code page} with each of {@code blocks} in place of the section of the same key. A section the
   * page does not have yet goes at the end of its parent section (a storage table inside the
   * storage section) or else just before the analysis.
   */
  static String replace(String page, Map<String, String> blocks) {
    String out = page;
    for (Map.Entry<String, String> b : blocks.entrySet()) {
      out = replace(out, b.getKey(), b.getValue());
    }
    return out;
  }

  static String replace(String page, String key, String body) {
    String wrapped = wrap(key, body);
    int begin = page.indexOf(begin(key));
    int end = page.indexOf(end(key));
    if (begin >= 0 && end > begin) {
      int after = end + end(key).length();
      if (after < page.length() && page.charAt(after) == '\n') {
        after++;
      }
      return page.substring(0, begin) + wrapped + page.substring(after);
    }
    int parentEnd = StorageReport.PARTS.contains(key) ? page.indexOf(end("storage")) : -1;
    if (parentEnd >= 0) {
      return page.substring(0, parentEnd) + wrapped + page.substring(parentEnd);
    }
    int at = page.indexOf(BenchmarkReport.ANALYSIS_MARKER);
    return at >= 0 ? page.substring(0, at) + wrapped + '\n' + page.substring(at)
        : page + wrapped;
  }
}
