package org.asyncwq.storage.block;

import static org.asyncwq.storage.block.BlockDevice.BLOCK_SIZE;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The volume's read policy (issue 13): a read that names no mirror starts on the same healthy
 * mirror every time for the same position, whichever read call makes it, and positions spread over
 * the mirrors in stripes of {@link MirrorSet#STRIPE_BLOCKS} blocks. A faulty mirror's positions are
 * read from the next healthy one; a bad copy on the mirror a position is read from is repaired by
 * the read, one on another mirror by scrub.
 */
@Timeout(60)
class ReadPolicyTest {
  private static final int STRIPE = MirrorSet.STRIPE_BLOCKS;
  /** First blocks of reads of 4 blocks: two in each of four stripes, at their start and end. */
  private static final long[] POSITIONS = {
      0, STRIPE - 4, STRIPE, 2L * STRIPE - 4, 2L * STRIPE + 100, 3L * STRIPE - 4, 3L * STRIPE,
      4L * STRIPE - 4};

  /** The one mirror whose reads of {@code block} rose since {@code before}; fails if not one. */
  private static int servedBy(List<FaultyBlockDevice> m, long block, long[] before) {
    int served = -1;
    for (int i = 0; i < m.size(); i++) {
      if (m.get(i).reads(block) != before[i]) {
        assertThat(served).as("reads of block %d went to more than one mirror", block)
            .isEqualTo(-1);
        served = i;
      }
    }
    assertThat(served).as("no mirror read block %d", block).isNotNegative();
    return served;
  }

  private static long[] reads(List<FaultyBlockDevice> m, long block) {
    long[] r = new long[m.size()];
    for (int i = 0; i < m.size(); i++) {
      r[i] = m.get(i).reads(block);
    }
    return r;
  }

  @Test
  void onePositionIsAlwaysReadFromTheSameHealthyMirrorAndPositionsSpreadOverEveryMirror()
      throws Exception {
    for (int n = 2; n <= 3; n++) {
      List<FaultyBlockDevice> m = Fixtures.faultyMirrors(n, 4L * STRIPE);
      try (MirroredVolume v = MirroredVolume.builder(Fixtures.devices(m)).build()) {
        Set<Integer> used = new HashSet<>();
        for (long p : POSITIONS) {
          ByteBuffer data = Fixtures.data(4, p);
          List<Checksum> sums = v.write(p, data).get(10, TimeUnit.SECONDS);
          int first = -1;
          for (int i = 0; i < 6; i++) { // every read call that names no mirror, twice each
            long[] before = reads(m, p);
            ByteBuffer back = switch (i % 3) {
              case 0 -> v.read(p, sums).get(10, TimeUnit.SECONDS);
              case 1 -> v.readOnCaller(p, sums).get(10, TimeUnit.SECONDS);
              default -> v.readOnCaller(p, sums, ByteBuffer.allocate(4 * BLOCK_SIZE))
                  .get(10, TimeUnit.SECONDS);
            };
            assertThat(back).isEqualTo(data);
            int served = servedBy(m, p, before);
            if (first < 0) {
              first = served;
            }
            assertThat(served).as("read %d of block %d (%d mirrors)", i, p, n).isEqualTo(first);
          }
          assertThat(first).as("the mirror of block %d", p)
              .isEqualTo(MirrorSet.preferred(p, n));
          used.add(first);
        }
        assertThat(used).as("mirrors the positions were read from (%d mirrors)", n)
            .hasSize(n);
        assertThat(v.stats().corrected()).isZero();
      }
    }
  }

  @Test
  void theStripesTakeTheMirrorsInTurn() {
    assertThat(MirrorSet.preferred(0, 2)).isZero();
    assertThat(MirrorSet.preferred(STRIPE - 1, 2)).isZero();
    assertThat(MirrorSet.preferred(STRIPE, 2)).isEqualTo(1);
    assertThat(MirrorSet.preferred(2L * STRIPE - 1, 2)).isEqualTo(1);
    assertThat(MirrorSet.preferred(2L * STRIPE, 2)).isZero();
    assertThat(MirrorSet.preferred(5L * STRIPE + 7, 3)).isEqualTo(2);
    assertThat(MirrorSet.preferred(6L * STRIPE, 3)).isZero();
    assertThat(MirrorSet.preferred(123_456_789L, 1)).isZero();
  }

  @Test
  void aFaultyMirrorsPositionsAreReadFromTheNextHealthyOneEveryTime() throws Exception {
    List<FaultyBlockDevice> m = Fixtures.faultyMirrors(2, 4L * STRIPE);
    try (MirroredVolume v = MirroredVolume.builder(Fixtures.devices(m)).errorBudget(0).build()) {
      long p = STRIPE + 8; // read from mirror 1 while it is healthy
      assertThat(MirrorSet.preferred(p, 2)).isEqualTo(1);
      ByteBuffer data = Fixtures.data(2, 3);
      List<Checksum> sums = v.write(p, data).get(10, TimeUnit.SECONDS);
      m.get(1).failReads(p);
      assertThat(v.readOnCaller(p, sums).get(10, TimeUnit.SECONDS)).isEqualTo(data);
      assertThat(v.deviceStats().get(1).state()).isEqualTo(DeviceState.FAULTY);
      assertThat(v.deviceStats().get(1).readErrors()).isEqualTo(1);

      long faultyReads = m.get(1).reads(p);
      for (int i = 0; i < 4; i++) {
        long[] before = reads(m, p);
        assertThat(i % 2 == 0 ? v.readOnCaller(p, sums).get(10, TimeUnit.SECONDS)
            : v.read(p, sums).get(10, TimeUnit.SECONDS)).isEqualTo(data);
        assertThat(servedBy(m, p, before)).isZero();
      }
      assertThat(m.get(1).reads(p)).as("the faulty mirror is not read").isEqualTo(faultyReads);
      assertThat(v.deviceStats().get(0).readErrors()).isZero();
    }
  }

  @Test
  void aBadCopyWhereAPositionIsReadIsRepairedByTheReadAndOneElsewhereByScrub() throws Exception {
    List<FaultyBlockDevice> m = Fixtures.faultyMirrors(2, 4L * STRIPE);
    try (MirroredVolume v = MirroredVolume.builder(Fixtures.devices(m)).build()) {
      long p = 2L * STRIPE + 40;
      int readFrom = MirrorSet.preferred(p, 2); // the mirror this position is read from
      int other = 1 - readFrom;
      ByteBuffer data = Fixtures.data(8, 5);
      List<Checksum> sums = v.write(p, data).get(10, TimeUnit.SECONDS);
      m.get(readFrom).corrupt(p + 2, 9);
      m.get(other).corrupt(p + 5, 9);

      for (int i = 0; i < 3; i++) {
        ByteBuffer dst = ByteBuffer.allocate(8 * BLOCK_SIZE);
        assertThat(v.readOnCaller(p, sums, dst).get(10, TimeUnit.SECONDS)).isEqualTo(data);
        assertThat(dst).isEqualTo(data);
      }
      assertThat(v.stats().corrected()).as("the copy the reads meet, rewritten once").isEqualTo(1);
      assertThat(v.deviceStats().get(readFrom).corruptionErrors()).isEqualTo(1);
      assertThat(m.get(other).reads(p + 5)).as("the other mirror's copy is not read").isZero();
      assertThat(v.deviceStats().get(other).corruptionErrors()).isZero();

      List<BlockRef> refs = new java.util.ArrayList<>();
      for (int i = 0; i < 8; i++) {
        refs.add(new BlockRef(p + i, sums.get(i)));
      }
      ScrubReport scrub = v.scrub(refs, ScrubListener.NONE).get(10, TimeUnit.SECONDS);
      assertThat(scrub.corrected()).isEqualTo(1);
      assertThat(scrub.uncorrectable()).isZero();
      assertThat(v.stats().corrected()).isEqualTo(2);
      assertThat(v.read(p + 5, sums.subList(5, 6), other).get(10, TimeUnit.SECONDS))
          .isEqualTo(data.duplicate().position(5 * BLOCK_SIZE).limit(6 * BLOCK_SIZE).slice());
      assertThat(v.deviceStats().get(other).corruptionErrors()).isEqualTo(1);
    }
  }
}
