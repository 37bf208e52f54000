package org.asyncwq.priority;

/**
 * A {@link WorkQueue} over JMX, registered as {@code org.asyncwq:type=WorkQueue,name=<name>} when
 * the queue was built with {@code jmx(true)} or the JVM runs with {@code -Dasyncwq.jmx=true}, and
 * unregistered when the queue has closed. Each attribute is read when asked for. The unprefixed
 * attributes are the normal lane's, with the meaning of the {@link LaneStats} field or {@link
 * WorkQueue} method of the same name; the {@code High} ones are the high-priority lane's, all 0
 * (threshold -1, congested false) when the queue has none.
 */
public interface WorkQueueMXBean {
  String getName();

  /** Whether the queue has a high-priority lane. */
  boolean isHighPriority();

  /** The threshold in force, or -1 when the lane's concurrency is fixed. */
  int getThreshold();

  int getCurrentActive();

  int getLimitActive();

  int getPending();

  /** More than twice the threshold waiting (never for a lane without threshold). */
  boolean isCongested();

  long getQueued();

  long getCompleted();

  long getInFlight();

  long getFailures();

  long getCancelled();

  /** The lane pool's worker threads alive now. */
  int getWorkers();

  int getHighThreshold();

  int getHighCurrentActive();

  int getHighLimitActive();

  int getHighPending();

  boolean isHighCongested();

  long getHighQueued();

  long getHighCompleted();

  long getHighInFlight();

  long getHighFailures();

  long getHighCancelled();

  int getHighWorkers();
}
