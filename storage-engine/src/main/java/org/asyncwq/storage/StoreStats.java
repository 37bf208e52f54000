package org.asyncwq.storage;

import java.util.List;
import java.util.Map;
import org.asyncwq.priority.WorkQueueStats;
import org.asyncwq.storage.block.DeviceStats;
import org.asyncwq.storage.block.VolumeStats;

/**
 * A store's figures at one moment.
 *
 * @param devices each mirror's state and error counters
 * @param volume the mirrored volume's counters (reads, writes, corrected, uncorrectable)
 * @param groups free space per allocation group
 * @param queues each storage queue's figures, by name
 * @param generation the newest durable commit
 * @param commits commits since the store was opened
 * @param objects objects stored
 * @param freeBlocks blocks free for new data now
 * @param deferredBlocks freed blocks waiting until no openable commit or reader needs them
 */
public record StoreStats(
    List<DeviceStats> devices,
    VolumeStats volume,
    List<GroupSpace> groups,
    Map<String, WorkQueueStats> queues,
    long generation,
    long commits,
    long objects,
    long freeBlocks,
    long deferredBlocks) {}
