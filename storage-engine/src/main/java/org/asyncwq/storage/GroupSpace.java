package org.asyncwq.storage;

/**
 * Space in one allocation group.
 *
 * @param group the group's index
 * @param firstBlock its first device block
 * @param blocks its size in blocks
 * @param freeBlocks blocks free for new data now
 */
public record GroupSpace(int group, long firstBlock, long blocks, long freeBlocks) {}
