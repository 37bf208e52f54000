package org.asyncwq.storage.alloc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 11 point 5: space freed by a commit is reused only when no openable commit needs it. */
class FreedSpaceReuseTest {
  @Test
  void spaceFreedByCommitGComesBackAfterCommitGPlus1() {
    AllocationGroups space = AllocationGroups.of(2, 2 + 128, 2);
    space.markUsed(new Extent(10, 5));
    space.committed(7);
    space.deferFree(8, List.of(new Extent(10, 5)));
    space.committed(8); // slots hold 8 and 7; 7 still references the blocks
    assertThat(space.isFree(10)).isFalse();
    assertThat(space.deferredBlocks()).isEqualTo(5);
    space.committed(9); // slots hold 9 and 8: no openable commit references them
    assertThat(space.isFree(10)).isTrue();
    assertThat(space.deferredBlocks()).isZero();
  }

  @Test
  void aReaderPinnedToAnOlderGenerationHoldsTheSpaceUntilItUnpins() {
    AllocationGroups space = AllocationGroups.of(2, 2 + 128, 2);
    space.markUsed(new Extent(20, 1));
    space.committed(3);
    space.pin(3);
    space.deferFree(4, List.of(new Extent(20, 1)));
    space.committed(4);
    space.committed(5);
    assertThat(space.isFree(20)).isFalse();
    space.unpin(3);
    assertThat(space.isFree(20)).isTrue();
  }

  @Test
  void aPinOfAGenerationWhoseCountWasRetiredStillHoldsTheSpace() {
    AllocationGroups space = AllocationGroups.of(2, 2 + 128, 2);
    space.markUsed(new Extent(20, 1));
    space.markUsed(new Extent(30, 1));
    space.committed(3);
    space.pin(3);
    space.unpin(3);
    space.deferFree(4, List.of(new Extent(30, 1)));
    space.committed(5); // no reader on 3: its count is retired while the space is released
    assertThat(space.isFree(30)).isTrue();
    space.pin(3); // a new count, not the retired one
    space.deferFree(6, List.of(new Extent(20, 1)));
    space.committed(6);
    space.committed(7);
    assertThat(space.isFree(20)).isFalse();
    space.unpin(3);
    assertThat(space.isFree(20)).isTrue();
  }

  @Test
  void anUnpinWithoutAPinChangesNothing() {
    AllocationGroups space = AllocationGroups.of(2, 2 + 128, 2);
    space.markUsed(new Extent(20, 1));
    space.committed(3);
    space.pin(3);
    space.unpin(4); // never pinned
    space.unpin(3);
    space.unpin(3); // once too often
    space.pin(3);
    space.deferFree(4, List.of(new Extent(20, 1)));
    space.committed(5);
    assertThat(space.isFree(20)).isFalse(); // the last pin still holds it
    space.unpin(3);
    assertThat(space.isFree(20)).isTrue();
  }
}
