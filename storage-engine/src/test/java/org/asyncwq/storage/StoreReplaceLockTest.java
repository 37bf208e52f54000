package org.asyncwq.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.asyncwq.storage.block.FileBlockDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 point 1 through a replace: the store stays locked from start to end. The replacement is
 * locked before it is written, and the replaced device keeps its lock until the store closes
 * (closing its channel would drop this process's POSIX lock on the file). Another process probes
 * the files, since POSIX locks never conflict within one process.
 */
@Timeout(120)
class StoreReplaceLockTest {
  @TempDir Path tmp;

  private static List<String> probe(Path... files) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), LockProbe.class.getName()));
    for (Path f : files) {
      command.add(f.toString());
    }
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    return out.lines().toList();
  }

  @Test
  void everyDeviceOldAndNewStaysLockedThroughAReplaceUntilClose() throws Exception {
    Path dir = tmp.resolve("s");
    Path m0 = dir.resolve("mirror-0.img");
    Path m1 = dir.resolve("mirror-1.img");
    Path fresh = tmp.resolve("new.img");
    List<List<String>> during = new ArrayList<>();
    try (Store s = Store.create(dir, StoreOptions.builder().deviceSize(4L << 20).build())) {
      for (int i = 0; i < 5; i++) {
        s.put("o" + i, new ByteArrayInputStream(StoreRoundTripTest.random(i, 50_000)));
      }
      FileBlockDevice replacement = FileBlockDevice.create(fresh, s.deviceBlocks());
      s.replace(1, replacement, (done, total) -> {
        if (during.isEmpty()) {
          try {
            during.add(probe(m0, m1, fresh));
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        }
      });
      assertThat(during).as("probed mid-replace").hasSize(1);
      assertThat(during.get(0)).as("mirror 0, old mirror 1, new device, mid-replace")
          .containsExactly("locked", "locked", "locked");
      assertThat(probe(m0, m1, fresh)).as("after the replace, the store still open")
          .containsExactly("locked", "locked", "locked");
      assertThatThrownBy(() -> Store.open(dir)).isInstanceOf(StoreLockedException.class);
      assertThat(s.read("o3")).isEqualTo(StoreRoundTripTest.random(3, 50_000));
    }
    assertThat(probe(m0, m1, fresh)).as("all released on close").containsExactly("free", "free", "free");
  }

  @Test
  void aReplacementAnotherStoreHoldsIsRefusedBeforeAnythingIsWritten() throws Exception {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    StoreOptions o = StoreOptions.builder().deviceSize(4L << 20).build();
    try (Store first = Store.create(a, o); Store second = Store.create(b, o);
        FileBlockDevice stolen = FileBlockDevice.open(b.resolve("mirror-1.img"))) {
      assertThatThrownBy(() -> first.replace(1, stolen, (d, t) -> {}))
          .isInstanceOf(StoreLockedException.class).hasMessageContaining("already open in this process");
      assertThat(second.list("")).isEmpty();
      second.put("still", new ByteArrayInputStream(new byte[10]));
    }
  }
}
