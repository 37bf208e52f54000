package org.asyncwq.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.asyncwq.storage.block.ChecksumType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Issue 11 point 1: objects of every awkward size come back byte-identical after a reopen. */
@Timeout(120)
class StoreRoundTripTest {
  @TempDir Path dir;

  static byte[] random(long seed, int size) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static StoreOptions small() {
    return StoreOptions.builder().deviceSize(256L << 20).build();
  }

  @Test
  void edgeSizesAndAMixUpTo64MibSurviveCloseAndReopenOnRealFiles() throws Exception {
    Map<String, byte[]> objects = new LinkedHashMap<>();
    int[] sizes = {0, 1, 4095, 4096, 4097, 10 << 20};
    for (int i = 0; i < sizes.length; i++) {
      objects.put("edge/" + sizes[i], random(i, sizes[i]));
    }
    Random r = new Random(42);
    long total = 0;
    for (int i = 0; total < (54 << 20); i++) {
      int size = r.nextInt(3 << 20);
      objects.put("mix/" + i, random(100 + i, size));
      total += size;
    }
    try (Store store = Store.create(dir.resolve("s"), small())) {
      for (Map.Entry<String, byte[]> e : objects.entrySet()) {
        ObjectInfo info = store.put(e.getKey(), new ByteArrayInputStream(e.getValue()));
        assertThat(info.size()).isEqualTo(e.getValue().length);
        assertThat(info.name()).isEqualTo(e.getKey());
      }
    }
    try (Store store = Store.open(dir.resolve("s"))) {
      for (Map.Entry<String, byte[]> e : objects.entrySet()) {
        assertThat(store.read(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        store.get(e.getKey(), out);
        assertThat(out.toByteArray()).isEqualTo(e.getValue());
      }
      assertThat(store.check().problems()).isEmpty();
      assertThat(store.list("")).hasSize(objects.size());
    }
  }

  @Test
  void listStatDeleteAndReplaceBehaveAsDocumented() throws Exception {
    try (Store store = Store.create(dir.resolve("s"), small())) {
      store.put("b/2", new ByteArrayInputStream(random(1, 10)));
      store.put("a/1", new ByteArrayInputStream(random(2, 5000)));
      store.put("b/1", new ByteArrayInputStream(random(3, 1)));
      store.put("c", new ByteArrayInputStream(new byte[0]));
      assertThat(store.list("").stream().map(ObjectInfo::name)).containsExactly("a/1", "b/1", "b/2",
          "c");
      assertThat(store.list("b/").stream().map(ObjectInfo::name)).containsExactly("b/1", "b/2");
      assertThat(store.list("zz")).isEmpty();

      ObjectInfo a = store.stat("a/1").orElseThrow();
      assertThat(a.size()).isEqualTo(5000);
      assertThat(a.extents()).isEqualTo(1);
      assertThat(a.checksum()).isEqualTo(ChecksumType.CRC32C);
      assertThat(store.stat("nope")).isEmpty();

      ObjectInfo replaced = store.put("a/1", new ByteArrayInputStream(random(9, 70000)));
      assertThat(replaced.generation()).isGreaterThan(a.generation());
      assertThat(store.read("a/1")).isEqualTo(random(9, 70000));

      assertThat(store.delete("b/1")).isTrue();
      assertThat(store.delete("b/1")).isFalse();
      assertThat(store.stat("b/1")).isEmpty();
      assertThatThrownBy(() -> store.read("b/1")).isInstanceOf(NoSuchObjectException.class)
          .hasMessageContaining("b/1");
      assertThat(store.read("c")).isEmpty();
      assertThat(store.check().problems()).isEmpty();
    }
    try (Store store = Store.open(dir.resolve("s"))) {
      assertThat(store.list("").stream().map(ObjectInfo::name)).containsExactly("a/1", "b/2", "c");
      assertThat(store.read("a/1")).isEqualTo(random(9, 70000));
    }
  }

  @Test
  void putFromAFileStoresItsBytes() throws Exception {
    Path f = dir.resolve("in.bin");
    Files.write(f, random(5, 300_000));
    try (Store store = Store.create(dir.resolve("s"), small())) {
      store.put("file", f);
      assertThat(store.read("file")).isEqualTo(random(5, 300_000));
    }
  }

  @Test
  void createRefusesADirectoryThatHoldsAStore() throws Exception {
    Store.create(dir.resolve("s"), small()).close();
    assertThatThrownBy(() -> Store.create(dir.resolve("s"), small()))
        .isInstanceOf(java.nio.file.FileAlreadyExistsException.class)
        .hasMessageContaining("mirror-0.img");
  }

  @Test
  void manyObjectsSplitTheDirectoryTreeAndStayListedInOrder() throws Exception {
    List<String> names = new ArrayList<>();
    try (Store store = Store.create(dir.resolve("s"), small())) {
      for (int i = 0; i < 400; i++) {
        String n = "obj-" + "x".repeat(i % 50) + "-" + i;
        names.add(n);
        store.put(n, new ByteArrayInputStream(random(i, i)));
      }
    }
    names.sort(String::compareTo);
    try (Store store = Store.open(dir.resolve("s"))) {
      assertThat(store.list("").stream().map(ObjectInfo::name)).containsExactlyElementsOf(names);
      for (int i = 0; i < 400; i += 37) {
        assertThat(store.read("obj-" + "x".repeat(i % 50) + "-" + i)).isEqualTo(random(i, i));
      }
      assertThat(store.check().problems()).isEmpty();
    }
  }
}
