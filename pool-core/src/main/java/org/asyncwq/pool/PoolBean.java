package org.asyncwq.pool;

/** The {@link WorkerPoolMXBean} of one pool: every attribute a fresh read of its stats. */
final class PoolBean implements WorkerPoolMXBean {
  private final WorkerPool pool;

  PoolBean(WorkerPool pool) {
    this.pool = pool;
  }

  @Override
  public String getName() {
    return pool.name();
  }

  @Override
  public int getWorkers() {
    return pool.stats().workers();
  }

  @Override
  public int getStarting() {
    return pool.stats().starting();
  }

  @Override
  public int getIdle() {
    return pool.stats().idle();
  }

  @Override
  public int getPending() {
    return pool.stats().pending();
  }

  @Override
  public long getQueued() {
    return pool.stats().queued();
  }

  @Override
  public long getExecuted() {
    return pool.stats().executed();
  }

  @Override
  public long getCancelled() {
    return pool.stats().cancelled();
  }

  @Override
  public long getSpawned() {
    return pool.stats().spawned();
  }

  @Override
  public long getSpawnFailures() {
    return pool.stats().spawnFailures();
  }

  @Override
  public long getRetired() {
    return pool.stats().retired();
  }

  @Override
  public long getRescued() {
    return pool.stats().rescued();
  }

  @Override
  public int getMaxWorkers() {
    return pool.maxWorkers();
  }

  @Override
  public boolean isFrozen() {
    return pool.isFrozen();
  }

  @Override
  public boolean isStopped() {
    return pool.isStopped();
  }
}
