package org.asyncwq.storage.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link StorageQueues#onExecutors} and {@link JdkExecutorQueuesModule}: the JDK wiring. */
@Timeout(30)
class StorageQueuesOnExecutorsTest {

  @Test
  void threadPoolQueuesRunEveryNamedQueueAtItsLimitAndCloseStopsTheirThreads() throws Exception {
    StorageQueues q = JdkExecutorQueuesModule.threadPoolQueues(Map.of(StorageQueues.ENDIO, 1));
    assertThat(q.onJdkExecutors()).isTrue();
    assertThat(q.limitActive(StorageQueues.ENDIO)).isEqualTo(1);
    assertThat(q.limitActive(StorageQueues.CSUM)).isEqualTo(StorageQueues.defaultLimit());
    assertThat(q.stats()).isEmpty();
    CountDownLatch ran = new CountDownLatch(StorageQueues.NAMES.size());
    Map<String, Thread> threads = new HashMap<>();
    for (String name : StorageQueues.NAMES) {
      q.executor(name).execute(() -> {
        synchronized (threads) {
          threads.put(name, Thread.currentThread());
        }
        ran.countDown();
      });
    }
    assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(threads.get(StorageQueues.ENDIO).getName()).startsWith("jdk-endio-");
    q.close();
    for (Thread t : threads.values()) {
      t.join(10_000);
      assertThat(t.isAlive()).as(t.getName()).isFalse();
    }
  }

  @Test
  void queueByNameIsRefusedOnJdkExecutorsAndUnknownNamesSayWhichExist() {
    try (StorageQueues q = JdkExecutorQueuesModule.threadPoolQueues(Map.of())) {
      assertThatThrownBy(() -> q.queue(StorageQueues.CSUM))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("JDK executors");
      assertThatThrownBy(() -> q.limitActive("nope"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("csum");
    }
    assertThatThrownBy(() -> JdkExecutorQueuesModule.threadPoolQueues(Map.of("nope", 2)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope");
    assertThatThrownBy(() -> StorageQueues.onExecutors(Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("endio");
  }

  @Test
  void asyncwqQueuesReportTheirLimitActiveByName() {
    try (StorageQueues q = StorageQueues.builder().limitActive(StorageQueues.SUBMIT, 3).build()) {
      assertThat(q.onJdkExecutors()).isFalse();
      assertThat(q.limitActive(StorageQueues.SUBMIT)).isEqualTo(3)
          .isEqualTo(q.queue(StorageQueues.SUBMIT).limitActive());
    }
  }

  @Test
  void theVolumeWritesAndReadsVerifiedBlocksOnJdkExecutors() throws Exception {
    List<FaultyBlockDevice> mirrors = Fixtures.faultyMirrors(2, 64);
    try (StorageQueues q = JdkExecutorQueuesModule.threadPoolQueues(Map.of());
         MirroredVolume v = MirroredVolume.builder(Fixtures.devices(mirrors)).queues(q).build()) {
      List<Checksum> sums = v.write(0, Fixtures.data(64, 7)).get(10, TimeUnit.SECONDS);
      mirrors.get(0).corrupt(5, 9);
      CompletableFuture<java.nio.ByteBuffer> read = v.read(0, sums);
      assertThat(read.get(10, TimeUnit.SECONDS)).isEqualTo(Fixtures.data(64, 7));
      assertThat(v.stats().corrected()).isEqualTo(1);
    }
  }
}
