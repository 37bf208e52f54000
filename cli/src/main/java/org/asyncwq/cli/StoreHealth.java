package org.asyncwq.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.asyncwq.priority.LaneStats;
import org.asyncwq.priority.WorkQueueStats;
import org.asyncwq.storage.GroupSpace;
import org.asyncwq.storage.StoreStats;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.DeviceState;
import org.asyncwq.storage.block.DeviceStats;
import org.asyncwq.storage.block.VolumeStats;

/**
 * The store as {@code stat} reports it: each device's state and lifetime error counters (btrfs
 * device stats), the volume's counters, space per allocation group, and each storage queue.
 * The JSON field names are a contract for scripts.
 */
record StoreHealth(
    String store,
    boolean degraded,
    long generation,
    long objects,
    long freeBytes,
    long deferredBytes,
    List<DeviceStats> devices,
    VolumeStats volume,
    List<GroupSpace> groups,
    List<QueueSummary> queues,
    ScrubStatus lastScrub) {

  /**
   * One storage queue's normal lane as this process saw it since it opened the store (queue
   * figures live in memory; each command is a new process): the concurrency it allows now and at
   * most ({@code active}, {@code limitActive}: limits, not activity), its threads alive and busy
   * now, the works waiting, and the works it completed and that failed.
   */
  record QueueSummary(String name, int active, int limitActive, int threads, int busy, int pending,
      long completed, long failures) {
    static QueueSummary of(String name, WorkQueueStats stats) {
      LaneStats lane = stats.normal();
      return new QueueSummary(name, lane.currentActive(), lane.limitActive(),
          lane.pool().workers(), Math.max(0, lane.pool().workers() - lane.pool().idle()),
          lane.pending(), lane.queue().completed(), lane.queue().failures());
    }
  }

  /** {@code lastScrub}: the store's scrub record ({@link ScrubStatus}), null when there is none. */
  static StoreHealth of(Path dir, StoreStats stats, ScrubStatus lastScrub) {
    List<QueueSummary> queues = new ArrayList<>();
    for (Map.Entry<String, WorkQueueStats> e : stats.queues().entrySet()) {
      queues.add(QueueSummary.of(e.getKey(), e.getValue()));
    }
    boolean degraded = stats.devices().stream().anyMatch(d -> d.state() != DeviceState.HEALTHY);
    return new StoreHealth(dir.toString(), degraded, stats.generation(), stats.objects(),
        stats.freeBlocks() * BlockDevice.BLOCK_SIZE, stats.deferredBlocks() * BlockDevice.BLOCK_SIZE,
        stats.devices(), stats.volume(), stats.groups(), queues, lastScrub);
  }

  void print(PrintStream out) {
    out.println("store " + store + (degraded ? "  DEGRADED: a mirror is faulty, run 'asyncwq replace'" : ""));
    out.println("  generation " + generation + ", " + objects + " objects, " + ByteSize.format(freeBytes)
        + " free" + (deferredBytes > 0 ? " (+" + ByteSize.format(deferredBytes) + " freed, reusable after the next commits)" : ""));
    out.println("devices (lifetime error counters)");
    devices.forEach(d -> out.println("  " + StatCommand.deviceLine(d)));
    out.println(String.format(Locale.ROOT, "volume  reads %d  writes %d  corrected %d  uncorrectable %d",
        volume.reads(), volume.writes(), volume.corrected(), volume.uncorrectable()));
    if (lastScrub != null) {
      out.println("last scrub  " + lastScrub.state() + " " + lastScrub.updated() + ": "
          + lastScrub.scrubbed().line() + (lastScrub.interrupted()
              ? " (stopped at device block " + lastScrub.position() + "; 'asyncwq scrub --resume' goes on)" : ""));
    }
    out.println("allocation groups");
    for (GroupSpace g : groups) {
      out.println(String.format(Locale.ROOT, "  ag %-3d blocks %d-%d  free %s of %s",
          g.group(), g.firstBlock(), g.firstBlock() + g.blocks() - 1,
          ByteSize.format(g.freeBlocks() * BlockDevice.BLOCK_SIZE), ByteSize.format(g.blocks() * BlockDevice.BLOCK_SIZE)));
    }
    out.println("queues (work done by this process since it opened the store)");
    for (QueueSummary q : queues) {
      out.println(String.format(Locale.ROOT,
          "  %-13s completed %d  failures %d  pending %d  threads %d (%d busy)  limit %d of %d",
          q.name(), q.completed(), q.failures(), q.pending(), q.threads(), q.busy(), q.active(),
          q.limitActive()));
    }
  }
}
