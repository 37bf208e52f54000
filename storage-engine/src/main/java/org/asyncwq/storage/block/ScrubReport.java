package org.asyncwq.storage.block;

/**
 * What a scrub found, counted as {@code btrfs scrub status} counts: per copy.
 *
 * @param blocks block references scrubbed
 * @param csumErrors copies read whose checksum did not match
 * @param readErrors copies that could not be read
 * @param corrected bad copies rewritten from a good copy
 * @param uncorrectable bad copies left bad (no good copy, or the rewrite failed)
 */
public record ScrubReport(
    long blocks, long csumErrors, long readErrors, long corrected, long uncorrectable) {}
