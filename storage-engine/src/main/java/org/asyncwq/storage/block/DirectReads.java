package org.asyncwq.storage.block;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads of one file with direct IO ({@code O_DIRECT}) for {@link FileBlockDevice#openDirectReads}:
 * a read-only channel opened with {@code ExtendedOpenOption.DIRECT}, read through a buffer aligned
 * to the file system's block size (the kernel refuses unaligned direct IO) and copied to the
 * caller's buffer. Each reading thread keeps one such buffer of {@link #CHUNK} bytes. The channel
 * is a {@link ReopeningChannel}: an interrupted reader neither fails nor fails other readers.
 */
final class DirectReads implements AutoCloseable {
  /** The most bytes one direct read moves; longer reads are done in pieces. */
  static final int CHUNK = 1 << 20;

  private final Path file;
  private final ReopeningChannel channel;
  private final int align;
  private final ThreadLocal<ByteBuffer> buffers;

  private DirectReads(Path file, ReopeningChannel channel, int align) {
    this.file = file;
    this.channel = channel;
    this.align = align;
    this.buffers = ThreadLocal.withInitial(
        () -> ByteBuffer.allocateDirect(CHUNK + align).alignedSlice(align));
  }

  static DirectReads open(Path file) throws IOException {
    OpenOption directOption;
    try {
      directOption = com.sun.nio.file.ExtendedOpenOption.DIRECT;
    } catch (LinkageError e) {
      throw new UnsupportedOperationException("direct reads of " + file + ": this JDK has no "
          + "com.sun.nio.file.ExtendedOpenOption.DIRECT (" + e + ")");
    }
    long align = Files.getFileStore(file).getBlockSize();
    if (align <= 0 || align > BlockDevice.BLOCK_SIZE || BlockDevice.BLOCK_SIZE % align != 0) {
      throw new UnsupportedOperationException("direct reads of " + file + ": the file system's "
          + "block size " + align + " does not divide the device's " + BlockDevice.BLOCK_SIZE
          + "-byte blocks");
    }
    FileChannel ch;
    try {
      ch = FileChannel.open(file, StandardOpenOption.READ, directOption);
    } catch (UnsupportedOperationException e) {
      throw new UnsupportedOperationException("direct reads of " + file + ": this platform "
          + "does not support O_DIRECT (" + e.getMessage() + ")", e);
    } catch (IOException e) {
      throw new IOException("direct reads of " + file + ": cannot open it with O_DIRECT ("
          + e.getMessage() + "; some file systems, tmpfs among them, refuse it)", e);
    }
    try {
      return new DirectReads(file,
          new ReopeningChannel(file, ch, StandardOpenOption.READ, directOption), (int) align);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** Reads {@code dst.remaining()} bytes (whole blocks) from byte {@code pos} into {@code dst}. */
  void read(long pos, ByteBuffer dst) throws IOException {
    ByteBuffer buf = buffers.get();
    while (dst.hasRemaining()) {
      int n = Math.min(CHUNK, dst.remaining());
      long at = pos;
      // A retry after a reopen starts the piece again from its first byte.
      channel.run(ch -> {
        buf.clear().limit(n);
        while (buf.hasRemaining()) {
          int r = ch.read(buf, at + buf.position());
          if (r < 0) {
            throw new IOException(file + ": unexpected end of file at byte "
                + (at + buf.position()));
          }
        }
        return null;
      });
      buf.flip();
      dst.put(buf);
      pos += n;
    }
  }

  /** How many times an interrupt closed the direct channel and it was reopened. */
  long reopens() {
    return channel.reopens();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
