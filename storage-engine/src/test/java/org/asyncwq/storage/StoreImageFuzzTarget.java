package org.asyncwq.storage;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.CRC32C;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.Checksum;
import org.asyncwq.storage.block.ChecksumType;
import org.asyncwq.storage.block.MemoryBlockDevice;
import org.asyncwq.storage.block.UncorrectableDataException;
import org.asyncwq.storage.tree.CorruptPageException;

/**
 * Fuzz target of reliability campaign 5: one input is a little program of mutations applied to the
 * superblocks and metadata pages of a two-mirror store image; the mutated image is then opened,
 * listed, read and checked. Most mutations are <em>resealed</em>: the superblock's CRC, the page's
 * own checksum and every parent pointer up to the superblocks are recomputed, so the decoders' field
 * checks are reached, not only the checksums.
 *
 * <p>The image is taken before the store closes, so its newest commit is not sealed and every open
 * proves it ({@link CommitProof}). Some mutations damage, unresealed, a block that newest commit
 * wrote (data included), as a power loss during its one flush round would: when every mutation of
 * an input is of that kind, the store must open (at the previous commit, or with the copy
 * repaired) and read and check without any exception.
 *
 * <p>The only exceptions allowed out of the store are the documented ones: {@link
 * CorruptStoreException}, {@link CorruptPageException} and {@link UncorrectableDataException}.
 * Anything else, an open that takes longer than {@link #OPEN_LIMIT_SECONDS} seconds, or an {@link
 * OutOfMemoryError}, is a finding: {@link #fuzzerTestOneInput(byte[])} throws.
 *
 * <p>Driven by {@link StoreImageFuzzTest} (seeded random inputs). The entry point has Jazzer's
 * name and signature, so Jazzer's standalone driver can also run it coverage-guided with the test
 * class path: {@code java -cp <test class path>:jazzer.jar com.code_intelligence.jazzer.Jazzer
 * --target_class=org.asyncwq.storage.StoreImageFuzzTarget}.
 */
public final class StoreImageFuzzTarget {
  static final int OPEN_LIMIT_SECONDS = 10;
  private static final int BLOCKS = 1024;
  private static final int PAGE_MAGIC = 0x41575150;
  private static final ChecksumType TYPE = ChecksumType.XXH64;
  private static final int PAGE_CSUM_AT = 34;
  private static final int PAGE_CSUM_MAX = 32;

  private static final long[] LONGS = {0, 1, -1, 2, 3, 7, 8, 255, 256, 1023, 1024, 1025, 4096,
      Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE, 0xFFFF, 0x8000, 0x7F,
      0x80, 1L << 32, -2, BLOCKS - 1, BLOCKS / 2};

  private static Base base;
  private static final ExecutorService RUNNER = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "fuzz-open");
    t.setDaemon(true);
    return t;
  });

  /** The clean image every input starts from, built once from a fixed seed. */
  private record Base(byte[][] mirrors, List<Integer> pages, List<Integer> used,
      List<Integer> newest) {}

  private StoreImageFuzzTarget() {}

  /** Jazzer's entry point; also called by the seeded fuzzer. */
  public static void fuzzerTestOneInput(byte[] input) throws Exception {
    Base b = base();
    byte[][] img = {b.mirrors[0].clone(), b.mirrors[1].clone()};
    boolean onlyNewestCommit = mutate(img, b, new Input(input));
    List<BlockDevice> devices = new ArrayList<>();
    for (byte[] m : img) {
      MemoryBlockDevice d = new MemoryBlockDevice(BLOCKS);
      for (int block : b.used) {
        d.write(block, ByteBuffer.wrap(m, block * BlockDevice.BLOCK_SIZE, BlockDevice.BLOCK_SIZE));
      }
      devices.add(d);
    }
    Future<?> run = RUNNER.submit(() -> {
      exercise(devices);
      return null;
    });
    try {
      run.get(OPEN_LIMIT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      run.cancel(true);
      throw new AssertionError("open/read/check of a mutated image took over "
          + OPEN_LIMIT_SECONDS + " s (hang)", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (onlyNewestCommit) {
        throw new AssertionError("only blocks the unsealed newest commit wrote were damaged, so "
            + "the store must open at the previous commit or repair them, but: " + c, c);
      }
      if (c instanceof CorruptStoreException || c instanceof CorruptPageException
          || c instanceof UncorrectableDataException) {
        return; // documented: the damage was found and reported
      }
      throw new AssertionError("undocumented failure on a mutated image: " + c, c);
    }
  }

  private static void exercise(List<BlockDevice> devices) throws IOException {
    try (Store s = Store.open(devices)) {
      for (ObjectInfo o : s.list("")) {
        s.stat(o.name());
        s.read(o.name());
      }
      s.check();
    }
  }

  static synchronized Base base() throws IOException {
    if (base != null) {
      return base;
    }
    MemoryBlockDevice[] devs = {new MemoryBlockDevice(BLOCKS), new MemoryBlockDevice(BLOCKS)};
    Random r = new Random(20261129);
    byte[][] mirrors = new byte[2][BLOCKS * BlockDevice.BLOCK_SIZE];
    byte[][] before = new byte[2][BLOCKS * BlockDevice.BLOCK_SIZE];
    try (Store s = Store.create(List.of(devs[0], devs[1]), StoreOptions.builder()
        .checksum(TYPE).allocationGroups(2).build())) {
      for (int i = 0; i < 45; i++) {
        int size = r.nextInt(8) == 0 ? r.nextInt(40_000) : r.nextInt(3000);
        byte[] data = new byte[size];
        r.nextBytes(data);
        s.put("object-" + i + "-" + "n".repeat(r.nextInt(40)), new ByteArrayInputStream(data));
        if (i % 9 == 8) {
          s.delete(s.list("").get(r.nextInt(i / 2)).name());
        }
      }
      for (int m = 0; m < 2; m++) {
        devs[m].read(0, ByteBuffer.wrap(before[m]));
      }
      byte[] last = new byte[20_000];
      r.nextBytes(last);
      s.put("newest", new ByteArrayInputStream(last));
      // Before close, which would seal the newest commit (and closes the devices).
      for (int m = 0; m < 2; m++) {
        devs[m].read(0, ByteBuffer.wrap(mirrors[m]));
      }
    }
    List<Integer> newest = new ArrayList<>();
    for (int block = Superblock.SLOTS; block < BLOCKS; block++) {
      if (!Arrays.equals(blockBytes(before[0], block), blockBytes(mirrors[0], block))) {
        newest.add(block);
      }
    }
    List<Integer> pages = new ArrayList<>();
    List<Integer> used = new ArrayList<>();
    for (int block = 0; block < BLOCKS; block++) {
      ByteBuffer p = ByteBuffer.wrap(mirrors[0], block * BlockDevice.BLOCK_SIZE,
          BlockDevice.BLOCK_SIZE).slice();
      boolean zero = true;
      for (int m = 0; m < 2 && zero; m++) {
        for (int i = 0; i < BlockDevice.BLOCK_SIZE; i++) {
          if (mirrors[m][block * BlockDevice.BLOCK_SIZE + i] != 0) {
            zero = false;
            break;
          }
        }
      }
      if (!zero) {
        used.add(block);
      }
      if (p.getInt(0) == PAGE_MAGIC && p.getLong(24) == block) {
        pages.add(block);
      }
    }
    base = new Base(mirrors, List.copyOf(pages), List.copyOf(used), List.copyOf(newest));
    return base;
  }

  /** Applies the input's mutations; true if each was unresealed damage to a newest-commit block. */
  private static boolean mutate(byte[][] img, Base b, Input in) {
    int n = 1 + in.u8() % 4;
    boolean onlyNewestCommit = true;
    for (int i = 0; i < n; i++) {
      int which = in.u8() % 3; // mirror 0, mirror 1, or both alike
      boolean superblock = in.u8() % 2 == 0;
      boolean newestCommit = !superblock && in.u8() % 3 == 0;
      int block = superblock ? in.u8() % 2
          : newestCommit ? b.newest.get(in.u16() % b.newest.size())
          : b.pages.get(in.u16() % b.pages.size());
      int kind = in.u8() % 6;
      int offset = (superblock || in.u8() % 2 == 0) ? in.u8() % 128 : in.u16() % 4096;
      long value = in.u8() % 3 == 0 ? in.i64() : LONGS[in.u8() % LONGS.length];
      int source = b.used.get(in.u16() % b.used.size());
      boolean reseal = in.u8() % 4 != 0;
      onlyNewestCommit &= newestCommit && !reseal;
      for (int m = 0; m < 2; m++) {
        if (which != 2 && which != m) {
          continue;
        }
        byte[] old = blockBytes(img[m], block);
        ByteBuffer p = ByteBuffer.wrap(img[m], block * BlockDevice.BLOCK_SIZE,
            BlockDevice.BLOCK_SIZE).slice();
        switch (kind) {
          case 0 -> p.put(offset, (byte) (p.get(offset) ^ (1 << (value & 7))));
          case 1 -> p.put(offset, (byte) value);
          case 2 -> p.putInt(Math.min(offset & ~3, 4092), (int) value);
          case 3 -> p.putLong(Math.min(offset & ~7, 4088), value);
          case 4 -> Arrays.fill(img[m], block * BlockDevice.BLOCK_SIZE,
              (block + 1) * BlockDevice.BLOCK_SIZE, (byte) 0);
          default -> System.arraycopy(img[m], source * BlockDevice.BLOCK_SIZE, img[m],
              block * BlockDevice.BLOCK_SIZE, BlockDevice.BLOCK_SIZE);
        }
        if (reseal) {
          reseal(img[m], block, old, b, 0);
        }
      }
    }
    return onlyNewestCommit;
  }

  /** Recomputes {@code block}'s own checksum and every pointer to it, up to the superblocks. */
  private static void reseal(byte[] img, int block, byte[] old, Base b, int depth) {
    if (block < Superblock.SLOTS) {
      sealSuperblock(img, block);
      return;
    }
    ByteBuffer p = ByteBuffer.wrap(img, block * BlockDevice.BLOCK_SIZE, BlockDevice.BLOCK_SIZE)
        .slice();
    int len = Byte.toUnsignedInt(p.get(33));
    if (len == TYPE.size()) {
      byte[] zeroed = blockBytes(img, block);
      Arrays.fill(zeroed, PAGE_CSUM_AT, PAGE_CSUM_AT + PAGE_CSUM_MAX, (byte) 0);
      p.put(PAGE_CSUM_AT, Checksum.of(TYPE, ByteBuffer.wrap(zeroed)).bytes());
    }
    byte[] was = Checksum.of(TYPE, ByteBuffer.wrap(old)).bytes();
    byte[] now = Checksum.of(TYPE, ByteBuffer.wrap(blockBytes(img, block))).bytes();
    for (int parent : b.pages) {
      byte[] before = blockBytes(img, parent);
      if (parent != block && depth < 8 && replace(img, parent, was, now)) {
        reseal(img, parent, before, b, depth + 1);
      }
    }
    for (int slot = 0; slot < Superblock.SLOTS; slot++) {
      if (replace(img, slot, was, now)) {
        sealSuperblock(img, slot);
      }
    }
  }

  private static boolean replace(byte[] img, int block, byte[] was, byte[] now) {
    byte[] page = blockBytes(img, block);
    int at = indexOf(page, was);
    if (at < 0) {
      return false;
    }
    System.arraycopy(now, 0, img, block * BlockDevice.BLOCK_SIZE + at, now.length);
    return true;
  }

  private static int indexOf(byte[] page, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= page.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (page[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static void sealSuperblock(byte[] img, int slot) {
    CRC32C crc = new CRC32C();
    int at = slot * BlockDevice.BLOCK_SIZE;
    crc.update(img, at, BlockDevice.BLOCK_SIZE - 4);
    ByteBuffer.wrap(img).putInt(at + BlockDevice.BLOCK_SIZE - 4, (int) crc.getValue());
  }

  private static byte[] blockBytes(byte[] img, int block) {
    return Arrays.copyOfRange(img, block * BlockDevice.BLOCK_SIZE,
        (block + 1) * BlockDevice.BLOCK_SIZE);
  }

  /** Reads the input as unsigned numbers; zeros once it runs out. */
  private static final class Input {
    private final byte[] data;
    private int at;

    Input(byte[] data) {
      this.data = data;
    }

    int u8() {
      return at < data.length ? Byte.toUnsignedInt(data[at++]) : 0;
    }

    int u16() {
      return u8() << 8 | u8();
    }

    long i64() {
      return (long) u16() << 48 | (long) u16() << 32 | (long) u16() << 16 | u16();
    }
  }
}
