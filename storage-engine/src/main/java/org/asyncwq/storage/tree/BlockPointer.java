package org.asyncwq.storage.tree;

import org.asyncwq.storage.block.Checksum;

/**
 * Where a page lives and what it must look like: its block, the generation that wrote it and the
 * checksum of the whole block. A parent carries one per child, so a child that rotted (checksum), was
 * written elsewhere (its header names another block) or was never written (an older generation with
 * a valid checksum: a lost write) is caught on read, as ZFS's block pointers do.
 */
public record BlockPointer(long block, long generation, Checksum checksum) {}
