package org.asyncwq.storage.block;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A {@link BlockDevice} on a file, or on a Linux block device file such as {@code /dev/nbd0}
 * (so a mirror may live on another machine through NBD, iSCSI or Ceph RBD).
 *
 * <p>All IO is positional {@link FileChannel} IO ({@code pread}/{@code pwrite}), so concurrent reads
 * and writes of different blocks proceed in parallel without a lock. {@link #flush()} is {@code
 * FileChannel.force(false)} ({@code fdatasync}): it makes the written bytes durable together with
 * the file metadata needed to read them back (block allocation), but not timestamps, which nothing
 * reads; the file's size never changes after {@link #create}, which forces it with its metadata
 * ({@code fsync}) before returning. {@link #create} makes a sparse file, owner-only
 * ({@code rw-------}) on POSIX file systems, and refuses any existing entry, never following a
 * symbolic link; {@link #open} takes the size from the file, which must be a whole number of
 * blocks.
 *
 * <p><b>Interrupts.</b> A thread interrupted while it reads, writes or flushes does not fail, and
 * neither does any other thread's IO: the JDK closes an interruptible {@code FileChannel} when a
 * thread using it is interrupted, so the device then opens the file again (one thread reopens, the
 * others reuse the new channel), takes its {@link #tryLock lock} again if it held one, and retries
 * the operation (positional reads and writes and {@code force} are safe to repeat). The call
 * completes and returns with the caller's interrupt flag still set, for the caller to act on. Only
 * {@link #close()} closes the device: after it every call throws {@link
 * java.nio.channels.ClosedChannelException}.
 */
public final class FileBlockDevice implements BlockDevice {
  private static final Logger log = LogManager.getLogger(FileBlockDevice.class);

  private final Path file;
  private final ReopeningChannel channel;
  private final long blockCount;
  /** Reads, when {@link #openDirectReads} opened the device; null otherwise. */
  private final DirectReads direct;

  private FileBlockDevice(Path file, ReopeningChannel channel, long blockCount) {
    this(file, channel, blockCount, null);
  }

  private FileBlockDevice(Path file, ReopeningChannel channel, long blockCount,
      DirectReads direct) {
    this.file = file;
    this.channel = channel;
    this.blockCount = blockCount;
    this.direct = direct;
  }

  /**
   * Opens an existing file as {@link #open(Path)} does, but reads it with direct IO ({@code
   * O_DIRECT}, through the JDK's {@code com.sun.nio.file.ExtendedOpenOption.DIRECT}): reads bypass
   * the page cache, so every read goes to the disk (cold reads), and the device's data does not
   * crowd other files out of the cache. Writes and flushes stay buffered; a direct read of a block
   * written through the cache sees the written bytes (the kernel writes dirty cached pages of the
   * range back before a direct read). Each read goes through a buffer aligned to the file system's
   * block size (one of up to 1 MiB per reading thread, kept for reuse) and is copied to the
   * caller's buffer. A store opens on such devices with {@code Store.open(List)}.
   *
   * @throws UnsupportedOperationException if the JDK offers no direct IO, or the file system's
   *     alignment is larger than a block; the message says which
   * @throws IOException if the file cannot be opened with direct IO (tmpfs, for one, refuses it)
   */
  public static FileBlockDevice openDirectReads(Path file) throws IOException {
    FileBlockDevice d = open(file);
    try {
      return new FileBlockDevice(file, d.channel, d.blockCount, DirectReads.open(file));
    } catch (IOException | RuntimeException e) {
      d.close();
      throw e;
    }
  }

  /** Whether reads bypass the page cache ({@link #openDirectReads}). */
  public boolean directReads() {
    return direct != null;
  }

  /**
   * Creates a sparse file of {@code blockCount} blocks.
   *
   * @throws FileAlreadyExistsException if {@code file} exists (it is left untouched)
   * @throws IllegalArgumentException if {@code blockCount} is not positive
   */
  public static FileBlockDevice create(Path file, long blockCount) throws IOException {
    Objects.requireNonNull(file, "file");
    if (blockCount <= 0) {
      throw new IllegalArgumentException("blockCount must be positive, was " + blockCount);
    }
    if (blockCount > Long.MAX_VALUE / BLOCK_SIZE) {
      throw new IllegalArgumentException("blockCount " + blockCount + " is too large");
    }
    Set<OpenOption> options = privateCreation();
    options.add(StandardOpenOption.READ);
    options.add(StandardOpenOption.SPARSE);
    FileChannel ch = FileChannel.open(file, options, ownerOnly(file));
    ReopeningChannel reopening;
    try {
      // One byte at the very end sizes the file without allocating the blocks before it.
      ch.write(ByteBuffer.allocate(1), blockCount * BLOCK_SIZE - 1);
      // The size is the only metadata flush() leaves to the file system's own schedule.
      ch.force(true);
      // A reopen must not create or truncate: the file exists from now on.
      reopening = new ReopeningChannel(file, ch, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (IOException | RuntimeException e) {
      ch.close();
      Files.deleteIfExists(file);
      throw e;
    }
    log.debug("created {} with {} blocks", file, blockCount);
    return new FileBlockDevice(file, reopening, blockCount);
  }

  /**
   * The options that create a new file for writing and refuse any existing entry, a symbolic link
   * included (never followed): {@code CREATE_NEW}, {@code WRITE}, {@code NOFOLLOW_LINKS}. A mutable
   * set, so callers may add to it.
   */
  public static Set<OpenOption> privateCreation() {
    Set<OpenOption> o = new HashSet<>();
    o.add(StandardOpenOption.CREATE_NEW);
    o.add(StandardOpenOption.WRITE);
    o.add(LinkOption.NOFOLLOW_LINKS);
    return o;
  }

  /**
   * Owner-only permissions ({@code rw-------}) to apply atomically when creating {@code file}, if
   * its file system is POSIX; none otherwise.
   */
  public static FileAttribute<?>[] ownerOnly(Path file) {
    Path dir = file.toAbsolutePath().getParent();
    if (dir != null && dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return new FileAttribute<?>[] {
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
      };
    }
    return new FileAttribute<?>[0];
  }

  /**
   * Opens an existing file or block device file; its size must be a positive whole number of blocks.
   *
   * @throws java.nio.file.NoSuchFileException if it does not exist
   * @throws IOException if its size is not a positive whole number of blocks
   */
  public static FileBlockDevice open(Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      long size = ch.size();
      if (size == 0 && !Files.isRegularFile(file)) {
        size = blockDeviceBytes(file);
      }
      if (size <= 0 || size % BLOCK_SIZE != 0) {
        throw new IOException(file + " holds " + size
            + " bytes, which is not a positive whole number of " + BLOCK_SIZE + "-byte blocks");
      }
      return new FileBlockDevice(file, new ReopeningChannel(file, ch, StandardOpenOption.READ,
          StandardOpenOption.WRITE), size / BLOCK_SIZE);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /**
   * The size of a Linux block device file, which {@code FileChannel.size()} may report as 0: sysfs
   * gives it in 512-byte sectors.
   */
  private static long blockDeviceBytes(Path file) throws IOException {
    Path sysfs = Path.of("/sys/class/block", file.toRealPath().getFileName().toString(), "size");
    if (!Files.isReadable(sysfs)) {
      return 0;
    }
    return Long.parseLong(Files.readString(sysfs).trim()) * 512;
  }

  /**
   * Tries to lock the whole file through this device's own channel, exclusively or {@code shared};
   * the lock lasts until it is released or the device is closed, and the operating system drops it
   * when the process dies.
   *
   * @return the lock, or {@code null} if another process holds a conflicting lock
   * @throws java.nio.channels.OverlappingFileLockException if this JVM already locks the file
   */
  public FileLock tryLock(boolean shared) throws IOException {
    return channel.tryLock(shared);
  }

  /** The file this device reads and writes. */
  public Path file() {
    return file;
  }

  @Override
  public long blockCount() {
    return blockCount;
  }

  @Override
  public void read(long firstBlock, ByteBuffer dst) throws IOException {
    BlockRange.check("read of " + file, firstBlock, dst, blockCount);
    long pos = firstBlock * BLOCK_SIZE;
    if (direct != null) {
      direct.read(pos, dst);
      return;
    }
    // A retry after a reopen starts again from the first byte.
    int start = dst.position();
    channel.run(ch -> {
      dst.position(start);
      long p = pos;
      while (dst.hasRemaining()) {
        int n = ch.read(dst, p);
        if (n < 0) {
          throw new IOException(file + ": unexpected end of file at byte " + p);
        }
        p += n;
      }
      return null;
    });
  }

  @Override
  public void write(long firstBlock, ByteBuffer src) throws IOException {
    BlockRange.check("write to " + file, firstBlock, src, blockCount);
    long pos = firstBlock * BLOCK_SIZE;
    int start = src.position();
    channel.run(ch -> {
      src.position(start);
      long p = pos;
      while (src.hasRemaining()) {
        p += ch.write(src, p);
      }
      return null;
    });
  }

  @Override
  public void flush() throws IOException {
    // fdatasync: ext4 and XFS skip the journal commit an fsync makes for the modification time
    // of an overwritten block, while still committing any allocation the written blocks need.
    channel.run(ch -> {
      ch.force(false);
      return null;
    });
  }

  /** How many times an interrupt closed the device's channels and they were reopened. */
  long reopens() {
    return channel.reopens() + (direct != null ? direct.reopens() : 0);
  }

  @Override
  public void close() throws IOException {
    try {
      channel.close();
    } finally {
      if (direct != null) {
        direct.close();
      }
    }
  }

  @Override
  public String toString() {
    return "FileBlockDevice[" + file + ", " + blockCount + " blocks"
        + (direct != null ? ", direct reads]" : "]");
  }
}
