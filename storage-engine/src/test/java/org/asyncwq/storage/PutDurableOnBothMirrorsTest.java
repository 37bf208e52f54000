package org.asyncwq.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.asyncwq.storage.block.FaultyBlockDevice;
import org.asyncwq.storage.block.MemoryBlockDevice;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The storage benchmarks compare a put with raw writes of the same bytes to 2 files, both forced
 * before the put returns; this is the store's side of that: on either wiring, a put returns only
 * once everything it wrote has been flushed on both mirrors, whichever mirror's flush is the
 * slower one.
 */
@Timeout(60)
class PutDurableOnBothMirrorsTest {
  private static final long BLOCKS = 4096;

  /** Holds the first flush after {@link #hold} until released; counts writes and ended flushes. */
  private static final class GatedMirror extends ForwardingBlockDevice<FaultyBlockDevice> {
    final AtomicInteger writes = new AtomicInteger();
    final AtomicReference<CountDownLatch[]> held = new AtomicReference<>();
    final AtomicReference<CountDownLatch> ended = new AtomicReference<>();

    GatedMirror() {
      super(new FaultyBlockDevice(new MemoryBlockDevice(BLOCKS)));
    }

    /** The next flush counts down {@code entered} and waits for {@code release}. */
    void hold(CountDownLatch entered, CountDownLatch release) {
      held.set(new CountDownLatch[] {entered, release});
    }

    @Override
    public void write(long firstBlock, ByteBuffer src) throws IOException {
      writes.incrementAndGet();
      inner.write(firstBlock, src);
    }

    @Override
    public void flush() throws IOException {
      CountDownLatch[] gate = held.getAndSet(null);
      if (gate != null) {
        gate[0].countDown();
        try {
          if (!gate[1].await(30, TimeUnit.SECONDS)) {
            throw new IOException("the test never released the held flush");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while held", e);
        }
      }
      inner.flush();
      CountDownLatch done = ended.getAndSet(null);
      if (done != null) {
        done.countDown();
      }
    }
  }

  private static Store create(StoreWiring wiring, GatedMirror m0, GatedMirror m1)
      throws IOException {
    return StoreOpener.create(List.of(m0, m1), StoreOptions.builder().build(), wiring);
  }

  @ParameterizedTest
  @EnumSource(StoreWiring.class)
  void whenAPutReturnsEveryWriteItMadeIsFlushedOnBothMirrors(StoreWiring wiring)
      throws Exception {
    GatedMirror m0 = new GatedMirror();
    GatedMirror m1 = new GatedMirror();
    try (Store s = create(wiring, m0, m1)) {
      for (int size : new int[] {4096, 65536, 1 << 20}) {
        int before0 = m0.writes.get();
        int before1 = m1.writes.get();
        byte[] data = StoreRoundTripTest.random(size, size);
        s.put("o" + size, new ByteArrayInputStream(data));
        assertThat(m0.writes.get()).as("writes to mirror 0").isGreaterThan(before0);
        assertThat(m1.writes.get()).as("writes to mirror 1").isGreaterThan(before1);
        assertThat(m0.inner.unsyncedWrites()).as("%d B: unflushed on mirror 0", size).isZero();
        assertThat(m1.inner.unsyncedWrites()).as("%d B: unflushed on mirror 1", size).isZero();
        assertThat(s.read("o" + size)).isEqualTo(data);
      }
    }
  }

  @ParameterizedTest
  @CsvSource({"ASYNCWQ_QUEUES, 0", "ASYNCWQ_QUEUES, 1", "JDK_EXECUTORS, 0", "JDK_EXECUTORS, 1"})
  void aPutWaitsForTheSlowerMirrorsFlush(StoreWiring wiring, int slow) throws Exception {
    GatedMirror[] m = {new GatedMirror(), new GatedMirror()};
    ExecutorService producer = Executors.newSingleThreadExecutor();
    CountDownLatch release = new CountDownLatch(1);
    try (Store s = create(wiring, m[0], m[1])) {
      try {
        byte[] data = StoreRoundTripTest.random(7, 65536);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch otherEnded = new CountDownLatch(1);
        m[slow].hold(entered, release);
        m[1 - slow].ended.set(otherEnded);

        Future<ObjectInfo> put =
            producer.submit(() -> s.put("x", new ByteArrayInputStream(data)));

        assertThat(entered.await(30, TimeUnit.SECONDS)).as("mirror %d's flush began", slow)
            .isTrue();
        assertThat(otherEnded.await(30, TimeUnit.SECONDS)).as("the other mirror's flush ended")
            .isTrue();
        // One mirror durable, the other's flush still running: the put must not have returned.
        assertThatThrownBy(() -> put.get(300, TimeUnit.MILLISECONDS))
            .isInstanceOf(TimeoutException.class);
        assertThat(m[slow].inner.unsyncedWrites()).isPositive();

        release.countDown();
        put.get(30, TimeUnit.SECONDS);
        assertThat(m[0].inner.unsyncedWrites() + m[1].inner.unsyncedWrites()).isZero();
        assertThat(s.read("x")).isEqualTo(data);
      } finally {
        release.countDown(); // before the store closes: a failed check must not leave it held
      }
    } finally {
      producer.shutdownNow();
      assertThat(producer.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
  }
}
