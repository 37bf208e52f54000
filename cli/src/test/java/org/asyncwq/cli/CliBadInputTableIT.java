package org.asyncwq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Reliability campaign 6: the CLI's bad-input table, every command against every kind of bad input
 * (bad arguments, a missing or foreign store, a damaged store, a missing object, out of space, an
 * unwritable output). Each row runs the real jar as a process and asserts the exit status, exactly
 * one line on stderr that names what was wrong, and that nothing was lost or changed: {@code check}
 * clean and {@code ls -l} unchanged on a good store, the device files byte-identical on a damaged
 * one, a foreign directory untouched, and no store made where there was none.
 *
 * <p>Each process costs a JVM start, so the default build runs only the four rows marked {@code
 * quick} (a missing store, a damaged store, out of space in the store and on stdout; {@link
 * CliBadInputIT} covers bad arguments, missing objects and unwritable outputs there), and {@code
 * -Pstress} (or {@code -Dasyncwq.cli.table=full}) runs every row. Stores are made only when a row
 * first needs them. Either way the rows that ran are
 * written as a Markdown table to {@code target/reliability/cli-bad-input.md}, the source of the
 * table in docs/RELIABILITY.md.
 */
@Timeout(1800)
class CliBadInputTableIT {
  @TempDir static Path work;
  private static AsyncwqProcess good;
  private static AsyncwqProcess full;
  private static AsyncwqProcess missing;
  private static AsyncwqProcess foreign;
  private static AsyncwqProcess damaged;
  private static Path file;
  private static Path big;
  private static Path underAFile;
  private static String goodListing;
  private static String fullListing;
  private static Map<Path, byte[]> damagedBytes;
  private static final Map<Integer, String> rows = new ConcurrentHashMap<>();

  enum Target { GOOD, FULL, MISSING, FOREIGN, DAMAGED }

  /** One row: a command line against a target store, its exit status and a phrase of its error. */
  record Case(int order, String command, String situation, Target target, List<String> args,
      String stdoutTo, int exit, String phrase, boolean quick) {
    @Override
    public String toString() {
      return command + " / " + situation + ": " + String.join(" ", args);
    }
  }

  static boolean fullTable() {
    return Integer.getInteger("asyncwq.stress", 1) > 1
        || "full".equals(System.getProperty("asyncwq.cli.table"));
  }

  private static final List<Case> CASES = new ArrayList<>();

  private static void row(String command, String situation, Target target, String phrase, int exit,
      boolean quick, String... args) {
    rowTo(command, situation, target, null, phrase, exit, quick, args);
  }

  private static void rowTo(String command, String situation, Target target, String stdoutTo,
      String phrase, int exit, boolean quick, String... args) {
    CASES.add(new Case(CASES.size(), command, situation, target, List.of(args), stdoutTo, exit,
        phrase, quick));
  }

  static {
    String bad = "bad arguments";
    row("mkfs", bad, Target.GOOD, "md5", 2, false, "mkfs", "--checksum", "md5");
    row("put", bad, Target.GOOD, "not both", 2, false, "put", "x", "{file}", "--dir", "{work}");
    row("get", bad, Target.GOOD, "NAME", 2, false, "get");
    row("ls", bad, Target.GOOD, "unknown option '--colour'", 2, false, "ls", "--colour");
    row("rm", bad, Target.GOOD, "NAME", 2, false, "rm");
    row("stat", bad, Target.GOOD, "unexpected argument 'b'", 2, false, "stat", "a", "b");
    row("scrub", bad, Target.GOOD, "unexpected argument 'now'", 2, false, "scrub", "now");
    row("check", bad, Target.GOOD, "unknown option '--deep'", 2, false, "check", "--deep");
    row("replace", bad, Target.GOOD, "--force", 2, false, "replace", "1", "{work}/new.img");
    row("replace", bad, Target.GOOD, "no mirror 7", 2, false, "replace", "7", "{work}/new.img",
        "--force");
    row("corrupt", bad, Target.GOOD, "--force", 2, false, "corrupt", "kept");
    row("bench", bad, Target.GOOD, "at least 4K", 2, false, "bench", "--size", "1");
    row("demo", bad, Target.GOOD, "unknown option '--fast'", 2, false, "demo", "--fast");

    String none = "missing store";
    for (String[] args : List.of(new String[] {"get", "kept"}, new String[] {"ls"},
        new String[] {"rm", "kept"}, new String[] {"stat", "kept"}, new String[] {"scrub"},
        new String[] {"check"}, new String[] {"replace", "1", "{work}/new.img", "--force"},
        new String[] {"corrupt", "kept", "--force"})) {
      row(args[0], none, Target.MISSING, "no store at", 4, args[0].equals("ls"), args);
    }

    for (Target t : List.of(Target.FOREIGN, Target.DAMAGED)) {
      String situation = t == Target.FOREIGN ? "foreign store" : "damaged store";
      row("mkfs", situation, t, "is not empty", 1, false, "mkfs");
      for (String[] args : List.of(new String[] {"put", "x", "{file}"}, new String[] {"get", "kept"},
          new String[] {"ls"}, new String[] {"rm", "kept"}, new String[] {"stat", "kept"},
          new String[] {"scrub"}, new String[] {"check"},
          new String[] {"replace", "1", "{work}/new.img", "--force"},
          new String[] {"corrupt", "kept", "--force"}, new String[] {"bench", "--size", "64K"})) {
        boolean quick = t == Target.DAMAGED && args[0].equals("check");
        row(args[0], situation, t, "cannot open the store", 4, quick, args);
      }
      row("demo", situation, t, "the demo makes a new store", 1, false, "demo");
    }

    String absent = "missing object";
    row("get", absent, Target.GOOD, "no object named 'absent'", 1, false, "get", "absent");
    row("rm", absent, Target.GOOD, "no object named absent", 1, false, "rm", "absent");
    row("stat", absent, Target.GOOD, "no object named 'absent'", 1, false, "stat", "absent");
    row("corrupt", absent, Target.GOOD, "no object named 'absent'", 1, false, "corrupt", "absent",
        "--force");

    String space = "out of space";
    row("put", space, Target.FULL, "space", 1, true, "put", "big", "{big}");
    row("bench", space, Target.FULL, "space", 1, false, "bench", "--size", "4M");
    rowTo("get", space, Target.GOOD, "/dev/full", "space", 1, false, "get", "kept", "-o", "-");
    rowTo("ls", space, Target.GOOD, "/dev/full", "standard output", 1, true, "ls", "-l");
    rowTo("stat", space, Target.GOOD, "/dev/full", "standard output", 1, false, "stat", "kept");
    rowTo("check", space, Target.GOOD, "/dev/full", "standard output", 1, false, "check");
    rowTo("scrub", space, Target.GOOD, "/dev/full", "standard output", 1, false, "scrub");

    String unwritable = "unwritable output";
    row("get", unwritable, Target.GOOD, "is a file, not a directory", 1, false, "get", "kept", "-o", "{underAFile}/copy");
    row("replace", unwritable, Target.GOOD, "new.img", 1, false, "replace", "1",
        "{underAFile}/new.img", "--force");
    row("mkfs", unwritable, Target.MISSING, "Not a directory", 1, false, "--store", "{underAFile}/store",
        "mkfs");
    row("demo", unwritable, Target.MISSING, "Not a directory", 1, false, "--store", "{underAFile}/demo",
        "demo");
  }

  static Stream<Case> cases() {
    boolean all = fullTable();
    return CASES.stream().filter(c -> all || c.quick());
  }

  @BeforeAll
  static void files() throws IOException {
    file = TestFiles.random(work, "kept", 20_000, 11);
    underAFile = file; // a regular file: nothing can be created under it
    missing = new AsyncwqProcess(work, work.resolve("no-such-store"));
  }

  /** Makes the target store the first time a row needs it (the short run needs few of them). */
  private static synchronized void prepare(Target target) throws IOException {
    switch (target) {
      case GOOD -> {
        if (good == null) {
          good = new AsyncwqProcess(work, work.resolve("store"));
          good.run("mkfs", "--size", "16M", "--ags", "2").succeeds();
          good.run("put", "kept", file.toString()).succeeds();
          goodListing = good.run("ls", "-l").succeeds().stdout();
        }
      }
      case FULL -> {
        if (full == null) {
          full = new AsyncwqProcess(work, work.resolve("full"));
          full.run("mkfs", "--size", "1M", "--ags", "1").succeeds();
          full.run("put", "kept", file.toString()).succeeds();
          fullListing = full.run("ls", "-l").succeeds().stdout();
          big = TestFiles.random(work, "big", 4L << 20, 12);
        }
      }
      case FOREIGN -> {
        if (foreign == null) {
          Path photos = Files.createDirectory(work.resolve("photos"));
          Files.writeString(photos.resolve("holiday.txt"), "not a store");
          foreign = new AsyncwqProcess(work, photos);
        }
      }
      case DAMAGED -> {
        if (damaged == null) {
          AsyncwqProcess store = new AsyncwqProcess(work, work.resolve("damaged"));
          store.run("mkfs", "--size", "1M", "--ags", "1").succeeds();
          store.run("put", "kept", file.toString()).succeeds();
          for (int mirror = 0; mirror < 2; mirror++) {
            Path device = store.store().resolve("mirror-" + mirror + ".img");
            try (FileChannel channel = FileChannel.open(device, StandardOpenOption.WRITE)) {
              ByteBuffer garbage = ByteBuffer.allocate(2 * 4096);
              Arrays.fill(garbage.array(), (byte) 0x5a);
              channel.write(garbage, 0); // both superblock slots
            }
          }
          damagedBytes = devices(store.store());
          damaged = store;
        }
      }
      default -> {
        // MISSING: nothing to make
      }
    }
  }

  private static Map<Path, byte[]> contents(Path dir) throws IOException {
    Map<Path, byte[]> out = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.toList()) {
        out.put(p.getFileName(), Files.readAllBytes(p));
      }
    }
    return out;
  }

  /** The device files (not the lock records an open attempt may leave). */
  private static Map<Path, byte[]> devices(Path dir) throws IOException {
    Map<Path, byte[]> all = contents(dir);
    all.keySet().removeIf(p -> !p.toString().endsWith(".img"));
    return all;
  }

  private static AsyncwqProcess on(Target target) {
    return switch (target) {
      case GOOD -> good;
      case FULL -> full;
      case MISSING -> missing;
      case FOREIGN -> foreign;
      case DAMAGED -> damaged;
    };
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void badInputGetsItsExitStatusAndOneLineAndLosesNothing(Case c) throws IOException {
    prepare(c.target());
    AsyncwqProcess asyncwq = on(c.target());
    String[] args = c.args().stream()
        .map(a -> a.replace("{file}", file.toString()).replace("{big}", String.valueOf(big))
            .replace("{work}", work.toString()).replace("{underAFile}", underAFile.toString()))
        .toArray(String[]::new);
    boolean ownStore = args[0].equals("--store");
    AsyncwqProcess runner = ownStore ? new AsyncwqProcess(work, null) : asyncwq;
    AsyncwqProcess.Result result = c.stdoutTo() == null
        ? runner.run(args)
        : runner.runToFile(null, Path.of(c.stdoutTo()), args);
    String line = result.exits(c.exit()).oneLineError();
    assertThat(line).as("the error of %s", c).contains(c.phrase());
    String afterwards = assertNothingLost(c);
    rows.put(c.order(), String.format("| %s | %s | `asyncwq %s%s` | %d | %s | %s |", c.command(),
        c.situation(), String.join(" ", c.args()),
        c.stdoutTo() == null ? "" : " > " + c.stdoutTo(), result.exitCode(),
        line.replace(work.toString(), "…").replace("|", "\\|"), afterwards));
  }

  /** Asserts the target is as it was; returns what was checked, for the table. */
  private static String assertNothingLost(Case c) throws IOException {
    switch (c.target()) {
      case GOOD, FULL -> {
        AsyncwqProcess asyncwq = on(c.target());
        asyncwq.run("check").succeeds();
        assertThat(asyncwq.run("ls", "-l").succeeds().stdout())
            .isEqualTo(c.target() == Target.GOOD ? goodListing : fullListing);
        assertThat(work.resolve("new.img")).doesNotExist();
        return "`check` clean, `ls -l` unchanged";
      }
      case MISSING -> {
        assertThat(missing.store()).doesNotExist();
        return "no store made";
      }
      case FOREIGN -> {
        assertThat(contents(foreign.store()).keySet()).containsExactly(Path.of("holiday.txt"));
        assertThat(Files.readString(foreign.store().resolve("holiday.txt")))
            .isEqualTo("not a store");
        return "directory unchanged";
      }
      default -> {
        Map<Path, byte[]> now = devices(damaged.store());
        assertThat(now.keySet()).isEqualTo(damagedBytes.keySet());
        for (Map.Entry<Path, byte[]> e : damagedBytes.entrySet()) {
          assertThat(now.get(e.getKey())).as("%s", e.getKey()).isEqualTo(e.getValue());
        }
        return "device files byte-identical";
      }
    }
  }

  @AfterAll
  static void writeTable() throws IOException {
    Path out = Path.of("target", "reliability", "cli-bad-input.md");
    Files.createDirectories(out.getParent());
    List<String> lines = new ArrayList<>();
    lines.add("| command | bad input | command line | exit | stderr (one line) | afterwards |");
    lines.add("|---|---|---|---|---|---|");
    new TreeMap<>(rows).values().forEach(lines::add);
    Files.write(out, lines);
  }
}
