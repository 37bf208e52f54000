package org.asyncwq.storage.block;

import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A {@link FileChannel} on one file that survives interrupts of the threads using it.
 *
 * <p>A {@code FileChannel} is interruptible: a thread interrupted during an operation makes the JDK
 * close the channel (that thread gets {@link ClosedByInterruptException}, every other thread inside
 * an operation on it {@link AsynchronousCloseException}, later callers {@link
 * ClosedChannelException}). {@link #run} therefore runs an operation on the current channel and, when
 * it failed because the channel was closed and {@link #close()} was not called, opens the file again
 * (once: the first thread that sees the closed channel opens a new one, the others find the channel
 * field no longer holding the one that failed them and reuse the new one), takes the OS lock again
 * if {@link #tryLock} held one, and runs the operation again. Operations must be idempotent
 * (positional reads and writes, {@code force}). The caller's interrupt flag is cleared for the
 * operation (so it cannot close the channel again) and set again before {@code run} returns or
 * throws: an interrupt is never lost, and never fails the operation or another thread's.
 *
 * <p>After {@link #close()} every {@code run} throws {@link ClosedChannelException}. The file is
 * reopened only if it is still the same file (its {@code fileKey}, where the file system has one).
 */
final class ReopeningChannel implements AutoCloseable {
  private static final Logger log = LogManager.getLogger(ReopeningChannel.class);
  /** More reopens than this within one operation mean something other than interrupts closes it. */
  private static final int MAX_REOPENS = 64;

  /** One operation on a channel; it must be safe to run again on a new channel of the same file. */
  interface Operation<T> {
    T on(FileChannel channel) throws IOException;
  }

  private final Path file;
  private final OpenOption[] options;
  private final Object fileKey;
  private final Object reopening = new Object();
  private final AtomicLong reopens = new AtomicLong();
  private volatile FileChannel channel;
  private volatile boolean closed;
  /** Whether {@link #tryLock} took a shared lock, an exclusive one, or none (null). */
  private Boolean lockShared;

  ReopeningChannel(Path file, FileChannel channel, OpenOption... options) throws IOException {
    this.file = Objects.requireNonNull(file, "file");
    this.channel = Objects.requireNonNull(channel, "channel");
    this.options = options.clone();
    this.fileKey = fileKey(file);
  }

  private static Object fileKey(Path file) throws IOException {
    return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
  }

  /** Runs {@code op} on the channel, reopening it if an interrupt closed it (see the class doc). */
  <T> T run(Operation<T> op) throws IOException {
    // An interrupt already pending would close the channel at the operation's start: hold it back.
    boolean interrupted = Thread.interrupted();
    try {
      for (int attempt = 0; ; attempt++) {
        FileChannel ch = channel;
        try {
          return op.on(ch);
        } catch (ClosedChannelException e) { // ClosedByInterrupt and AsynchronousClose among them
          interrupted |= Thread.interrupted() | e instanceof ClosedByInterruptException;
          if (closed || attempt >= MAX_REOPENS) {
            throw e;
          }
          reopen(ch, e);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Replaces {@code failed} by a new channel, unless another thread already did or it is open. */
  private void reopen(FileChannel failed, ClosedChannelException cause) throws IOException {
    synchronized (reopening) {
      if (closed || failed.isOpen()) {
        throw cause;
      }
      if (channel != failed) {
        return; // another thread reopened it
      }
      if (!Objects.equals(fileKey, fileKey(file))) {
        IOException e = new IOException(file + " was replaced by another file since it was opened;"
            + " not reopening it after an interrupt closed its channel");
        e.addSuppressed(cause);
        throw e;
      }
      FileChannel ch = FileChannel.open(file, options);
      try {
        if (lockShared != null && ch.tryLock(0, Long.MAX_VALUE, lockShared) == null) {
          IOException e = new IOException("lost the lock on " + file + ": an interrupt closed its "
              + "channel and another process locked the file before it was reopened");
          e.addSuppressed(cause);
          throw e;
        }
      } catch (IOException | RuntimeException e) {
        ch.close();
        throw e;
      }
      channel = ch;
      long n = reopens.incrementAndGet();
      log.debug("reopened {} after an interrupt closed its channel ({} reopens)", file, n);
    }
  }

  /**
   * Tries to lock the whole file, as {@link FileChannel#tryLock(long, long, boolean)}; a lock taken
   * is taken again on every reopened channel.
   */
  FileLock tryLock(boolean shared) throws IOException {
    synchronized (reopening) {
      FileLock l = run(ch -> ch.tryLock(0, Long.MAX_VALUE, shared));
      if (l != null) {
        lockShared = shared;
      }
      return l;
    }
  }

  /** How many times the channel was reopened after an interrupt closed it. */
  long reopens() {
    return reopens.get();
  }

  @Override
  public void close() throws IOException {
    synchronized (reopening) {
      closed = true;
      channel.close();
    }
  }
}
