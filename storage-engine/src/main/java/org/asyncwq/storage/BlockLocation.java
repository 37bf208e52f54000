package org.asyncwq.storage;

/**
 * Where one block of an object lives on one mirror: device block {@code block} of mirror {@code
 * mirror} (all mirrors share one layout, so the block number is the same on each).
 */
public record BlockLocation(int mirror, long block) {}
