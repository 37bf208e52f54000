package org.asyncwq.priority;

import java.util.function.Function;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

/**
 * The {@link WorkQueueMXBean} of one queue: every attribute a fresh read of one lane. A queue
 * without a high lane reads 0 (threshold -1, not congested) for the high attributes.
 */
final class WorkQueueBean implements WorkQueueMXBean {
  private final String name;
  private final Lane normal;
  private final Lane high;

  WorkQueueBean(String name, Lane normal, Lane high) {
    this.name = name;
    this.normal = normal;
    this.high = high;
  }

  private int highInt(ToIntFunction<Lane> f, int none) {
    return high == null ? none : f.applyAsInt(high);
  }

  private long highLong(ToLongFunction<Lane> f) {
    return high == null ? 0 : f.applyAsLong(high);
  }

  private static long queue(Lane lane, Function<org.asyncwq.ordered.OrderedQueueStats, Long> f) {
    return f.apply(lane.queue.stats());
  }

  @Override
  public String getName() {
    return name;
  }

  @Override
  public boolean isHighPriority() {
    return high != null;
  }

  @Override
  public int getThreshold() {
    return normal.threshold.threshold();
  }

  @Override
  public int getCurrentActive() {
    return normal.threshold.current();
  }

  @Override
  public int getLimitActive() {
    return normal.threshold.limit();
  }

  @Override
  public int getPending() {
    return normal.threshold.pending();
  }

  @Override
  public boolean isCongested() {
    return normal.threshold.congested();
  }

  @Override
  public long getQueued() {
    return queue(normal, s -> s.queued());
  }

  @Override
  public long getCompleted() {
    return queue(normal, s -> s.completed());
  }

  @Override
  public long getInFlight() {
    return queue(normal, s -> s.inFlight());
  }

  @Override
  public long getFailures() {
    return queue(normal, s -> s.failures());
  }

  @Override
  public long getCancelled() {
    return queue(normal, s -> s.cancelled());
  }

  @Override
  public int getWorkers() {
    return normal.pool.stats().workers();
  }

  @Override
  public int getHighThreshold() {
    return highInt(l -> l.threshold.threshold(), -1);
  }

  @Override
  public int getHighCurrentActive() {
    return highInt(l -> l.threshold.current(), 0);
  }

  @Override
  public int getHighLimitActive() {
    return highInt(l -> l.threshold.limit(), 0);
  }

  @Override
  public int getHighPending() {
    return highInt(l -> l.threshold.pending(), 0);
  }

  @Override
  public boolean isHighCongested() {
    return high != null && high.threshold.congested();
  }

  @Override
  public long getHighQueued() {
    return highLong(l -> queue(l, s -> s.queued()));
  }

  @Override
  public long getHighCompleted() {
    return highLong(l -> queue(l, s -> s.completed()));
  }

  @Override
  public long getHighInFlight() {
    return highLong(l -> queue(l, s -> s.inFlight()));
  }

  @Override
  public long getHighFailures() {
    return highLong(l -> queue(l, s -> s.failures()));
  }

  @Override
  public long getHighCancelled() {
    return highLong(l -> queue(l, s -> s.cancelled()));
  }

  @Override
  public int getHighWorkers() {
    return highInt(l -> l.pool.stats().workers(), 0);
  }
}
