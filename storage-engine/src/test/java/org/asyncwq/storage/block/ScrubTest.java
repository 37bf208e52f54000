package org.asyncwq.storage.block;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Point 4: scrub finds and repairs 128 KiB of corruption on one mirror of two. */
@Timeout(60)
class ScrubTest {

  @Test
  void point4_scrubRepairs32CorruptBlocksOf64AndASecondScrubFindsNothing() throws Exception {
    List<FaultyBlockDevice> m = Fixtures.faultyMirrors(2, 128);
    try (MirroredVolume v = MirroredVolume.builder(Fixtures.devices(m)).build()) {
      ByteBuffer data = Fixtures.data(64, 64);
      List<Checksum> sums = v.write(10, data).join();
      List<BlockRef> refs = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        refs.add(new BlockRef(10 + i, sums.get(i)));
      }
      for (int b = 30; b < 62; b++) { // 32 consecutive blocks, 128 KiB
        m.get(1).corrupt(b, b);
      }
      List<long[]> progress = Collections.synchronizedList(new ArrayList<>());

      ScrubReport first = v.scrub(refs, (done, total) -> progress.add(new long[] {done, total}))
          .join();

      assertThat(first).isEqualTo(new ScrubReport(64, 32, 0, 32, 0));
      assertThat(progress).isNotEmpty();
      assertThat(progress.get(progress.size() - 1)).containsExactly(64, 64);
      for (int i = 1; i < progress.size(); i++) {
        assertThat(progress.get(i)[0]).isGreaterThan(progress.get(i - 1)[0]);
      }
      assertThat(v.deviceStats().get(1).corruptionErrors()).isEqualTo(32);
      assertThat(v.deviceStats().get(0).corruptionErrors()).isZero();
      assertThat(v.stats().corrected()).isEqualTo(32);
      for (int b = 30; b < 62; b++) {
        assertThat(m.get(0).writes(b)).isEqualTo(1); // only the original write
        assertThat(m.get(1).writes(b)).isEqualTo(2); // the original write and the repair
      }

      ScrubReport second = v.scrub(refs, ScrubListener.NONE).join();
      assertThat(second).isEqualTo(new ScrubReport(64, 0, 0, 0, 0));
      assertThat(v.read(10, sums, 1).join()).isEqualTo(data);
    }
  }

  @Test
  void scrubCountsUnreadableAndUncorrectableCopies() throws Exception {
    List<FaultyBlockDevice> m = Fixtures.faultyMirrors(2, 8);
    try (MirroredVolume v = MirroredVolume.builder(Fixtures.devices(m)).build()) {
      List<Checksum> sums = v.write(0, Fixtures.data(3, 1)).join();
      m.get(0).failReads(0);            // unreadable, repairable from mirror 1
      m.get(0).corrupt(2, 1);           // block 2 bad everywhere
      m.get(1).corrupt(2, 1);
      List<BlockRef> refs = List.of(new BlockRef(0, sums.get(0)), new BlockRef(1, sums.get(1)),
          new BlockRef(2, sums.get(2)));

      ScrubReport report = v.scrub(refs, ScrubListener.NONE).join();

      assertThat(report).isEqualTo(new ScrubReport(3, 2, 1, 1, 2));
      assertThat(v.deviceStats().get(0).readErrors()).isEqualTo(1);
    }
  }

  @Test
  void emptyScrubReportsNothingAndReachesItsTotal() {
    try (MirroredVolume v = MirroredVolume.builder(
        Fixtures.devices(Fixtures.faultyMirrors(2, 4))).build()) {
      List<long[]> progress = new ArrayList<>();
      assertThat(v.scrub(List.of(), (d, t) -> progress.add(new long[] {d, t})).join())
          .isEqualTo(new ScrubReport(0, 0, 0, 0, 0));
      assertThat(progress).singleElement().satisfies(p -> assertThat(p).containsExactly(0, 0));
    }
  }
}
