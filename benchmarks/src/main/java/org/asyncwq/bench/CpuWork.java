package org.asyncwq.bench;

/**
 * The small CPU work the ordered, hashed and threshold benchmarks give each item: a chain of
 * dependent multiply-xor-rotate steps over a small array (a few hundred nanoseconds on a current
 * core), identical for every contender. The caller stores the result in a field of its item, which
 * outlives the call, so the JIT cannot drop the work.
 */
final class CpuWork {
  private static final int WORDS = 32;
  private static final int ROUNDS = 4;

  private CpuWork() {}

  /** A fresh array to hash, different per {@code seed}. */
  static int[] data(int seed) {
    int[] data = new int[WORDS];
    int x = seed * 0x9E3779B9 + 1;
    for (int i = 0; i < WORDS; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      data[i] = x;
    }
    return data;
  }

  /** Hashes {@code data} {@link #ROUNDS} times; each step depends on the one before. */
  static int hash(int[] data, int seed) {
    int h = seed;
    for (int r = 0; r < ROUNDS; r++) {
      for (int v : data) {
        h = Integer.rotateLeft((h ^ v) * 0x9E3779B1, 13);
      }
    }
    return h;
  }
}
