package org.asyncwq.storage.alloc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 11 point 5: the AG lock order of a transaction, and locks held to commit. */
@Timeout(30)
class TransactionLockOrderTest {
  private static final int AG_BLOCKS = 64;

  /** Every lock attempt, as "try 2" or "lock 4". */
  private final List<String> attempts = new CopyOnWriteArrayList<>();
  private final LockObserver observer = new LockObserver() {
    @Override
    public void tryLock(int ag) {
      attempts.add("try " + ag);
    }

    @Override
    public void lock(int ag) {
      attempts.add("lock " + ag);
    }
  };

  private AllocationGroups groups(int n) {
    return AllocationGroups.of(0, (long) n * AG_BLOCKS, n, observer);
  }

  @Test
  void holdingAg3WithAgs3ToNFullTheBlockingPassNeverLocksBelow3() throws Exception {
    AllocationGroups space = groups(6);
    Transaction t = space.begin(3);
    assertThat(t.allocate(AG_BLOCKS)).isEqualTo(new Extent(3 * AG_BLOCKS, AG_BLOCKS));
    Transaction filler = space.begin(4);
    filler.allocate(AG_BLOCKS);
    filler.allocate(AG_BLOCKS);
    assertThat(filler.heldGroups()).containsExactly(4, 5);
    filler.commit();
    // AGs 0..2 have room but other transactions hold them.
    Transaction[] holders = new Transaction[3];
    for (int ag = 0; ag < 3; ag++) {
      holders[ag] = space.begin(ag);
      holders[ag].allocate(1);
      assertThat(holders[ag].heldGroups()).containsExactly(ag);
    }
    attempts.clear();

    assertThatThrownBy(() -> t.allocate(1))
        .isInstanceOf(NoSpaceException.class)
        .hasMessageContaining("holding [3]");

    assertThat(attempts).filteredOn(a -> a.startsWith("lock"))
        .allMatch(a -> Integer.parseInt(a.substring(5)) > 3);
    // The non-blocking pass may wrap around to 0..2; it only tried them.
    assertThat(attempts).contains("try 4", "try 5", "try 0", "try 1", "try 2");
    assertThat(t.heldGroups()).containsExactly(3);
    for (Transaction h : holders) {
      h.abort();
    }
    t.abort();
    assertThat(space.freeBlocks()).isEqualTo(6 * AG_BLOCKS - 2 * AG_BLOCKS);
  }

  @Test
  void tryLockPassStartsAtTheTargetAndWrapsAround() throws Exception {
    AllocationGroups space = groups(4);
    Transaction busy = space.begin(2);
    busy.allocate(1);
    Transaction full = space.begin(3);
    full.allocate(AG_BLOCKS);
    full.commit();
    attempts.clear();

    Transaction t = space.begin(2);
    Extent e = t.allocate(1);

    assertThat(space.groupOf(e.start()).index()).isEqualTo(0);
    assertThat(attempts).containsExactly("try 2", "try 3", "try 0");
    busy.abort();
    t.abort();
  }

  @Test
  void agLocksAreHeldUntilCommitAndAWaiterBlocksOnlyUpwards() throws Exception {
    AllocationGroups space = groups(3);
    Transaction low = space.begin(1);
    low.allocate(AG_BLOCKS); // AG 1 now full and held by low
    Transaction high = space.begin(2);
    high.allocate(1); // AG 2 held by high, with room
    Transaction zero = space.begin(0);
    zero.allocate(AG_BLOCKS); // AG 0 full and held
    CountDownLatch waiting = new CountDownLatch(1);
    attempts.clear();
    AllocationGroups observed = space;

    CompletableFuture<Extent> f = CompletableFuture.supplyAsync(() -> {
      try {
        return low.allocate(1);
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    // low must wait for AG 2 (ascending from 1); it is held by high until high commits.
    org.awaitility.Awaitility.await().atMost(10, TimeUnit.SECONDS)
        .until(() -> attempts.contains("lock 2"));
    assertThat(f).isNotDone();
    assertThat(attempts).doesNotContain("lock 0", "lock 1");
    high.commit();
    Extent got = f.get(10, TimeUnit.SECONDS);
    assertThat(observed.groupOf(got.start()).index()).isEqualTo(2);
    assertThat(low.heldGroups()).containsExactly(1, 2);
    waiting.countDown();
    low.commit();
    zero.commit();
    assertThat(space.groups()).noneMatch(AllocationGroup::isLocked);
  }

  @Test
  void abortReturnsEverythingTakenAndCommitKeepsIt() throws Exception {
    AllocationGroups space = groups(2);
    Transaction a = space.begin(0);
    a.allocate(10);
    a.reserve(3);
    a.abort();
    assertThat(space.freeBlocks()).isEqualTo(2 * AG_BLOCKS);
    Transaction b = space.begin(0);
    b.allocate(10);
    b.reserve(3);
    assertThat(b.takeReserved()).isGreaterThanOrEqualTo(0);
    b.commit();
    assertThat(space.freeBlocks()).isEqualTo(2 * AG_BLOCKS - 11);
  }
}
