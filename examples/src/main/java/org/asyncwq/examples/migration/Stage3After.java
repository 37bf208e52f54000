package org.asyncwq.examples.migration;

import static org.asyncwq.examples.migration.Checksums.crc32;

import java.util.ArrayList;
import java.util.List;
import org.asyncwq.ordered.OrderedWork;
import org.asyncwq.ordered.OrderedWorkQueue;

/** Stage 3, after: an {@link OrderedWorkQueue} runs work() in parallel and ordered() in order. */
public final class Stage3After {
  private Stage3After() {}

  // tag::after[]
  static final class LogChecksum extends OrderedWork {
    private final byte[] block; private final List<Long> log; private long crc;
    LogChecksum(byte[] block, List<Long> log) { this.block = block; this.log = log; }
    @Override protected void work() { crc = crc32(block); }    // in parallel
    @Override protected void ordered() { log.add(crc); }       // in queue order, one at a time
  }
  // end::after[]

  /** The blocks' checksums, computed in parallel, logged in the order of the blocks. */
  public static List<Long> checksumInOrder(List<byte[]> blocks)
      throws InterruptedException {
    // tag::after[]

    List<Long> log = new ArrayList<>();
    try (OrderedWorkQueue queue = OrderedWorkQueue.builder("csum").maxActive(4).build()) {
      for (byte[] block : blocks) queue.queue(new LogChecksum(block, log));
      queue.flush();
    }
    // end::after[]
    return log;
  }
}
