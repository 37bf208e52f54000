package org.asyncwq.storage.block;

import static org.asyncwq.storage.block.BlockDevice.BLOCK_SIZE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The rewrite of bad copies from a good one, shared by reads and scrub: each bad copy that was
 * tried is rewritten on its mirror if that mirror is still healthy (never a good copy, never an
 * untried one), a failed rewrite counts as a write error of that mirror, and every copy rewritten
 * counts as corrected. Once repairs are withheld (a read-only volume) bad copies are counted and
 * left as they are; the reads still return the verified bytes of the good copy.
 */
final class CopyRepair {
  private static final Logger log = LogManager.getLogger(CopyRepair.class);

  private volatile boolean withhold;
  private final LongAdder withheld = new LongAdder();
  private final LongAdder corrected = new LongAdder();

  /**
   * Rewrites {@code block} on every mirror in {@code bad} that is still healthy from {@code good}
   * (one block, read by absolute index from 0); counts corrections and write errors.
   *
   * @return how many copies were corrected
   */
  long rewrite(long block, ByteBuffer good, List<Mirror> bad) {
    long fixed = 0;
    for (Mirror m : bad) {
      if (!m.healthy()) {
        continue;
      }
      if (withhold) {
        withheld.increment();
        log.info("block {} on {} is bad; not corrected (repairs withheld)", block, m);
        continue;
      }
      try {
        m.device.write(block, good.duplicate().limit(BLOCK_SIZE).position(0));
        fixed++;
        log.info("corrected block {} on {}", block, m);
      } catch (IOException e) {
        m.writeError();
        log.warn("rewriting block {} on {} failed", block, m, e);
      }
    }
    corrected.add(fixed);
    return fixed;
  }

  /** From now on bad copies are counted, never rewritten. */
  void withhold() {
    withhold = true;
  }

  /** Bad copies left as they were since {@link #withhold()}. */
  long withheld() {
    return withheld.sum();
  }

  /** Bad copies rewritten. */
  long corrected() {
    return corrected.sum();
  }
}
