package org.asyncwq.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 11 point 7: a put that does not fit fails clearly and changes nothing. */
@Timeout(120)
class StoreFullTest {
  private static final int BLOCK = 4096;

  @Test
  void aPutThatDoesNotFitFailsLeavesTheStoreAsItWasAndFitsAfterADelete() throws Exception {
    byte[] a = StoreRoundTripTest.random(1, 256 * BLOCK);
    byte[] b = StoreRoundTripTest.random(2, 256 * BLOCK);
    byte[] big = StoreRoundTripTest.random(3, 600 * BLOCK);
    byte[] oldBig = StoreRoundTripTest.random(4, 1000);
    try (Store s = StoreNamesTest.memoryStore(2, 1024)) {
      s.put("a", new ByteArrayInputStream(a));
      s.put("b", new ByteArrayInputStream(b));
      s.put("big", new ByteArrayInputStream(oldBig));
      long free = s.stats().freeBlocks();

      assertThatThrownBy(() -> s.put("big", new ByteArrayInputStream(big)))
          .isInstanceOf(StoreFullException.class)
          .hasMessageContaining("no room for object \"big\"")
          .hasMessageContaining("nothing was changed");

      assertThat(s.read("big")).isEqualTo(oldBig);
      assertThat(s.read("a")).isEqualTo(a);
      assertThat(s.read("b")).isEqualTo(b);
      // Nothing leaked; the commit the put forced may have released space deferred before.
      assertThat(s.stats().freeBlocks()).isGreaterThanOrEqualTo(free);
      assertThat(s.check().problems()).isEmpty();

      assertThat(s.delete("a")).isTrue();
      ObjectInfo info = s.put("big", new ByteArrayInputStream(big));
      assertThat(info.size()).isEqualTo(big.length);
      assertThat(s.read("big")).isEqualTo(big);
      assertThat(s.read("b")).isEqualTo(b);
      assertThat(s.check().problems()).isEmpty();
    }
  }
}
