package org.asyncwq.storage;

import dagger.Module;
import dagger.Provides;
import javax.inject.Singleton;
import org.asyncwq.storage.alloc.SplitAllocation;
import org.asyncwq.storage.block.StorageQueues;

/**
 * The store's part of the wiring: seed 001's split rule runs its punted allocations on the
 * {@code alloc} queue of the same {@link StorageQueues} the volume runs on.
 */
@Module
final class StoreModule {
  @Provides
  @Singleton
  static SplitAllocation splitAllocation(StorageQueues queues) {
    return new SplitAllocation(queues.executor(StorageQueues.ALLOC));
  }
}
