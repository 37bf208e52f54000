package org.asyncwq.priority;

import org.asyncwq.ordered.OrderedQueueStats;
import org.asyncwq.pool.PoolStats;

/**
 * A snapshot of one lane of a {@link WorkQueue}.
 *
 * @param threshold the threshold in force, or -1 when the lane's concurrency is fixed
 * @param currentActive how many works the lane may run at once now
 * @param limitActive the most it may ever run at once
 * @param pending works queued and not started yet
 * @param queue the lane's ordered queue figures
 * @param pool the lane's pool figures (threads, spawns, retirements...)
 */
public record LaneStats(
    int threshold,
    int currentActive,
    int limitActive,
    int pending,
    OrderedQueueStats queue,
    PoolStats pool) {}
