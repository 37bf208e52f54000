package org.asyncwq.storage;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.asyncwq.storage.block.BlockDevice;

/**
 * Heap buffers for the reads of {@code Store.get(name, OutputStream)}, reused from get to get so a
 * get does not allocate (and zero) a buffer of up to 1 MiB per read: a small bounded pool of
 * {@link #SLOTS} buffers of {@link #CAPACITY} bytes, shared by every reader (at most 8 MiB held).
 * A read of less than {@link #POOLED_FROM} bytes gets a buffer of its own (cheap at that size), as
 * does any read while every pooled buffer is in use. A buffer is given back only once no read
 * writes into it any more. Thread-safe, lock-free.
 */
final class ReadBuffers {
  static final int CAPACITY = ObjectReader.MAX_READ_BLOCKS * BlockDevice.BLOCK_SIZE;
  static final int SLOTS = 8;
  static final int POOLED_FROM = 32 * 1024;

  private final AtomicReferenceArray<ByteBuffer> slots = new AtomicReferenceArray<>(SLOTS);

  /** A buffer of exactly {@code bytes} remaining (position 0), pooled or new. */
  ByteBuffer take(int bytes) {
    if (bytes < POOLED_FROM) {
      return ByteBuffer.allocate(bytes);
    }
    for (int i = 0; i < SLOTS; i++) {
      ByteBuffer b = slots.get(i);
      if (b != null && slots.compareAndSet(i, b, null)) {
        return b.clear().limit(bytes);
      }
    }
    return ByteBuffer.allocate(CAPACITY).limit(bytes);
  }

  /** Gives {@code b} (from {@link #take}) back for reuse, if it is a pooled size and a slot is free. */
  void give(ByteBuffer b) {
    if (b.capacity() != CAPACITY) {
      return;
    }
    for (int i = 0; i < SLOTS; i++) {
      if (slots.get(i) == null && slots.compareAndSet(i, null, b)) {
        return;
      }
    }
  }
}
