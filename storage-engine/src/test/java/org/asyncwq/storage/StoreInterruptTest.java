package org.asyncwq.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.asyncwq.storage.block.DeviceState;
import org.asyncwq.storage.block.DeviceStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reader interrupted while it gets objects from a store on two file-backed mirrors: every get
 * completes with the verified bytes and leaves the reader's interrupt flag set (the contract {@link
 * Store#get} documents), no mirror is marked faulty or counts an error, nothing is repaired, and
 * {@link Store#check()} is clean afterwards.
 */
@Timeout(60)
class StoreInterruptTest {
  private static final int STRESS = Integer.getInteger("asyncwq.stress", 1);
  private static final int ROUNDS = 40 * STRESS;
  private static final int OBJECTS = 4;

  @TempDir Path dir;

  @Test
  void anInterruptedGetCompletesKeepsTheFlagAndFailsNoMirror() throws Exception {
    try (Store s = Store.create(dir.resolve("s"),
        StoreOptions.builder().mirrors(2).deviceSize(32L << 20).build())) {
      byte[][] data = new byte[OBJECTS][];
      for (int i = 0; i < OBJECTS; i++) {
        data[i] = StoreRoundTripTest.random(i, 1 << 20);
        s.put("o" + i, new ByteArrayInputStream(data[i]));
      }
      Semaphore working = new Semaphore(0);
      Semaphore interrupted = new Semaphore(0);
      AtomicLong gets = new AtomicLong();
      CompletableFuture<Void> reader = new CompletableFuture<>();
      Thread t = new Thread(() -> {
        try {
          for (int r = 0; r < ROUNDS; r++) {
            working.release();
            int i = 0;
            do {
              int k = i++ % OBJECTS;
              byte[] got;
              if (k % 2 == 0) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                s.get("o" + k, out);
                got = out.toByteArray();
              } else {
                got = s.read("o" + k);
              }
              assertThat(got).as("o%d in round %d", k, r).isEqualTo(data[k]);
              gets.incrementAndGet();
            } while (!interrupted.tryAcquire());
            assertThat(Thread.interrupted()).as("interrupt flag after round %d", r).isTrue();
          }
          reader.complete(null);
        } catch (IOException | RuntimeException | AssertionError e) {
          reader.completeExceptionally(e);
        } finally {
          working.release(ROUNDS); // a failed reader must not leave the interrupter waiting
        }
      }, "interrupted-reader");
      t.start();
      for (int r = 0; r < ROUNDS; r++) {
        working.acquire();
        t.interrupt();
        interrupted.release();
      }
      t.join();
      reader.get();
      assertThat(gets.get()).isGreaterThanOrEqualTo(ROUNDS);

      StoreStats st = s.stats();
      for (DeviceStats d : st.devices()) {
        assertThat(d.state()).as("mirror %d", d.mirror()).isEqualTo(DeviceState.HEALTHY);
        assertThat(d.budgetErrors() + d.corruptionErrors()).as("mirror %d errors", d.mirror())
            .isZero();
      }
      assertThat(st.volume().corrected()).as("repairs").isZero();
      assertThat(st.volume().uncorrectable()).isZero();
      CheckReport check = s.check();
      assertThat(check.problems()).isEmpty();
      assertThat(check.objects()).isEqualTo(OBJECTS);
    }
  }
}
