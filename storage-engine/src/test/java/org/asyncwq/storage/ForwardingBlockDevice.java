package org.asyncwq.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.asyncwq.storage.block.BlockDevice;

/**
 * Test device that passes every call to {@link #inner}; a test device extends it and overrides
 * only the calls it watches or delays.
 */
abstract class ForwardingBlockDevice<D extends BlockDevice> implements BlockDevice {
  final D inner;

  ForwardingBlockDevice(D inner) {
    this.inner = inner;
  }

  @Override
  public long blockCount() {
    return inner.blockCount();
  }

  @Override
  public void read(long firstBlock, ByteBuffer dst) throws IOException {
    inner.read(firstBlock, dst);
  }

  @Override
  public void write(long firstBlock, ByteBuffer src) throws IOException {
    inner.write(firstBlock, src);
  }

  @Override
  public void flush() throws IOException {
    inner.flush();
  }

  @Override
  public void close() throws IOException {
    inner.close();
  }
}
