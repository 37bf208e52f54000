package org.asyncwq.storage.block;

import dagger.Module;
import dagger.Provides;
import java.util.List;
import java.util.Map;
import javax.inject.Singleton;

/**
 * The Dagger module of the block layer: give it the mirrors and the options, and it provides one
 * {@link StorageQueues} and one {@link MirroredVolume} running on them. Include it in a
 * {@code @Singleton} component (such as {@link BlockLayerComponent}, or a layer above's own).
 *
 * <p>The volume does not own the queues: close the volume first, then the queues.
 */
@Module
public final class BlockLayerModule {
  private final List<BlockDevice> devices;
  private final VolumeOptions options;

  public BlockLayerModule(List<? extends BlockDevice> devices, VolumeOptions options) {
    this.devices = List.copyOf(devices);
    this.options = java.util.Objects.requireNonNull(options, "options");
  }

  @Provides
  @Singleton
  StorageQueues queues() {
    StorageQueues.Builder b = StorageQueues.builder();
    for (Map.Entry<String, Integer> e : options.queueLimits().entrySet()) {
      b.limitActive(e.getKey(), e.getValue());
    }
    return b.build();
  }

  @Provides
  @Singleton
  MirroredVolume volume(StorageQueues queues) {
    return volume(devices, options, queues);
  }

  /** The volume over {@code devices} with {@code options} on {@code queues}. */
  static MirroredVolume volume(List<BlockDevice> devices, VolumeOptions options,
      StorageQueues queues) {
    return MirroredVolume.builder(devices)
        .checksum(options.checksum())
        .errorBudget(options.errorBudget())
        .queues(queues)
        .build();
  }
}
