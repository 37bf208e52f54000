package org.asyncwq.pool;

/**
 * A {@link WorkerPool} over JMX, registered as {@code org.asyncwq:type=WorkerPool,name=<name>} when
 * the pool was built with {@code jmx(true)} or the JVM runs with {@code -Dasyncwq.jmx=true}, and
 * unregistered when the pool terminates. Each attribute is read when asked for, with the meaning
 * of the {@link PoolStats} field of the same name.
 */
public interface WorkerPoolMXBean {
  String getName();

  int getWorkers();

  int getStarting();

  int getIdle();

  int getPending();

  long getQueued();

  long getExecuted();

  long getCancelled();

  long getSpawned();

  long getSpawnFailures();

  long getRetired();

  long getRescued();

  /** The current maximum number of workers. */
  int getMaxWorkers();

  /** Whether the pool is frozen. */
  boolean isFrozen();

  /** Whether stop() or stopNow() was called. */
  boolean isStopped();
}
