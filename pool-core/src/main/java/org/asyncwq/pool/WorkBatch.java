package org.asyncwq.pool;

/**
 * A private FIFO of works taken out of a pool (by stopNow() or a spawn failure) on their way to
 * {@code cancelled()}, linked through {@link Work#next}: adding and removing allocate nothing.
 *
 * <p>Not thread-safe: a batch belongs to the one thread that filled it. Its works left the pool's
 * {@link Worklist} through the worklist's take token, so no other party can reach them.
 */
final class WorkBatch {
  private Work head;
  private Work tail;
  private int size;

  void addLast(Work work) {
    work.next = null;
    if (tail == null) {
      head = work;
    } else {
      tail.next = work;
    }
    tail = work;
    size++;
  }

  /** Removes and returns the oldest work, or {@code null}. */
  Work poll() {
    Work work = head;
    if (work != null) {
      head = work.next;
      if (head == null) {
        tail = null;
      }
      work.next = null;
      size--;
    }
    return work;
  }

  /** Moves every work of {@code from} to the end of this list in O(1), keeping their order. */
  void splice(WorkBatch from) {
    if (from.head == null) {
      return;
    }
    if (tail == null) {
      head = from.head;
    } else {
      tail.next = from.head;
    }
    tail = from.tail;
    size += from.size;
    from.head = null;
    from.tail = null;
    from.size = 0;
  }

  boolean contains(Work work) {
    for (Work w = head; w != null; w = w.next) {
      if (w == work) {
        return true;
      }
    }
    return false;
  }

  boolean isEmpty() {
    return head == null;
  }

  int size() {
    return size;
  }
}
