package org.asyncwq.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.FaultyBlockDevice;
import org.asyncwq.storage.block.MemoryBlockDevice;
import org.asyncwq.storage.block.StorageQueues;
import org.asyncwq.storage.block.UncorrectableDataException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, the read side: {@link Store#get(String, ByteBuffer)} reads an object straight into the
 * caller's buffer and verifies it there (one positional read per mebibyte, no queue work, no large
 * buffer allocated), touches no byte outside the object's range, repairs a bad copy there, and
 * never leaves unverified bytes behind when it fails; a stream get reuses its read buffers.
 */
@Timeout(60)
class StoreGetIntoBufferTest {
  private static final long BLOCKS = 8192; // 32 MiB per mirror
  private static final byte SENTINEL = 0x5A;
  private static final int MIB = 1 << 20;

  @TempDir Path dir;

  /** Counts read calls, so a test sees how many positional reads a get made. */
  private static final class CountingDevice extends ForwardingBlockDevice<BlockDevice> {
    final LongAdder reads = new LongAdder();

    CountingDevice(BlockDevice inner) {
      super(inner);
    }

    @Override
    public void read(long firstBlock, ByteBuffer dst) throws IOException {
      reads.increment();
      inner.read(firstBlock, dst);
    }
  }


  private static List<FaultyBlockDevice> faulty() {
    List<FaultyBlockDevice> m = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      m.add(new FaultyBlockDevice(new MemoryBlockDevice(BLOCKS)));
    }
    return m;
  }

  private static ByteBuffer sentinels(ByteBuffer b) {
    for (int i = 0; i < b.capacity(); i++) {
      b.put(i, SENTINEL);
    }
    return b;
  }

  private static byte[] range(ByteBuffer b, int from, int to) {
    byte[] out = new byte[to - from];
    b.get(from, out);
    return out;
  }

  private static byte[] filled(int n, byte value) {
    byte[] b = new byte[n];
    Arrays.fill(b, value);
    return b;
  }

  @Test
  void aGetFillsTheBufferFromItsPositionAndTouchesNothingElse() throws Exception {
    List<FaultyBlockDevice> m = faulty();
    try (Store s = Store.create(new ArrayList<BlockDevice>(m), StoreOptions.defaults())) {
      int[] sizes = {0, 1, 4095, 4096, 4097, 65536, MIB, MIB + 5000, 3 * MIB};
      for (int size : sizes) {
        byte[] data = StoreRoundTripTest.random(size, size);
        s.put("o" + size, new ByteArrayInputStream(data));
        for (ByteBuffer whole : List.of(ByteBuffer.allocate(size + 20),
            ByteBuffer.allocateDirect(size + 20))) {
          ByteBuffer dst = sentinels(whole).position(7);
          assertThat(s.get("o" + size, dst)).as("size %d", size).isEqualTo(size);
          assertThat(dst.position()).isEqualTo(7 + size);
          assertThat(range(whole, 7, 7 + size)).as("size %d", size).isEqualTo(data);
          assertThat(range(whole, 0, 7)).isEqualTo(filled(7, SENTINEL));
          assertThat(range(whole, 7 + size, size + 20)).isEqualTo(filled(13, SENTINEL));
        }
        assertThat(s.read("o" + size)).isEqualTo(data);
      }
    }
  }

  @Test
  void aWarmGetIsOnePositionalReadPerMebibyteQueuesNoWorkAndAllocatesNoLargeBuffer()
      throws Exception {
    List<CountingDevice> m = List.of(new CountingDevice(new MemoryBlockDevice(BLOCKS)),
        new CountingDevice(new MemoryBlockDevice(BLOCKS)));
    try (Store s = Store.create(new ArrayList<BlockDevice>(m), StoreOptions.defaults())) {
      byte[] data = StoreRoundTripTest.random(3, MIB);
      s.put("big", new ByteArrayInputStream(data));
      ByteBuffer dst = ByteBuffer.allocate(MIB);
      s.get("big", dst.clear()); // warms the page cache
      long reads = m.get(0).reads.sum() + m.get(1).reads.sum();
      long submit = s.stats().queues().get(StorageQueues.SUBMIT).normal().queue().completed();

      com.sun.management.ThreadMXBean threads =
          (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      long id = Thread.currentThread().getId();
      int gets = 20;
      for (int i = 0; i < gets; i++) { // warm the code before measuring
        s.get("big", dst.clear());
        s.get("big", OutputStream.nullOutputStream());
      }
      long before = threads.getThreadAllocatedBytes(id);
      for (int i = 0; i < gets; i++) {
        s.get("big", dst.clear());
      }
      long intoBuffer = (threads.getThreadAllocatedBytes(id) - before) / gets;
      before = threads.getThreadAllocatedBytes(id);
      for (int i = 0; i < gets; i++) {
        s.get("big", OutputStream.nullOutputStream());
      }
      long toStream = (threads.getThreadAllocatedBytes(id) - before) / gets;

      assertThat(dst.flip()).isEqualTo(ByteBuffer.wrap(data));
      // 4 * gets gets after the first, one read call each
      assertThat(m.get(0).reads.sum() + m.get(1).reads.sum() - reads).isEqualTo(4L * gets);
      assertThat(s.stats().queues().get(StorageQueues.SUBMIT).normal().queue().completed())
          .isEqualTo(submit);
      assertThat(intoBuffer).as("bytes allocated per get into a buffer").isLessThan(MIB / 8);
      assertThat(toStream).as("bytes allocated per get to a stream").isLessThan(MIB / 8);
    }
  }

  @Test
  void aBufferTooSmallOrReadOnlyIsRefusedBeforeAnyReadAndLeftUntouched() throws Exception {
    List<CountingDevice> m = List.of(new CountingDevice(new MemoryBlockDevice(BLOCKS)),
        new CountingDevice(new MemoryBlockDevice(BLOCKS)));
    try (Store s = Store.create(new ArrayList<BlockDevice>(m), StoreOptions.defaults())) {
      s.put("x", new ByteArrayInputStream(StoreRoundTripTest.random(1, 10_000)));
      assertThat(s.read("x")).hasSize(10_000); // caches the tree pages: a lookup reads nothing
      long reads = m.get(0).reads.sum() + m.get(1).reads.sum();
      ByteBuffer small = sentinels(ByteBuffer.allocate(10_000)).position(1);
      assertThatThrownBy(() -> s.get("x", small))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("get of \"x\": the object has 10000 bytes, the buffer has room for 9999");
      assertThat(small.position()).isEqualTo(1);
      assertThat(range(small, 0, 10_000)).isEqualTo(filled(10_000, SENTINEL));
      assertThatThrownBy(() -> s.get("x", ByteBuffer.allocate(20_000).asReadOnlyBuffer()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("read-only");
      assertThatThrownBy(() -> s.get("missing", ByteBuffer.allocate(10)))
          .isInstanceOf(NoSuchObjectException.class);
      assertThat(m.get(0).reads.sum() + m.get(1).reads.sum()).isEqualTo(reads);
      assertThat(s.read("x")).isEqualTo(StoreRoundTripTest.random(1, 10_000)); // nothing lost
    }
  }

  @Test
  void aBadCopyIsRepairedInTheBufferAndABlockWithNoGoodCopyLeavesTheRangeZeroed()
      throws Exception {
    List<FaultyBlockDevice> m = faulty();
    try (Store s = Store.create(new ArrayList<BlockDevice>(m), StoreOptions.defaults())) {
      byte[] data = StoreRoundTripTest.random(9, 3 * 4096 + 100); // its last block is partial
      s.put("x", new ByteArrayInputStream(data));
      s.put("y", new ByteArrayInputStream(data, 0, 4096));
      assertThat(s.read("x")).isEqualTo(data); // caches the tree pages: only data reads follow
      assertThat(s.read("y")).hasSize(4096);
      long second = s.locate("x", 4096).get(0).block();
      long last = s.locate("x", 3 * 4096).get(0).block();
      // The mirror the gets of "x" read its blocks from: always the same one for one position.
      long[] before = {m.get(0).reads(second), m.get(1).reads(second)};
      assertThat(s.get("x", ByteBuffer.allocate(data.length))).isEqualTo(data.length);
      int readFrom = m.get(0).reads(second) > before[0] ? 0 : 1;
      assertThat(m.get(readFrom).reads(second)).isEqualTo(before[readFrom] + 1);
      assertThat(m.get(1 - readFrom).reads(second)).isEqualTo(before[1 - readFrom]);
      m.get(readFrom).corrupt(second, 11); // bad there only: repaired from the other mirror
      for (int i = 0; i < 2; i++) {
        ByteBuffer dst = ByteBuffer.allocate(data.length);
        assertThat(s.get("x", dst)).isEqualTo(data.length);
        assertThat(dst.array()).isEqualTo(data);
      }
      assertThat(s.stats().volume().corrected()).isEqualTo(1);
      assertThat(s.deviceStats().get(readFrom).corruptionErrors()).isEqualTo(1);

      for (long block : new long[] {second, last}) {
        m.get(0).corrupt(block, 3);
        m.get(1).corrupt(block, 3); // no good copy left
        ByteBuffer whole = sentinels(ByteBuffer.allocate(data.length + 10));
        ByteBuffer dst = whole.duplicate().position(5);
        assertThatThrownBy(() -> s.get("x", dst)).isInstanceOf(UncorrectableDataException.class);
        assertThat(dst.position()).isEqualTo(5);
        assertThat(range(whole, 5, 5 + data.length)).isEqualTo(new byte[data.length]);
        assertThat(range(whole, 0, 5)).isEqualTo(filled(5, SENTINEL));
        assertThat(range(whole, 5 + data.length, data.length + 10)).isEqualTo(filled(5, SENTINEL));
        m.get(0).corrupt(block, 3); // flips the bits back: both copies good again
        m.get(1).corrupt(block, 3);
      }
      assertThat(s.read("x")).isEqualTo(data);
    }
  }

  @Test
  void anInterruptedGetIntoABufferCompletesAndKeepsTheFlagOnFileMirrors() throws Exception {
    byte[] data = StoreRoundTripTest.random(4, MIB + 123);
    try (Store s = Store.create(dir.resolve("s"),
        StoreOptions.builder().deviceSize(64L << 20).build())) {
      s.put("x", new ByteArrayInputStream(data));
      ByteBuffer dst = ByteBuffer.allocateDirect(data.length);
      Thread.currentThread().interrupt();
      int n;
      boolean flag;
      try {
        n = s.get("x", dst);
      } finally {
        flag = Thread.interrupted();
      }
      assertThat(flag).isTrue();
      assertThat(n).isEqualTo(data.length);
      assertThat(range(dst, 0, data.length)).isEqualTo(data);
      assertThat(s.get("x", dst.clear())).isEqualTo(data.length); // no channel left closed
      assertThat(s.stats().devices()).allSatisfy(d -> assertThat(d.readErrors()).isZero());
    }
  }
}
