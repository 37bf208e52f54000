package org.asyncwq.priority;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import org.asyncwq.ordered.OrderedWork;
import org.asyncwq.pool.Work;

/**
 * What one soak round's works did: per work, how often it was accepted, ran, was cancelled and was
 * released; per producer (and lane, and hash), the last sequence number seen in each ordered
 * position, so a step out of queue order, or two works of one hash running together, is recorded
 * as a violation the moment it happens.
 */
final class SoakLedger {
  static final int HASHES = 8;

  final int producers;
  final int perProducer;
  final AtomicIntegerArray accepted;
  final AtomicIntegerArray runs;
  final AtomicIntegerArray cancels;
  final AtomicIntegerArray releases;
  /** [producer][lane]: the last sequence whose ordered() ran / whose release() ran. */
  private final AtomicLongArray lastOrdered;
  private final AtomicLongArray lastReleased;
  /** [producer][hash]: the last sequence whose work() started. */
  private final AtomicLongArray lastHashStart;
  /** [hash]: works of that hash inside work() right now. */
  private final AtomicIntegerArray hashBusy = new AtomicIntegerArray(HASHES);
  final Queue<String> violations = new ConcurrentLinkedQueue<>();
  private final AtomicInteger violationCount = new AtomicInteger();

  SoakLedger(int producers, int perProducer) {
    this.producers = producers;
    this.perProducer = perProducer;
    int n = producers * perProducer;
    accepted = new AtomicIntegerArray(n);
    runs = new AtomicIntegerArray(n);
    cancels = new AtomicIntegerArray(n);
    releases = new AtomicIntegerArray(n);
    lastOrdered = minusOnes(producers * 2);
    lastReleased = minusOnes(producers * 2);
    lastHashStart = minusOnes(producers * HASHES);
  }

  private static AtomicLongArray minusOnes(int n) {
    AtomicLongArray a = new AtomicLongArray(n);
    for (int i = 0; i < n; i++) {
      a.set(i, -1);
    }
    return a;
  }

  void violation(String what) {
    if (violationCount.incrementAndGet() <= 20) { // enough to diagnose; bounded memory
      violations.add(what);
    }
  }

  int violationCount() {
    return violationCount.get();
  }

  private void advance(AtomicLongArray last, int index, int seq, String step) {
    long before = last.getAndSet(index, seq);
    if (before >= seq) {
      violation(step + " of sequence " + seq + " after sequence " + before + " (slot " + index + ")");
    }
  }

  /** A plain pool work: counts its run or its cancel. */
  final class Plain extends Work {
    final int id;

    Plain(int id) {
      this.id = id;
    }

    @Override
    protected void run() {
      runs.incrementAndGet(id);
    }

    @Override
    protected void cancelled(Throwable cause) {
      cancels.incrementAndGet(id);
    }
  }

  /** An ordered work without an ordered step: skips the ordered list. */
  class Unordered extends OrderedWork {
    final int id;
    final int producer;
    final int seq;
    final int lane;
    final int hash; // -1: not hashed

    Unordered(int producer, int seq, int lane, int hash) {
      this.producer = producer;
      this.seq = seq;
      this.id = producer * perProducer + seq;
      this.lane = lane;
      this.hash = hash;
    }

    @Override
    protected void work() {
      runs.incrementAndGet(id);
      if (hash >= 0) {
        if (hashBusy.incrementAndGet(hash) != 1) {
          violation("two works of hash " + hash + " ran at once (sequence " + seq + ")");
        }
        advance(lastHashStart, producer * HASHES + hash, seq, "work() of hash " + hash);
        hashBusy.decrementAndGet(hash);
      }
    }

    @Override
    protected void cancelled(Throwable cause) {
      cancels.incrementAndGet(id);
    }

    @Override
    protected void release() {
      releases.incrementAndGet(id);
    }
  }

  /** An ordered work with an ordered step: its ordered() and release() follow queue order. */
  final class Ordered extends Unordered {
    Ordered(int producer, int seq, int lane, int hash) {
      super(producer, seq, lane, hash);
    }

    @Override
    protected void ordered() {
      advance(lastOrdered, producer * 2 + lane, seq, "ordered() on lane " + lane);
    }

    @Override
    protected void release() {
      advance(lastReleased, producer * 2 + lane, seq, "release() on lane " + lane);
      super.release();
    }
  }
}
