package org.asyncwq.storage.block;

import static org.asyncwq.storage.block.BlockDevice.BLOCK_SIZE;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Shared test fixtures: fault-injecting mirrors in memory and recognisable block contents. */
final class Fixtures {
  private Fixtures() {}

  /** {@code n} fault-injecting mirrors over memory devices of {@code blocks} blocks. */
  static List<FaultyBlockDevice> faultyMirrors(int n, long blocks) {
    List<FaultyBlockDevice> mirrors = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      mirrors.add(new FaultyBlockDevice(new MemoryBlockDevice(blocks)));
    }
    return mirrors;
  }

  static List<BlockDevice> devices(List<FaultyBlockDevice> faulty) {
    return new ArrayList<>(faulty);
  }

  /** {@code blocks} blocks of pseudo-random bytes from {@code seed}. */
  static ByteBuffer data(int blocks, long seed) {
    byte[] bytes = new byte[blocks * BLOCK_SIZE];
    new Random(seed).nextBytes(bytes);
    return ByteBuffer.wrap(bytes);
  }

  /** The bytes of {@code buf}'s remaining content, for comparison. */
  static byte[] bytes(ByteBuffer buf) {
    ByteBuffer d = buf.duplicate();
    byte[] b = new byte[d.remaining()];
    d.get(b);
    return b;
  }

  /** The stress multiplier from -Dasyncwq.stress (1 by default, 50 with -Pstress). */
  static int stress() {
    return Integer.getInteger("asyncwq.stress", 1);
  }
}
