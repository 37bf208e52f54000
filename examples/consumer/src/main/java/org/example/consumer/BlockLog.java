package org.example.consumer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import org.asyncwq.ordered.OrderedWork;
import org.asyncwq.ordered.OrderedWorkQueue;

/**
 * A user of pool-ordered alone: checksums lines in parallel and prints them in input order.
 * Run it with the lines as arguments.
 */
public final class BlockLog {
  private BlockLog() {}

  /** One line: checksummed on any thread, logged in queue order. */
  private static final class Line extends OrderedWork {
    private final String text;
    private final List<String> log;
    private long crc;

    Line(String text, List<String> log) {
      this.text = text;
      this.log = log;
    }

    @Override
    protected void work() {
      CRC32 c = new CRC32();
      c.update(text.getBytes(StandardCharsets.UTF_8));
      crc = c.getValue();
    }

    @Override
    protected void ordered() {
      log.add(String.format("%08x %s", crc, text));
    }
  }

  /** The lines with their CRC32 in front, in the order given. */
  public static List<String> checksum(List<String> lines) throws InterruptedException {
    List<String> log = new ArrayList<>();
    try (OrderedWorkQueue queue = OrderedWorkQueue.builder("consumer").maxActive(4).build()) {
      for (String line : lines) {
        queue.queue(new Line(line, log));
      }
      queue.flush();
    }
    return log;
  }

  public static void main(String[] args) throws InterruptedException {
    checksum(List.of(args)).forEach(System.out::println);
  }
}
