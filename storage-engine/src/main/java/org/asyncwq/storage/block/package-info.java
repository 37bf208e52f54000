/**
 * The block layer of the storage engine: block devices (file, memory, fault-injecting), checksums,
 * and the mirrored volume that writes every mirror, verifies every read, repairs a bad copy from a
 * good one, scrubs a set of blocks and keeps btrfs-style device statistics, all on the named
 * asyncwq queues of {@link org.asyncwq.storage.block.StorageQueues}.
 */
package org.asyncwq.storage.block;
