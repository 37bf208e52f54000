package org.asyncwq.pool;

/**
 * A FIFO of works linked through {@link Work#next}: adding and removing allocate nothing.
 *
 * <p>Not thread-safe. Each list belongs to one owner (a {@link Worker} or the pool's backlog) and is
 * only touched under that owner's lock. A work is in at most one list at a time, because only a
 * pending work is ever added and the pending mark is claimed by CAS before that.
 */
final class WorkList {
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
  void splice(WorkList from) {
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

  boolean isEmpty() {
    return head == null;
  }

  int size() {
    return size;
  }
}
