package org.asyncwq.storage;

import java.util.ArrayList;
import java.util.List;
import org.asyncwq.storage.alloc.AllocationGroup;
import org.asyncwq.storage.alloc.AllocationGroups;
import org.asyncwq.storage.block.StorageQueues;

/** A store's figures now ({@link Store#stats()}), gathered from the parts that keep them. */
final class StoreFigures {
  private StoreFigures() {}

  static StoreStats of(Mirrors mirrors, AllocationGroups space, Committer committer,
      StorageQueues queues) {
    List<GroupSpace> groups = new ArrayList<>();
    for (AllocationGroup g : space.groups()) {
      groups.add(new GroupSpace(g.index(), g.start(), g.blocks(), g.freeBlocks()));
    }
    Superblock sb = committer.committed();
    return new StoreStats(mirrors.volume().deviceStats(), mirrors.volume().stats(), groups,
        queues.stats(), sb.generation(), committer.commits(), sb.objects(), space.freeBlocks(),
        space.deferredBlocks());
  }
}
