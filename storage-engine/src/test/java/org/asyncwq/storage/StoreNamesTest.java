package org.asyncwq.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.util.List;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.MemoryBlockDevice;
import org.junit.jupiter.api.Test;

/** Names: 1 to 1024 bytes of UTF-8 without NUL; anything else refused saying why. */
class StoreNamesTest {
  static Store memoryStore(int mirrors, long blocks) throws Exception {
    List<BlockDevice> devices = new java.util.ArrayList<>();
    for (int i = 0; i < mirrors; i++) {
      devices.add(new MemoryBlockDevice(blocks));
    }
    return Store.create(devices, StoreOptions.defaults());
  }

  @Test
  void badNamesAreRefusedWithTheReasonAndNothingIsStored() throws Exception {
    try (Store store = memoryStore(2, 2048)) {
      store.put("keep", new ByteArrayInputStream(new byte[] {1}));
      assertThatThrownBy(() -> store.put("", new ByteArrayInputStream(new byte[1])))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
      assertThatThrownBy(() -> store.put("a\0b", new ByteArrayInputStream(new byte[1])))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NUL")
          .hasMessageContaining("index 1");
      assertThatThrownBy(() -> store.put("é".repeat(513), new ByteArrayInputStream(new byte[1])))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1026 bytes")
          .hasMessageContaining("1024");
      assertThatThrownBy(() -> store.stat("\uD800x"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("surrogate");
      assertThatThrownBy(() -> store.read(null))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("null");
      assertThat(store.list("").stream().map(ObjectInfo::name)).containsExactly("keep");
    }
  }

  @Test
  void aNameOfExactly1024BytesOfMultiByteUtf8Works() throws Exception {
    String name = "é".repeat(511) + "ab";
    try (Store store = memoryStore(1, 2048)) {
      store.put(name, new ByteArrayInputStream(new byte[] {7}));
      assertThat(store.read(name)).containsExactly(7);
      assertThat(store.list("é").get(0).name()).isEqualTo(name);
    }
  }
}
