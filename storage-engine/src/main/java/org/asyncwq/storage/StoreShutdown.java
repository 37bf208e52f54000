package org.asyncwq.storage;

import java.io.IOException;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.StorageQueues;

/**
 * The order in which a store closes: the commits in progress finish, the last commit is sealed,
 * then the volume and its devices, the queues, the replaced devices and the lock are closed, each
 * even if one before it failed.
 */
final class StoreShutdown {
  private static final Logger log = LogManager.getLogger(Store.class);

  private StoreShutdown() {}

  static void run(Committer committer, Mirrors mirrors, StorageQueues queues, StoreLock lock,
      List<BlockDevice> retired, boolean readOnly) {
    committer.close();
    sealLastCommit(committer, mirrors, readOnly);
    lock.dropHolder();
    try {
      mirrors.close();
    } finally {
      try {
        queues.close();
      } finally {
        for (BlockDevice d : retired) {
          try {
            d.close();
          } catch (Exception e) {
            log.debug("closing a replaced device failed: {}", e.toString());
          }
        }
        lock.release();
      }
    }
  }

  /**
   * The last commit's flush round has ended, so it is complete: seal it (see {@link Superblock}),
   * and the next open need not prove it. On failure the next open proves it instead.
   */
  private static void sealLastCommit(Committer committer, Mirrors mirrors, boolean readOnly) {
    Superblock sb = committer.committed();
    if (readOnly || sb.sealed() || committer.broken()) {
      return;
    }
    try {
      mirrors.writeSuperblock(sb.sealedCopy());
    } catch (IOException | RuntimeException e) {
      log.warn("sealing commit {} at close failed; the next open proves it instead: {}",
          sb.generation(), e.toString());
    }
  }
}
