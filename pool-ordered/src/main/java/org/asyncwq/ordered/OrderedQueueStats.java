package org.asyncwq.ordered;

import org.asyncwq.pool.PoolStats;

/**
 * A snapshot of an {@link OrderedWorkQueue}. Gauges describe the moment of the call, counters count
 * from the queue's creation; the fields are read one after another, so a snapshot of a busy queue
 * need not add up. Once the queue is idle (after {@code flush()} with no producer, {@code drain()}
 * or {@code close()}): {@code queued == completed} and {@code inFlight == 0}.
 *
 * @param name the queue's name
 * @param queued works accepted so far
 * @param completed works whose {@code release()} returned (failed and cancelled ones included)
 * @param inFlight works accepted whose {@code release()} has not returned yet
 * @param orderedWaiting works on the ordered list: {@code work()} running or done, ordered step
 *     not taken yet
 * @param failures {@code work()} calls that threw
 * @param cancelled works the pool could not run, disposed through {@code cancelled()}
 * @param hashedWaiting works waiting behind an active work of the same hash
 * @param pool the pool the works run on (shared or owned)
 */
public record OrderedQueueStats(
    String name,
    long queued,
    long completed,
    long inFlight,
    int orderedWaiting,
    long failures,
    long cancelled,
    int hashedWaiting,
    PoolStats pool) {}
