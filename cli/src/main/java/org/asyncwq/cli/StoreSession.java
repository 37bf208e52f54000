package org.asyncwq.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.asyncwq.storage.Store;
import org.asyncwq.storage.StoreStats;
import org.asyncwq.storage.block.DeviceStats;
import org.asyncwq.storage.block.VolumeStats;

/**
 * One command's use of an open {@link Store}: on close it adds what the store counted (repairs,
 * IO errors) to the store's {@link LifetimeCounters}, then closes the store. Reports made through
 * it show lifetime counters, as {@code btrfs device stats} does.
 */
final class StoreSession implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(StoreSession.class);

  private final Store store;
  private final Path dir;
  private LifetimeCounters counters;

  StoreSession(Store store, Path dir) {
    this.store = store;
    this.dir = dir;
    this.counters = LifetimeCounters.read(dir);
  }

  Store store() {
    return store;
  }

  /** Each mirror's state and lifetime error counters. */
  List<DeviceStats> deviceStats() {
    return store.deviceStats().stream().map(counters::lifetime).collect(Collectors.toList());
  }

  /** The store's figures now, with lifetime device and volume counters. */
  StoreStats stats() {
    StoreStats now = store.stats();
    return new StoreStats(
        now.devices().stream().map(counters::lifetime).collect(Collectors.toList()),
        counters.lifetime(now.volume()),
        now.groups(),
        now.queues(),
        now.generation(),
        now.commits(),
        now.objects(),
        now.freeBlocks(),
        now.deferredBlocks());
  }

  /** Mirror {@code mirror} has a new device, whose counters start from zero. */
  void replaced(int mirror) {
    counters = counters.reset(mirror);
  }

  /**
   * Closes the store, then adds what it counted to the lifetime counters. A read-only store
   * writes nothing, so its counts are not recorded (readers may run side by side; the next writer
   * meets the same bad copies, repairs and counts them).
   */
  @Override
  public void close() throws IOException {
    if (store.isReadOnly()) {
      store.close();
      return;
    }
    List<DeviceStats> devices = store.deviceStats();
    VolumeStats volume = store.stats().volume();
    store.close();
    try {
      counters.plus(devices, volume).write(dir);
    } catch (IOException e) {
      LOG.warn("cannot record the device counters in {}: {}", dir, e.getMessage());
    }
  }
}
