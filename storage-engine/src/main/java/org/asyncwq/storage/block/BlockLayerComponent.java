package org.asyncwq.storage.block;

import dagger.Component;
import javax.inject.Singleton;

/**
 * The block layer wired by Dagger: {@code DaggerBlockLayerComponent.builder().blockLayerModule(new
 * BlockLayerModule(devices, options)).build()}, or {@link #create(java.util.List, VolumeOptions)}.
 * Close the volume, then the queues.
 */
@Singleton
@Component(modules = BlockLayerModule.class)
public interface BlockLayerComponent {
  /** The queues every part of the stack runs on. */
  StorageQueues queues();

  /** The volume over the module's mirrors, running on {@link #queues()}. */
  MirroredVolume volume();

  /** A component over {@code devices} with {@code options}. */
  static BlockLayerComponent create(java.util.List<? extends BlockDevice> devices,
      VolumeOptions options) {
    return DaggerBlockLayerComponent.builder()
        .blockLayerModule(new BlockLayerModule(devices, options))
        .build();
  }
}
