package org.asyncwq.priority;

/**
 * A snapshot of a {@link WorkQueue}: both lanes, read one after the other.
 *
 * @param name the queue's name
 * @param normal the normal lane
 * @param high the high-priority lane, or {@code null} if the queue has none
 */
public record WorkQueueStats(String name, LaneStats normal, LaneStats high) {}
