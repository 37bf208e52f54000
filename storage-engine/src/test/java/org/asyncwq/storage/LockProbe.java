package org.asyncwq.storage;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Run as a separate JVM by {@link StoreReplaceLockTest}: for each file argument prints {@code
 * locked} if another process holds a lock on it, else {@code free} (its own probe lock released at
 * once). A separate process, because POSIX locks never conflict within one.
 */
final class LockProbe {
  private LockProbe() {}

  public static void main(String[] args) throws Exception {
    for (String file : args) {
      try (FileChannel ch = FileChannel.open(Path.of(file), StandardOpenOption.READ,
          StandardOpenOption.WRITE)) {
        FileLock l = ch.tryLock(0, Long.MAX_VALUE, true);
        System.out.println(l == null ? "locked" : "free");
        if (l != null) {
          l.release();
        }
      }
    }
  }
}
