package org.asyncwq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 point 4, as separate processes: {@code get --dir DIR} mirrors {@code put --dir}, and it
 * and {@code get NAME -o DIR/} never write outside DIR: a {@code ..} segment and a name through a
 * symbolic link inside DIR that leads out are refused with a line naming the
 * object; the other objects still come out; exit status 1. A link at an object's final path is
 * replaced, never followed.
 */
@Timeout(300)
class CliGetDirIT {
  @TempDir Path work;

  @Test
  void getDirWritesEveryObjectInsideAndRefusesOnlyTheEscapingOnes() throws Exception {
    AsyncwqProcess asyncwq = new AsyncwqProcess(work, work.resolve("store"));
    Path tree = Files.createDirectories(work.resolve("tree"));
    Files.createDirectories(tree.resolve("sub/deeper"));
    Path a = TestFiles.random(tree, "a.txt", 3_000, 31);
    Path b = TestFiles.random(tree.resolve("sub/deeper"), "b.bin", 70_000, 32);
    Path empty = Files.createFile(tree.resolve("sub/empty"));
    asyncwq.run("put", "--dir", tree.toString()).succeeds();
    Path payload = TestFiles.random(work, "payload", 500, 33);
    // (Absolute names and NUL are refused the same way: ObjectPathsTest.)
    for (String evil : List.of("../escape", "out-link/inside", "final-link")) {
      asyncwq.run("put", evil, payload.toString()).succeeds();
    }
    String listing = asyncwq.run("ls", "-l").succeeds().stdout();

    Path outside = Files.createDirectories(work.resolve("outside"));
    Path precious = Files.writeString(outside.resolve("precious"), "keep me");
    Path out = Files.createDirectories(work.resolve("out"));
    Files.createSymbolicLink(out.resolve("out-link"), outside);
    Files.createSymbolicLink(out.resolve("final-link"), precious);

    AsyncwqProcess.Result got = asyncwq.run("get", "--dir", out.toString()).exits(1);
    List<String> refusals = got.stderr().lines().toList();
    assertThat(refusals).hasSize(2).allSatisfy(line -> assertThat(line).startsWith("asyncwq: object '")
        .contains("would be written outside").contains("nothing was written for it"));
    assertThat(got.stderr()).contains("'../escape'").contains("'out-link/inside'");

    // The other objects came out, named by their relative paths, byte-identical.
    assertThat(out.resolve("a.txt")).hasSameBinaryContentAs(a);
    assertThat(out.resolve("sub/deeper/b.bin")).hasSameBinaryContentAs(b);
    assertThat(out.resolve("sub/empty")).isEmptyFile();
    assertThat(Files.size(empty)).isZero();
    // The link at an object's final path was replaced by the object, not followed.
    assertThat(Files.isSymbolicLink(out.resolve("final-link"))).isFalse();
    assertThat(out.resolve("final-link")).hasSameBinaryContentAs(payload);
    assertThat(precious).hasContent("keep me");
    // Nothing outside, nothing half-written inside.
    assertThat(work.resolve("escape")).doesNotExist();
    assertThat(outside.resolve("inside")).doesNotExist();
    try (Stream<Path> files = Files.walk(out)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".partial"));
    }

    // One object into a directory: the same refusal, one line, nothing written.
    String line = asyncwq.run("get", "out-link/inside", "-o", out + "/").exits(1).oneLineError();
    assertThat(line).contains("'out-link/inside'").contains("outside");
    assertThat(outside.resolve("inside")).doesNotExist();
    Path fresh = work.resolve("fresh");
    asyncwq.run("get", "sub/deeper/b.bin", "-o", fresh + "/").succeeds();
    assertThat(fresh.resolve("sub/deeper/b.bin")).hasSameBinaryContentAs(b);
    assertThat(Files.isRegularFile(fresh.resolve("sub/deeper/b.bin"), LinkOption.NOFOLLOW_LINKS)).isTrue();

    asyncwq.run("check").succeeds();
    assertThat(asyncwq.run("ls", "-l").succeeds().stdout()).isEqualTo(listing);
  }
}
