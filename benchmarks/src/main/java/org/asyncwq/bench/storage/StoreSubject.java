package org.asyncwq.bench.storage;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
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

  @Override
  public int get(int slot, byte[] into) throws IOException {
    Into out = new Into(into);
    store.get("o" + slot, out);
    return out.at;
  }

  @Override
  public void close() {
    store.close();
  }

  /** Copies what the store writes into a caller's array, as a raw read fills its buffer. */
  static final class Into extends OutputStream {
    private final byte[] into;
    int at;

    Into(byte[] into) {
      this.into = into;
    }

    @Override
    public void write(int b) {
      into[at++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      System.arraycopy(b, off, into, at, len);
      at += len;
    }
  }
}
