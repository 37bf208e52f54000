package org.asyncwq.pool;

/**
 * A snapshot of a {@link WorkerPool}. Gauges describe the moment of the call; counters count from
 * the pool's creation. The fields are read one after another while the pool runs, so a snapshot of
 * a busy pool need not add up exactly; one of a terminated pool does: {@code queued == executed +
 * cancelled}.
 *
 * @param name the pool's name
 * @param workers worker threads alive now (not counting a rescuer)
 * @param starting threads asked for and not running yet (seed 000's {@code num_workers_starting})
 * @param idle workers asleep with nothing to do
 * @param pending works accepted and neither started nor cancelled yet
 * @param queued works accepted so far ({@code queue} and {@code requeue})
 * @param executed runs that finished, normally or by an exception
 * @param cancelled works disposed through {@link Work#cancelled(Throwable)}
 * @param spawned threads created
 * @param spawnFailures failed attempts to create a thread, retried ones included
 * @param retired workers that left because they were idle or above the maximum
 * @param rescued works run by the rescuer thread
 */
public record PoolStats(
    String name,
    int workers,
    int starting,
    int idle,
    int pending,
    long queued,
    long executed,
    long cancelled,
    long spawned,
    long spawnFailures,
    long retired,
    long rescued) {}
