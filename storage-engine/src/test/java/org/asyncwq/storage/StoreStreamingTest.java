package org.asyncwq.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streaming: a put reads its input in bounded chunks and a get writes as it reads, so an object
 * never has to fit in memory (the design target is 4 GiB with -Xmx256m; this test streams 48 MiB
 * generated on the fly and compares digests, never holding the object).
 */
@Timeout(300)
class StoreStreamingTest {
  @TempDir Path dir;

  /** A deterministic stream of {@code size} pseudo-random bytes, generated as it is read. */
  static InputStream generated(long size, long seed) {
    return new InputStream() {
      private final Random r = new Random(seed);
      private long left = size;

      @Override
      public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (left == 0) {
          return -1;
        }
        int n = (int) Math.min(len, left);
        byte[] chunk = new byte[n];
        r.nextBytes(chunk);
        System.arraycopy(chunk, 0, b, off, n);
        left -= n;
        return n;
      }
    };
  }

  @Test
  void aLargeObjectStreamsInAndOutWithoutBeingHeldInMemory() throws Exception {
    long size = (48L << 20) + 123;
    MessageDigest expected = MessageDigest.getInstance("SHA-256");
    try (InputStream in = generated(size, 7)) {
      byte[] buf = new byte[65536];
      for (int n; (n = in.read(buf)) > 0; ) {
        expected.update(buf, 0, n);
      }
    }
    try (Store store = Store.create(dir.resolve("s"),
        StoreOptions.builder().deviceSize(128L << 20).build())) {
      ObjectInfo info = store.put("big", generated(size, 7));
      assertThat(info.size()).isEqualTo(size);
      MessageDigest got = MessageDigest.getInstance("SHA-256");
      long[] written = {0};
      store.get("big", new OutputStream() {
        @Override
        public void write(int b) {
          got.update((byte) b);
          written[0]++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
          got.update(b, off, len);
          written[0] += len;
        }
      });
      assertThat(written[0]).isEqualTo(size);
      assertThat(got.digest()).isEqualTo(expected.digest());
    }
  }
}
