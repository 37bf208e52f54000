package org.asyncwq.storage;

import java.time.Instant;
import org.asyncwq.storage.block.ChecksumType;

/**
 * What the store knows about one object.
 *
 * @param name the object's name
 * @param size its length in bytes
 * @param extents the number of contiguous runs of blocks its data occupies (0 when empty)
 * @param checksum the checksum every one of its blocks carries
 * @param generation the commit that made this version of the object durable
 * @param modified when this version was put
 */
public record ObjectInfo(
    String name, long size, int extents, ChecksumType checksum, long generation, Instant modified) {}
