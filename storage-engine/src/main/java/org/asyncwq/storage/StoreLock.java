package org.asyncwq.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.FileBlockDevice;

/**
 * The lock a {@link Store} holds on its devices while it is open: exclusive for a writer, shared
 * for read-only stores.
 *
 * <p>Two layers. An in-JVM guard (a static table of device identities: the real path of a file
 * device, the object identity of any other device) refuses a conflicting open in this JVM before
 * any file is touched; this matters because POSIX record locks belong to the process, so the OS
 * would not refuse it, and closing a second channel on a locked file would drop the first
 * holder's lock. Then an OS lock ({@link FileBlockDevice#tryLock}) on every file device refuses
 * other processes, and is dropped by the OS when the holding process dies. A writer records its
 * process id in {@code <device file>.lock} next to each device file so a refused open can name
 * it; the file is removed on release, and a stale one left by a killed process is overwritten.
 */
final class StoreLock {
  private static final Logger log = LogManager.getLogger(StoreLock.class);
  static final String HOLDER_SUFFIX = ".lock";
  /** Device key to -1 (one writer) or the number of readers. */
  private static final Map<Object, Integer> HELD = new HashMap<>();

  private final String store;
  private final List<Object> keys;
  private final boolean shared;
  private final List<FileLock> fileLocks = new ArrayList<>();
  private final List<Path> holderFiles = new ArrayList<>();
  /**
   * Devices this lock is the first in the JVM to hold, so takes the OS lock on: the JVM refuses a
   * second, even shared, lock of one file, so later readers here rely on the first one's.
   */
  private final java.util.Set<Object> osLockKeys = new java.util.HashSet<>();
  private boolean released;

  private StoreLock(String store, List<Object> keys, boolean shared) {
    this.store = store;
    this.keys = new ArrayList<>(keys);
    this.shared = shared;
  }

  /** The guard identity of a device file, existing or about to be created. */
  static Object fileKey(Path file) {
    try {
      return file.toRealPath();
    } catch (IOException e) {
      Path abs = file.toAbsolutePath().normalize();
      try {
        return abs.getParent().toRealPath().resolve(abs.getFileName());
      } catch (IOException | RuntimeException e2) {
        return abs;
      }
    }
  }

  static Object key(BlockDevice d) {
    if (d instanceof FileBlockDevice f) {
      return fileKey(f.file());
    }
    return new Identity(d);
  }

  static List<Object> keys(List<BlockDevice> devices) {
    List<Object> out = new ArrayList<>();
    for (BlockDevice d : devices) {
      out.add(key(d));
    }
    return out;
  }

  /**
   * Takes the in-JVM guard on {@code keys}, all or none.
   *
   * @param store how to name the store in a refusal
   * @throws StoreLockedException if a conflicting store in this JVM holds one of them
   */
  static StoreLock guard(String store, List<Object> keys, boolean shared)
      throws StoreLockedException {
    synchronized (HELD) {
      for (Object k : keys) {
        Integer h = HELD.get(k);
        if (h != null && (!shared || h < 0)) {
          throw new StoreLockedException("store " + store + " is locked: " + k + " is already open "
              + (h < 0 ? "for writing" : "read-only") + " in this process (pid "
              + ProcessHandle.current().pid() + "); close it first");
        }
      }
      List<Object> first = new ArrayList<>();
      for (Object k : keys) {
        if (!HELD.containsKey(k)) {
          first.add(k);
        }
        HELD.merge(k, shared ? 1 : -1, (a, b) -> a + b);
      }
      StoreLock lock = new StoreLock(store, List.copyOf(keys), shared);
      lock.osLockKeys.addAll(first);
      return lock;
    }
  }

  /**
   * Takes the OS lock on every file device among {@code devices} and, for a writer, records this
   * process as the holder. On refusal everything taken so far is released and nothing is written.
   */
  void lockFiles(List<BlockDevice> devices) throws IOException {
    try {
      for (BlockDevice d : devices) {
        if (d instanceof FileBlockDevice f && osLockKeys.contains(key(d))) {
          FileLock l;
          try {
            l = f.tryLock(shared);
          } catch (OverlappingFileLockException e) {
            l = null;
          }
          if (l == null) {
            throw new StoreLockedException("store " + store + " is locked: " + f.file()
                + " is open " + (shared ? "for writing " : "") + "in another process"
                + holder(f.file()) + "; close it first");
          }
          fileLocks.add(l);
        }
      }
      if (!shared) {
        String pid = ProcessHandle.current().pid() + "\n";
        for (BlockDevice d : devices) {
          if (d instanceof FileBlockDevice f && Files.isRegularFile(f.file())) {
            writeHolder(holderFile(f.file()), pid);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      release();
      throw e;
    }
  }

  /**
   * Best effort: a directory we may not write (a block device's {@code /dev}) only costs the pid
   * in a later refusal's message.
   */
  private void writeHolder(Path h, String pid) {
    try {
      Files.deleteIfExists(h);
      holderFiles.add(h);
      try (SeekableByteChannel ch = Files.newByteChannel(h, FileBlockDevice.privateCreation(),
          FileBlockDevice.ownerOnly(h))) {
        ch.write(ByteBuffer.wrap(pid.getBytes(StandardCharsets.US_ASCII)));
      }
    } catch (IOException e) {
      log.debug("cannot record the holder in {}: {}", h, e.toString());
    }
  }

  private static Path holderFile(Path deviceFile) {
    return deviceFile.resolveSibling(deviceFile.getFileName() + HOLDER_SUFFIX);
  }

  /** " (held by process N)" from the holder file, or "" when unknown. */
  private static String holder(Path deviceFile) {
    try {
      String pid = Files.readString(holderFile(deviceFile), StandardCharsets.US_ASCII).trim();
      long n = Long.parseLong(pid);
      if (ProcessHandle.of(n).isEmpty()) {
        return ""; // a stale record left by a killed writer
      }
      return " (held by process " + n
          + ProcessHandle.of(n).flatMap(p -> p.info().command()).map(c -> ", " + c).orElse("")
          + ")";
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  /**
   * Adds {@code device} (a replacement mirror) to this writer's lock before the store writes to
   * it: the in-JVM guard, the OS lock for a file device and the holder record, all released with
   * the rest on {@link #release()}.
   *
   * @throws StoreLockedException if another store, here or in another process, holds the device
   */
  void add(BlockDevice device) throws IOException {
    Object k = key(device);
    synchronized (HELD) {
      if (released) {
        throw new IllegalStateException("the store's lock is released");
      }
      if (HELD.containsKey(k)) {
        throw new StoreLockedException("cannot use " + k + " for store " + store
            + ": it is already open in this process (pid " + ProcessHandle.current().pid() + ")");
      }
      HELD.put(k, shared ? 1 : -1);
      keys.add(k);
    }
    if (device instanceof FileBlockDevice f) {
      FileLock l;
      try {
        l = f.tryLock(shared);
      } catch (OverlappingFileLockException e) {
        l = null;
      }
      if (l == null) {
        synchronized (HELD) {
          keys.remove(k);
          HELD.remove(k);
        }
        throw new StoreLockedException("cannot use " + f.file() + " for store " + store
            + ": it is open in another process" + holder(f.file()) + "; close it first");
      }
      synchronized (HELD) {
        fileLocks.add(l);
      }
      if (!shared && Files.isRegularFile(f.file())) {
        writeHolder(holderFile(f.file()), ProcessHandle.current().pid() + "\n");
      }
    }
  }

  /** Removes the holder files while the locks are still held (so a next holder's survive). */
  void dropHolder() {
    synchronized (HELD) {
      for (Path h : holderFiles) {
        try {
          Files.deleteIfExists(h);
        } catch (IOException e) {
          log.debug("removing {} failed: {}", h, e.toString());
        }
      }
      holderFiles.clear();
    }
  }

  /** Removes the holder files, releases the OS locks still valid and the in-JVM guard; idempotent. */
  void release() {
    synchronized (HELD) {
      if (released) {
        return;
      }
      released = true;
      dropHolder();
      for (FileLock l : fileLocks) {
        try {
          if (l.isValid()) {
            l.release();
          }
        } catch (IOException e) {
          log.debug("releasing {} failed: {}", l, e.toString());
        }
      }
      for (Object k : keys) {
        HELD.computeIfPresent(k, (key, h) -> {
          int left = h < 0 ? 0 : h - 1;
          return left == 0 ? null : left;
        });
      }
    }
  }

  /** Identity equality for devices that are not files. */
  private record Identity(BlockDevice device) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Identity i && i.device == device;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(device);
    }

    @Override
    public String toString() {
      return device.toString();
    }
  }
}
