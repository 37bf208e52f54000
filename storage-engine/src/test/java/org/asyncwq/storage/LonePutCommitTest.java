package org.asyncwq.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.MemoryBlockDevice;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 13, a lone producer's put: with nothing else committing, waiting or writing, the put runs
 * its commit on its own thread (no hand-off to the commit thread and back), an interrupt that
 * arrives during that commit neither fails the put nor stops the store, and puts that arrive while
 * a commit runs still queue for the commit thread and share commits.
 */
@Timeout(60)
class LonePutCommitTest {
  private static final long BLOCKS = 4096;

  /** A memory device that records who writes superblocks and can hold or interrupt flushes. */
  private static final class WatchedDevice implements BlockDevice {
    final MemoryBlockDevice inner = new MemoryBlockDevice(BLOCKS);
    final List<String> superblockWriters =
        java.util.Collections.synchronizedList(new ArrayList<>());
    final AtomicBoolean interruptNextFlush = new AtomicBoolean();
    final AtomicReference<CountDownLatch> holdFlush = new AtomicReference<>();
    final CountDownLatch flushHeld = new CountDownLatch(1);

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
      if (firstBlock < Superblock.SLOTS) {
        superblockWriters.add(Thread.currentThread().getName());
      }
      inner.write(firstBlock, src);
    }

    @Override
    public void flush() throws IOException {
      if (interruptNextFlush.compareAndSet(true, false)) {
        Thread.currentThread().interrupt(); // as if interrupted during the device's flush
      }
      CountDownLatch gate = holdFlush.getAndSet(null);
      if (gate != null) {
        flushHeld.countDown();
        try {
          if (!gate.await(20, TimeUnit.SECONDS)) {
            throw new IOException("test gate never opened");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      inner.flush();
    }

    @Override
    public void close() throws IOException {
      inner.close();
    }
  }

  private static byte[] data(int i) {
    return StoreRoundTripTest.random(i, 4096 + i);
  }

  @Test
  void aLonePutCommitsOnItsOwnThread() throws Exception {
    WatchedDevice m0 = new WatchedDevice();
    WatchedDevice m1 = new WatchedDevice();
    try (Store s = Store.create(List.of(m0, m1), StoreOptions.builder().build())) {
      s.put("warm", new ByteArrayInputStream(data(0)));
      m0.superblockWriters.clear();
      long commits = s.stats().commits();
      for (int i = 1; i <= 5; i++) {
        s.put("o" + i, new ByteArrayInputStream(data(i)));
      }
      assertThat(s.stats().commits() - commits).isEqualTo(5);
      assertThat(m0.superblockWriters).hasSize(5)
          .allMatch(name -> name.equals(Thread.currentThread().getName()));
      for (int i = 1; i <= 5; i++) {
        assertThat(s.read("o" + i)).isEqualTo(data(i));
      }
    }
  }

  @Test
  void anInterruptDuringALonePutsCommitNeitherFailsThePutNorStopsTheStore() throws Exception {
    WatchedDevice m0 = new WatchedDevice();
    WatchedDevice m1 = new WatchedDevice();
    try (Store s = Store.create(List.of(m0, m1), StoreOptions.builder().build())) {
      s.put("before", new ByteArrayInputStream(data(1)));
      m0.interruptNextFlush.set(true); // the commit's one flush round, on this thread
      try {
        s.put("during", new ByteArrayInputStream(data(2)));
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
      } finally {
        Thread.interrupted();
      }
      s.put("after", new ByteArrayInputStream(data(3)));
      assertThat(s.read("during")).isEqualTo(data(2));
      assertThat(s.read("after")).isEqualTo(data(3));
    }
    try (Store s = Store.open(List.of(m0.inner, m1.inner))) {
      assertThat(s.read("before")).isEqualTo(data(1));
      assertThat(s.read("during")).isEqualTo(data(2));
      assertThat(s.read("after")).isEqualTo(data(3));
    }
  }

  @Test
  void putsThatArriveWhileALonePutCommitsQueueAndShareACommit() throws Exception {
    WatchedDevice m0 = new WatchedDevice();
    WatchedDevice m1 = new WatchedDevice();
    // Eight groups: each put's transaction locks a group of its own, so none waits for another's.
    try (Store s = Store.create(List.of(m0, m1),
        StoreOptions.builder().allocationGroups(8).build())) {
      s.put("warm", new ByteArrayInputStream(data(0)));
      long commits = s.stats().commits();
      CountDownLatch gate = new CountDownLatch(1);
      m0.holdFlush.set(gate);
      Thread first = new Thread(() -> put(s, "first", data(1)), "first-put");
      first.start();
      assertThat(m0.flushHeld.await(20, TimeUnit.SECONDS)).isTrue(); // first's commit holds
      List<Thread> others = new ArrayList<>();
      for (int i = 2; i <= 4; i++) {
        int n = i;
        Thread t = new Thread(() -> put(s, "p" + n, data(n)), "put-" + n);
        others.add(t);
        t.start();
      }
      // Each waits for a commit: its own queued change behind the one in flight.
      Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> others.stream()
          .allMatch(t -> t.getState() == Thread.State.WAITING));
      gate.countDown();
      first.join(20_000);
      for (Thread t : others) {
        t.join(20_000);
      }
      // first's commit, then at most two for the three that queued meanwhile.
      assertThat(s.stats().commits() - commits).isBetween(2L, 3L);
      assertThat(m0.superblockWriters).contains("first-put", "asyncwq-commit");
      assertThat(s.read("first")).isEqualTo(data(1));
      for (int i = 2; i <= 4; i++) {
        assertThat(s.read("p" + i)).isEqualTo(data(i));
      }
    }
  }

  private static void put(Store s, String name, byte[] bytes) {
    try {
      s.put(name, new ByteArrayInputStream(bytes));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
