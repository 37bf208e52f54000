package org.asyncwq.ordered;

/**
 * An {@link OrderedWorkQueue} over JMX, registered as {@code
 * org.asyncwq:type=OrderedWorkQueue,name=<name>} when the queue was built with {@code jmx(true)}
 * or the JVM runs with {@code -Dasyncwq.jmx=true}, and unregistered when the queue has closed.
 * Each attribute is read when asked for, with the meaning of the {@link OrderedQueueStats} field
 * of the same name.
 */
public interface OrderedWorkQueueMXBean {
  String getName();

  long getQueued();

  long getCompleted();

  long getInFlight();

  int getOrderedWaiting();

  long getFailures();

  long getCancelled();

  int getHashedWaiting();

  /** The name of the pool the works run on. */
  String getPoolName();

  /** Works waiting in that pool's worklist (all its users' works, for a shared pool). */
  int getPoolPending();

  /** Whether close() saw the queue empty and it refuses all work. */
  boolean isClosed();
}
