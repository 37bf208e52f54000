package org.asyncwq.storage.block;

/**
 * A volume's counters since it was built.
 *
 * @param reads blocks returned by successful {@link MirroredVolume#read} calls
 * @param writes blocks written by successful {@link MirroredVolume#write} calls
 * @param corrected bad copies rewritten from a good one, by reads and scrubs
 * @param uncorrectable blocks a read found with no good copy, plus bad copies a scrub could not fix
 */
public record VolumeStats(long reads, long writes, long corrected, long uncorrectable) {}
