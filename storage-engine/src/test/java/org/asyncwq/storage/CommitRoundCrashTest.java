package org.asyncwq.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.FaultyBlockDevice;
import org.asyncwq.storage.block.FaultyBlockDevice.WriteFate;
import org.asyncwq.storage.block.MemoryBlockDevice;
import org.asyncwq.storage.block.ScrubListener;
import org.asyncwq.storage.block.ScrubReport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A commit writes its data, extent-map pages, directory pages and superblock in one flush round
 * (format version 2), so a power loss during the round may leave any subset of those writes on
 * each mirror, whole or torn, the superblock before or after its pages. For a put's round and a
 * delete's round, every subset of the round's writes kept on the two mirrors: the store opens at
 * the new commit exactly when every block the round wrote, superblock included, reached at least
 * one mirror, and at the previous commit otherwise; each object reads back as the opened commit
 * holds it, {@code check()} is clean, and a scrub afterwards finds no bad copy on any mirror (open
 * proved the new commit and repaired the other copies). Then each write torn on one mirror.
 */
@Tag("crash")
@Timeout(300)
class CommitRoundCrashTest {
  private static final byte[] KEPT = StoreRoundTripTest.random(1, 3000);
  private static final byte[] OLD = StoreRoundTripTest.random(2, 5000);
  private static final byte[] NEW = StoreRoundTripTest.random(3, 1500);

  /** A store whose last commit's round did not end: that round's writes are all unsynced. */
  private record Round(Store store, FaultyBlockDevice[] mirrors, long durable, int writes,
      boolean delete) {}

  @Test
  void aPutsRoundOpensAtTheNewCommitExactlyWhenEveryBlockItWroteReachedSomeMirror()
      throws Exception {
    everySubset(false);
  }

  @Test
  void aDeletesRoundOpensAtTheNewCommitExactlyWhenEveryBlockItWroteReachedSomeMirror()
      throws Exception {
    everySubset(true);
  }

  @Test
  void aWriteTornOnOneMirrorIsRepairedFromTheOtherOrTheStoreOpensAtThePreviousCommit()
      throws Exception {
    Round r = interrupted(false);
    try {
      for (int i = 0; i < r.writes; i++) {
        for (int m = 0; m < 2; m++) {
          for (long seed = 0; seed < 3; seed++) {
            int torn = i;
            int mirror = m;
            // Torn here, whole on the other mirror: the commit is complete.
            List<BlockDevice> img = List.of(
                r.mirrors[0].crash(w -> fate(w == torn && mirror == 0), seed),
                r.mirrors[1].crash(w -> fate(w == torn && mirror == 1), seed + 7));
            verify(r, img, r.durable + 1, "write " + i + " torn on mirror " + m);
            // Torn here, lost on the other: whichever commit opens reads right.
            img = List.of(
                r.mirrors[0].crash(w -> w != torn ? WriteFate.KEPT
                    : mirror == 0 ? WriteFate.TORN : WriteFate.LOST, seed),
                r.mirrors[1].crash(w -> w != torn ? WriteFate.KEPT
                    : mirror == 1 ? WriteFate.TORN : WriteFate.LOST, seed + 7));
            verify(r, img, -1, "write " + i + " torn on mirror " + m + ", lost on the other");
          }
        }
      }
    } finally {
      r.store.close();
    }
  }

  private static WriteFate fate(boolean torn) {
    return torn ? WriteFate.TORN : WriteFate.KEPT;
  }

  private static void everySubset(boolean delete) throws Exception {
    Round r = interrupted(delete);
    int n = r.writes;
    try {
      assertThat(2 * n).as("writes of the round on both mirrors").isLessThanOrEqualTo(12);
      int opened = 0;
      for (int mask = 0; mask < 1 << (2 * n); mask++) {
        int kept = mask;
        List<BlockDevice> img = image(r, n, kept);
        boolean complete = true;
        for (int w = 0; w < n; w++) {
          complete &= (kept >> w & 1) != 0 || (kept >> (n + w) & 1) != 0;
        }
        if (mask % 5 == 0) { // read-only: the same choice, nothing repaired or sealed
          try (Store s = Store.openReadOnly(image(r, n, kept))) {
            assertThat(s.stats().generation()).as("read-only, mask %s", mask)
                .isEqualTo(complete ? r.durable + 1 : r.durable);
          }
        }
        verify(r, img, complete ? r.durable + 1 : r.durable, "kept writes mask " + mask);
        opened += complete ? 1 : 0;
      }
      // Of the 4^n outcomes, the complete ones are the 3^n where each write reached some mirror.
      assertThat(opened).isEqualTo((int) Math.pow(3, n));
    } finally {
      r.store.close();
    }
  }

  /** The image where write {@code w} of mirror {@code m} survives iff bit {@code m * n + w}. */
  private static List<BlockDevice> image(Round r, int n, int kept) throws IOException {
    return List.of(
        r.mirrors[0].crash(w -> (kept >> w & 1) != 0 ? WriteFate.KEPT : WriteFate.LOST, 1),
        r.mirrors[1].crash(w -> (kept >> (n + w) & 1) != 0 ? WriteFate.KEPT : WriteFate.LOST, 2));
  }

  /**
   * A store with "kept" and "x" committed, then a put of "x" (or its delete) whose round writes
   * everything but whose flush fails on both mirrors: the round's writes stay unsynced, exactly as
   * when the power goes before the flush ends.
   */
  private static Round interrupted(boolean delete) throws Exception {
    FaultyBlockDevice[] f = {
      new FaultyBlockDevice(new MemoryBlockDevice(512)),
      new FaultyBlockDevice(new MemoryBlockDevice(512))
    };
    Store s = Store.create(List.of(f[0], f[1]),
        StoreOptions.builder().allocationGroups(2).build());
    s.put("kept", new ByteArrayInputStream(KEPT));
    s.put("x", new ByteArrayInputStream(OLD));
    long durable = s.stats().generation();
    assertThat(f[0].unsyncedWrites() + f[1].unsyncedWrites()).isZero();
    f[0].failFlushes(true);
    f[1].failFlushes(true);
    assertThatThrownBy(() -> {
      if (delete) {
        s.delete("x");
      } else {
        s.put("x", new ByteArrayInputStream(NEW));
      }
    }).isInstanceOf(IOException.class);
    int n = f[0].unsyncedWrites();
    assertThat(f[1].unsyncedWrites()).isEqualTo(n);
    // A put: data, extent map, directory, superblock; a delete: directory, superblock.
    assertThat(n).isEqualTo(delete ? 2 : 4);
    return new Round(s, f, durable, n, delete);
  }

  /** Opens the image: at {@code generation} (-1: either), every object as that commit holds it. */
  private static void verify(Round r, List<BlockDevice> img, long generation, String what)
      throws Exception {
    try (Store s = Store.open(img)) {
      long gen = s.stats().generation();
      if (generation >= 0) {
        assertThat(gen).as("%s: opened generation", what).isEqualTo(generation);
      } else {
        assertThat(gen).as("%s: opened generation", what).isBetween(r.durable, r.durable + 1);
      }
      boolean isNew = gen == r.durable + 1;
      assertThat(s.read("kept")).as("%s: kept", what).isEqualTo(KEPT);
      if (isNew && r.delete) {
        assertThat(s.stat("x")).as("%s: x deleted", what).isEmpty();
      } else {
        assertThat(s.read("x")).as("%s: x", what).isEqualTo(isNew ? NEW : OLD);
      }
      assertThat(s.check().problems()).as("%s: check()", what).isEmpty();
      ScrubReport scrub = s.scrub(ScrubListener.NONE).join();
      assertThat(scrub.csumErrors() + scrub.readErrors() + scrub.uncorrectable())
          .as("%s: bad copies left after open (%s)", what, scrub).isZero();
    }
  }
}
