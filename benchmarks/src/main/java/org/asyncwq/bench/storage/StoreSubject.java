package org.asyncwq.bench.storage;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.asyncwq.storage.Store;
import org.asyncwq.storage.StoreOptions;
import org.asyncwq.storage.StoreWiring;

/** The store: 2 mirrors of {@link #DEVICE_SIZE} (sparse files), CRC32C, on the given wiring. */
final class StoreSubject implements Subject {
  static final long DEVICE_SIZE = 4L << 30;

  private final Store store;

  StoreSubject(Path dir, StoreWiring wiring) throws IOException {
    this.store = Store.create(dir, StoreOptions.builder().mirrors(2).deviceSize(DEVICE_SIZE)
        .build(), wiring);
  }

  Store store() {
    return store;
  }

  @Override
  public void put(int slot, byte[] data) throws IOException {
    store.put("o" + slot, new ByteArrayInputStream(data));
  }

  /**
   * Reads straight into the caller's array ({@link Store#get(String, ByteBuffer)}), the same
   * destination a raw read fills: a heap buffer the JDK reads through its own direct buffer.
   */
  @Override
  public int get(int slot, byte[] into) throws IOException {
    return store.get("o" + slot, ByteBuffer.wrap(into));
  }

  @Override
  public void close() {
    store.close();
  }
}
