package org.asyncwq.bench.storage;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.SplittableRandom;
import org.asyncwq.storage.StoreWiring;

/**
 * The streaming case, run in its own JVM (started by {@link StreamingRun} with {@code -Xmx256m}):
 * puts one object of {@code bytes} as a stream (never whole in memory) and gets it back to a sink,
 * warm-up rounds first, then measured rounds; for each round the wall time and the process's CPU
 * time (user + sys, {@code OperatingSystemMXBean.getProcessCpuTime}) of the put and of the get.
 * At the end it prints one line: the figures per round and the peak RSS ({@code VmHWM} of {@code
 * /proc/self/status}).
 *
 * <p>Arguments: {@code contender bytes warmups rounds dir}, the contender one of {@code ASYNCWQ},
 * {@code JDK_EXECUTORS}, {@code RAW_FILECHANNEL}.
 */
public final class StreamingProbe {
  static final int CHUNK = 1 << 20;

  private StreamingProbe() {}

  public static void main(String[] args) throws Exception {
    StorageContender contender = StorageContender.valueOf(args[0]);
    long bytes = Long.parseLong(args[1]);
    int warmups = Integer.parseInt(args[2]);
    int rounds = Integer.parseInt(args[3]);
    Path dir = Path.of(args[4]);
    OperatingSystemMXBean os =
        (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    StringBuilder line = new StringBuilder("streaming");
    try (Streamer s = open(contender, dir, bytes)) {
      for (int r = 0; r < warmups + rounds; r++) {
        long t0 = System.nanoTime();
        long c0 = os.getProcessCpuTime();
        s.put();
        long t1 = System.nanoTime();
        long c1 = os.getProcessCpuTime();
        long got = s.get();
        long t2 = System.nanoTime();
        long c2 = os.getProcessCpuTime();
        if (got != bytes) {
          throw new IllegalStateException("got " + got + " bytes back, put " + bytes);
        }
        if (r >= warmups) {
          line.append(String.format(Locale.ROOT, " round=%d,%d,%d,%d", t1 - t0, c1 - c0,
              t2 - t1, c2 - c1));
        }
      }
    }
    line.append(" vmhwm_kib=").append(peakRssKib());
    System.out.println(line);
  }

  /** VmHWM of /proc/self/status in KiB, or -1 where there is no /proc. */
  static long peakRssKib() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.exists(status)) {
      return -1;
    }
    for (String l : Files.readAllLines(status)) {
      if (l.startsWith("VmHWM:")) {
        return Long.parseLong(l.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  private static Streamer open(StorageContender c, Path dir, long bytes) throws IOException {
    switch (c) {
      case ASYNCWQ:
        return new StoreStreamer(new StoreSubject(dir, StoreWiring.ASYNCWQ_QUEUES), bytes);
      case JDK_EXECUTORS:
        return new StoreStreamer(new StoreSubject(dir, StoreWiring.JDK_EXECUTORS), bytes);
      case RAW_FILECHANNEL:
        return new RawStreamer(dir, bytes);
      default:
        throw new IllegalArgumentException("no streaming case for " + c);
    }
  }

  /** Puts and gets the one streamed object. */
  private interface Streamer extends AutoCloseable {
    void put() throws IOException;

    long get() throws IOException;

    @Override
    void close() throws IOException;
  }

  /** A stream of {@code bytes} pseudo-random bytes, produced a chunk at a time. */
  private static final class Source extends InputStream {
    private final byte[] chunk = new byte[CHUNK];
    private long left;
    private int at = CHUNK;

    Source(long bytes) {
      this.left = bytes;
      new SplittableRandom(13).nextBytes(chunk);
    }

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
      if (at == CHUNK) {
        at = 0;
      }
      int n = (int) Math.min(Math.min(len, CHUNK - at), left);
      System.arraycopy(chunk, at, b, off, n);
      at += n;
      left -= n;
      return n;
    }
  }

  /** Counts and drops what it is given. */
  private static final class Sink extends OutputStream {
    long count;

    @Override
    public void write(int b) {
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      count += len;
    }
  }

  private static final class StoreStreamer implements Streamer {
    private final StoreSubject subject;
    private final long bytes;

    StoreStreamer(StoreSubject subject, long bytes) {
      this.subject = subject;
      this.bytes = bytes;
    }

    @Override
    public void put() throws IOException {
      subject.store().put("stream", new Source(bytes));
    }

    @Override
    public long get() throws IOException {
      Sink sink = new Sink();
      subject.store().get("stream", sink);
      return sink.count;
    }

    @Override
    public void close() {
      subject.close();
    }
  }

  /** The same bytes to 2 files in 1 MiB positional writes, both forced at the end; read one. */
  private static final class RawStreamer implements Streamer {
    private final FileChannel[] files = new FileChannel[2];
    private final long bytes;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);

    RawStreamer(Path dir, long bytes) throws IOException {
      this.bytes = bytes;
      for (int i = 0; i < files.length; i++) {
        files[i] = FileChannel.open(dir.resolve("raw-" + i + ".bin"), StandardOpenOption.CREATE,
            StandardOpenOption.READ, StandardOpenOption.WRITE);
      }
    }

    @Override
    public void put() throws IOException {
      Source in = new Source(bytes);
      byte[] chunk = new byte[CHUNK];
      long at = 0;
      int n;
      while ((n = in.read(chunk, 0, CHUNK)) > 0) {
        for (FileChannel f : files) {
          ByteBuffer b = ByteBuffer.wrap(chunk, 0, n);
          while (b.hasRemaining()) {
            f.write(b, at + b.position());
          }
        }
        at += n;
      }
      for (FileChannel f : files) {
        f.force(false);
      }
    }

    @Override
    public long get() throws IOException {
      long at = 0;
      int n;
      while (at < bytes && (n = files[0].read(buffer.clear(), at)) > 0) {
        at += n;
      }
      return at;
    }

    @Override
    public void close() throws IOException {
      for (FileChannel f : files) {
        f.close();
      }
    }
  }
}
