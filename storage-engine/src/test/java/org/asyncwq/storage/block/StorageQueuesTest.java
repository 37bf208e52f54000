package org.asyncwq.storage.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class StorageQueuesTest {

  @Test
  void sixNamedQueuesSizedByTheBuilderShareOneStarter() throws Exception {
    try (StorageQueues q = StorageQueues.builder().limitActive(StorageQueues.ENDIO, 1)
        .limitActive("submit", 3).build()) {
      assertThat(q.stats()).containsOnlyKeys("csum", "submit", "endio", "endio-write",
          "endio-repair", "alloc");
      assertThat(q.queue("endio").limitActive()).isEqualTo(1);
      assertThat(q.queue("submit").limitActive()).isEqualTo(3);
      assertThat(q.queue("csum").limitActive()).isEqualTo(StorageQueues.defaultLimit());
      assertThat(q.stats().get("endio").normal().limitActive()).isEqualTo(1);

      CountDownLatch ran = new CountDownLatch(StorageQueues.NAMES.size());
      for (String name : StorageQueues.NAMES) {
        q.executor(name).execute(ran::countDown);
      }
      assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
      // every queue's first thread was created by the one starter, never by a submitter; the
      // starter counts a start after it returns, which can be after the new thread ran its work
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(q.starter().stats().executed())
              .isGreaterThanOrEqualTo(StorageQueues.NAMES.size()));
    }
  }

  @Test
  void unknownQueuesAndBadLimitsAreRefusedByName() {
    assertThatThrownBy(() -> StorageQueues.builder().limitActive("commit", 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no storage queue named 'commit'");
    assertThatThrownBy(() -> StorageQueues.builder().limitActive("csum", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("limitActive of csum must be at least 1, was 0");
    try (StorageQueues q = StorageQueues.create()) {
      assertThatThrownBy(() -> q.queue("nope")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("nope");
    }
  }
}
