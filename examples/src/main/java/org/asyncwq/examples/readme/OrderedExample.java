package org.asyncwq.examples.readme;

import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
// tag::pool-ordered[]
import org.asyncwq.ordered.OrderedWork;
import org.asyncwq.ordered.OrderedWorkQueue;
// end::pool-ordered[]

/** README.md, "pool-ordered in one example": checksum blocks in parallel, log them in queue order. */
public final class OrderedExample {

  // tag::pool-ordered[]
  final class ChecksumBlock extends OrderedWork {
    private final byte[] block; private final List<Long> log; private long crc;
    ChecksumBlock(byte[] block, List<Long> log) { this.block = block; this.log = log; }
    @Override protected void work() {            // concurrently with other blocks
      CRC32 c = new CRC32(); c.update(block); crc = c.getValue();
    }
    @Override protected void ordered() {         // strictly in queue order, after work()
      log.add(crc);
    }
  }
  // end::pool-ordered[]

  /**
   * Runs the example as the README shows it.
   *
   * @return the CRC32 of every block, in the order the blocks were given
   */
  public List<Long> checksumInOrder(List<byte[]> blocks) throws InterruptedException {
    List<Long> log = new ArrayList<>(); // only ordered() touches it, one at a time
    // tag::pool-ordered[]
    try (OrderedWorkQueue csum = OrderedWorkQueue.builder("csum").maxActive(4).build()) {
      for (byte[] b : blocks) csum.queue(new ChecksumBlock(b, log));
      csum.flush();     // every block queued above is checksummed and logged
    }                   // close(): drain, then stop the queue's own pool
    // end::pool-ordered[]
    return log;
  }
}
