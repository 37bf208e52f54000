package org.asyncwq.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.asyncwq.bench.BenchmarkReport.Target;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

/**
 * One table of docs/BENCHMARKS.md: a row per benchmark and parameter set, a score column per
 * contender, a ratio column per peer (asyncwq first), and a line per target saying whether the
 * rows meet it, miss it, or cannot decide it because an error is over a fifth of a score.
 */
final class ScoreTable {
  private ScoreTable() {}

  static void render(
      StringBuilder md, Collection<RunResult> results, List<Target> targets) {
    render(md, results, targets, List.of());
  }

  /**
   * {@link #render(StringBuilder, Collection, List)} with a line per {@code reported} entry too:
   * rows with no target whose ratios are given as measured (each entry's {@code min} is unused).
   */
  static void render(StringBuilder md, Collection<RunResult> results, List<Target> targets,
      List<Target> reported) {
    // rows keyed by method + the parameters other than the contender, in run order
    Map<String, Map<String, Result>> rows = new LinkedHashMap<>();
    List<String> contenders = new ArrayList<>();
    String unit = "";
    boolean higherIsBetter = true;
    for (RunResult r : results) {
      BenchmarkParams p = r.getParams();
      String method = p.getBenchmark().substring(p.getBenchmark().lastIndexOf('.') + 1);
      Map<String, String> others = new TreeMap<>();
      for (String key : p.getParamsKeys()) {
        if (!key.equals("contender")) {
          others.put(key, p.getParam(key));
        }
      }
      String row = method + (others.isEmpty() ? "" : " " + others);
      String contender = p.getParam("contender");
      if (!contenders.contains(contender)) {
        contenders.add(contender);
      }
      rows.computeIfAbsent(row, k -> new LinkedHashMap<>()).put(contender, r.getPrimaryResult());
      unit = r.getPrimaryResult().getScoreUnit();
      higherIsBetter = p.getMode().shortLabel().equals("thrpt");
    }
    String ours = contenders.get(0);
    List<String> peers = contenders.subList(1, contenders.size());

    md.append("| benchmark |");
    for (String c : contenders) {
      md.append(' ').append(c).append(" (").append(unit).append(") |");
    }
    peers.forEach(c -> md.append(" × ").append(c).append(" |"));
    md.append("\n|---|");
    contenders.forEach(c -> md.append("---:|"));
    peers.forEach(c -> md.append("---:|"));
    md.append('\n');

    // per target, every row it applies to, with its ratio and whether its errors let it decide
    Map<Target, List<RowRatio>> applies = new LinkedHashMap<>();
    boolean marked = false;
    for (Map.Entry<String, Map<String, Result>> row : rows.entrySet()) {
      md.append("| ").append(row.getKey()).append(" |");
      for (String c : contenders) {
        Result r = row.getValue().get(c);
        md.append(' ').append(r == null ? "-" : String.format(Locale.ROOT, "%,.1f ± %,.1f",
            r.getScore(), r.getScoreError())).append(" |");
      }
      Result mine = row.getValue().get(ours);
      for (String peer : peers) {
        Result theirs = row.getValue().get(peer);
        double ratio = higherIsBetter
            ? mine.getScore() / theirs.getScore()
            : theirs.getScore() / mine.getScore();
        boolean decided = decides(mine) && decides(theirs);
        for (Target t : concat(targets, reported)) {
          if (t.peer().equals(peer) && row.getKey().contains(t.rows())) {
            applies.computeIfAbsent(t, k -> new ArrayList<>())
                .add(new RowRatio(row.getKey(), ratio, decided));
          }
        }
        md.append(String.format(Locale.ROOT, " %.2f×%s |", ratio, decided ? "" : " †"));
        marked |= !decided;
      }
      md.append('\n');
    }
    md.append('\n');
    if (marked) {
      md.append("† an error over a fifth of a score: the row decides nothing.\n\n");
    }
    for (Target t : targets) {
      md.append(verdict(t, applies.getOrDefault(t, List.of()))).append('\n');
    }
    for (Target t : reported) {
      md.append(reported(t, applies.getOrDefault(t, List.of()))).append('\n');
    }
    md.append('\n');
  }

  private static List<Target> concat(List<Target> a, List<Target> b) {
    List<Target> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /** A line for rows with no target: every ratio as measured, † where the errors decide nothing. */
  static String reported(Target t, List<RowRatio> rows) {
    String where = t.rows().isEmpty() ? "" : " (rows with " + t.rows() + ")";
    String head = "- no target, reported as measured: × " + t.peer() + where + ": ";
    if (rows.isEmpty()) {
      return head + "no row ran";
    }
    List<String> each = new ArrayList<>();
    for (RowRatio r : rows) {
      each.add(String.format(Locale.ROOT, "%s %.2f×%s", r.row(), r.ratio(),
          r.decided() ? "" : " †"));
    }
    return head + String.join(", ", each);
  }

  /** One row's ratio against a target's peer, and whether both scores were tight enough. */
  record RowRatio(String row, double ratio, boolean decided) {}

  /** Whether a score's error is under a fifth of it (a NaN error, from one iteration, is not). */
  static boolean decides(Result r) {
    return decides(r.getScore(), r.getScoreError());
  }

  static boolean decides(double score, double error) {
    return !Double.isNaN(error) && score > 0 && error < score / 5;
  }

  /**
   * The target's line: met only when every row it applies to decides and reaches it; missed when
   * a row that decides falls short; otherwise not decided, naming the rows whose errors are too
   * wide.
   */
  static String verdict(Target t, List<RowRatio> rows) {
    String where = t.rows().isEmpty() ? "" : " (rows with " + t.rows() + ")";
    String head = String.format(Locale.ROOT, "- target ≥ %.2f× %s%s: ", t.min(), t.peer(), where);
    double low = rows.stream().mapToDouble(RowRatio::ratio).min().orElse(Double.NaN);
    List<RowRatio> missed = rows.stream().filter(r -> r.decided() && r.ratio() < t.min()).toList();
    List<String> loose = rows.stream().filter(r -> !r.decided()).map(RowRatio::row).toList();
    if (rows.isEmpty()) {
      return head + "no row ran";
    }
    if (!missed.isEmpty()) {
      RowRatio worst = missed.stream().min((x, y) -> Double.compare(x.ratio(), y.ratio()))
          .orElseThrow();
      return head + String.format(Locale.ROOT, "**missed** (%s: %.2f×%s)", worst.row(),
          worst.ratio(), loose.isEmpty() ? "" : "; not decided: " + String.join(", ", loose));
    }
    if (!loose.isEmpty()) {
      return head + String.format(Locale.ROOT, "**not decided** (lowest ratio %.2f×; errors"
          + " over a fifth of a score in %s)", low, String.join(", ", loose));
    }
    return head + String.format(Locale.ROOT, "**met** in every row (lowest ratio %.2f×)", low);
  }

}
