package org.asyncwq.ordered;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The OrderedWorkQueue example given for README.md, compiled and run as written there. */
@Timeout(60)
class ReadmeExampleTest {

  // --- README example starts here ---
  /** Checksums a block in parallel; appends it to the log strictly in the order queued. */
  static final class ChecksumBlock extends OrderedWork {
    private final byte[] block;
    private final List<Long> log;
    private long crc;

    ChecksumBlock(byte[] block, List<Long> log) {
      this.block = block;
      this.log = log;
    }

    @Override
    protected void work() { // runs concurrently with the other blocks
      CRC32 c = new CRC32();
      c.update(block);
      crc = c.getValue();
    }

    @Override
    protected void ordered() { // in queue order, after this block's work() returned
      log.add(crc);
    }
  }

  static List<Long> checksumInOrder(List<String> blocks) throws InterruptedException {
    List<Long> log = new ArrayList<>(); // only ordered() touches it, one at a time
    try (OrderedWorkQueue csum = OrderedWorkQueue.builder("csum").maxActive(4).build()) {
      for (String b : blocks) {
        csum.queue(new ChecksumBlock(b.getBytes(StandardCharsets.UTF_8), log));
      }
      csum.flush(); // every block queued above has been checksummed and logged
    } // close(): drains, then stops the queue's own pool
    return log;
  }
  // --- README example ends here ---

  @Test
  void readmeExampleLogsChecksumsInQueueOrder() throws Exception {
    List<String> blocks = new ArrayList<>();
    List<Long> expected = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      String b = "block-" + i;
      blocks.add(b);
      CRC32 c = new CRC32();
      c.update(b.getBytes(StandardCharsets.UTF_8));
      expected.add(c.getValue());
    }
    assertThat(checksumInOrder(blocks)).containsExactlyElementsOf(expected);
  }
}
