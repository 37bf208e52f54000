package org.asyncwq.storage;

import dagger.Component;
import java.util.List;
import java.util.Map;
import javax.inject.Singleton;
import org.asyncwq.storage.alloc.SplitAllocation;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.BlockLayerModule;
import org.asyncwq.storage.block.ChecksumType;
import org.asyncwq.storage.block.JdkExecutorQueuesModule;
import org.asyncwq.storage.block.MirroredVolume;
import org.asyncwq.storage.block.StorageQueues;
import org.asyncwq.storage.block.VolumeOptions;

/**
 * The store's stack as Dagger wires it: one set of {@link StorageQueues} ({@code csum}, {@code
 * submit}, {@code endio}, {@code endio-write}, {@code endio-repair}, {@code alloc}), the mirrored
 * volume on them, and the split allocation on their {@code alloc} queue.
 */
@Singleton
@Component(modules = {BlockLayerModule.class, StoreModule.class})
interface StoreComponent {
  StorageQueues queues();

  MirroredVolume volume();

  SplitAllocation splitAllocation();

  static StoreComponent create(List<BlockDevice> devices, ChecksumType type,
      Map<String, Integer> queueLimits) {
    return create(devices, type, queueLimits, StoreWiring.ASYNCWQ_QUEUES);
  }

  static StoreComponent create(List<BlockDevice> devices, ChecksumType type,
      Map<String, Integer> queueLimits, StoreWiring wiring) {
    VolumeOptions options = new VolumeOptions(type, 20, queueLimits);
    if (wiring == StoreWiring.JDK_EXECUTORS) {
      return DaggerJdkExecutorStoreComponent.builder()
          .jdkExecutorQueuesModule(new JdkExecutorQueuesModule(devices, options))
          .build();
    }
    return DaggerStoreComponent.builder()
        .blockLayerModule(new BlockLayerModule(devices, options))
        .build();
  }
}
