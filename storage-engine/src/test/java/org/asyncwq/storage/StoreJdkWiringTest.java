package org.asyncwq.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A store on {@link StoreWiring#JDK_EXECUTORS} is the same store: files either wiring opens. */
@Timeout(60)
class StoreJdkWiringTest {
  @TempDir Path dir;

  @Test
  void storeCreatedOnJdkExecutorsReopensOnAsyncwqQueuesWithTheSameObject() throws Exception {
    byte[] data = new byte[300_000];
    new Random(1).nextBytes(data);
    StoreOptions o = StoreOptions.builder().deviceSize(64L << 20).build();
    try (Store s = Store.create(dir, o, StoreWiring.JDK_EXECUTORS)) {
      s.put("a", new ByteArrayInputStream(data));
      assertThat(s.read("a")).isEqualTo(data);
      assertThat(s.stats().queues()).isEmpty();
    }
    try (Store s = Store.open(dir)) {
      assertThat(s.read("a")).isEqualTo(data);
      assertThat(s.scrub((d, t) -> {}).join().blocks()).isPositive();
    }
    try (Store s = Store.open(dir, StoreWiring.JDK_EXECUTORS)) {
      assertThat(s.read("a")).isEqualTo(data);
    }
  }
}
