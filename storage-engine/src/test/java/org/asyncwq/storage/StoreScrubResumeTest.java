package org.asyncwq.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import org.asyncwq.storage.block.FaultyBlockDevice;
import org.asyncwq.storage.block.MemoryBlockDevice;
import org.asyncwq.storage.block.ScrubListener;
import org.asyncwq.storage.block.ScrubReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 12 (scrub --resume): a scrub goes in ascending block order and tells how far every block
 * is done, with the counts of exactly those blocks; a scrub from a block scrubs only the blocks at
 * or above it, so an interrupted scrub resumed there covers the store once.
 */
@Timeout(120)
class StoreScrubResumeTest {
  private final FaultyBlockDevice m0 = new FaultyBlockDevice(new MemoryBlockDevice(4096));
  private final FaultyBlockDevice m1 = new FaultyBlockDevice(new MemoryBlockDevice(4096));

  private record Mark(long block, ScrubReport sofar) {}

  @Test
  void scrubbedBelowRisesToTheEndAndAResumeFromAMarkScrubsTheRestOnce() throws Exception {
    try (Store s = Store.create(List.of(m0, m1), StoreOptions.defaults())) {
      // Objects of about 147 blocks each: the two damaged blocks lie hundreds of blocks apart, so
      // at least one of scrub's runs (up to 256 consecutive blocks, one mark each) ends between.
      for (int i = 0; i < 6; i++) {
        s.put("obj" + i, new ByteArrayInputStream(StoreRoundTripTest.random(i, 600_000)));
      }
      long one = s.locate("obj0", 4096).get(1).block();
      long other = s.locate("obj5", 100_000).get(1).block();
      assertThat(one).isNotEqualTo(other);
      long early = Math.min(one, other);
      long late = Math.max(one, other);
      assertThat(late - early).as("blocks between the two damaged ones").isGreaterThan(256);
      m1.corrupt(early, 3);
      m1.corrupt(late, 3);

      List<Mark> marks = new ArrayList<>();
      ScrubReport whole = s.scrub(new ScrubListener() {
        @Override
        public void progress(long done, long total) {}

        @Override
        public void scrubbedBelow(long block, ScrubReport sofar) {
          marks.add(new Mark(block, sofar));
        }
      }).get();
      assertThat(whole.corrected()).isEqualTo(2);
      assertThat(marks).isNotEmpty();
      for (int i = 1; i < marks.size(); i++) {
        assertThat(marks.get(i).block()).isGreaterThan(marks.get(i - 1).block());
        assertThat(marks.get(i).sofar().blocks()).isGreaterThan(marks.get(i - 1).sofar().blocks());
      }
      assertThat(marks.get(marks.size() - 1).sofar()).isEqualTo(whole);

      // The first mark past the early bad block counts the bad blocks below it: the early one,
      // and the late one too when its run finished first (runs are scrubbed several at a time and
      // a run with a bad block waits for its repair, so the finished prefix can jump over both).
      Mark mark = marks.stream().filter(m -> m.block() > early).findFirst().orElseThrow();
      int below = mark.block() > late ? 2 : 1;
      assertThat(mark.sofar().corrected()).isEqualTo(below);

      // Damage both again; a scrub resumed from that mark meets only the bad blocks at or past
      // it, and its blocks plus the mark's make the whole store's.
      m1.corrupt(early, 5);
      m1.corrupt(late, 5);
      ScrubReport rest = s.scrub(mark.block(), ScrubListener.NONE).get();
      assertThat(rest.corrected()).isEqualTo(2 - below);
      assertThat(mark.sofar().blocks() + rest.blocks()).isEqualTo(whole.blocks());
      assertThat(s.scrub(0, ScrubListener.NONE).get().corrected()).as("the ones below were left")
          .isEqualTo(below);
      assertThat(s.scrub(Long.MAX_VALUE, ScrubListener.NONE).get().blocks()).isZero();
    }
  }
}
