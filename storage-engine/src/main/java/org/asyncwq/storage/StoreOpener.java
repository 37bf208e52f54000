package org.asyncwq.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.asyncwq.storage.alloc.AllocationGroups;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.FileBlockDevice;
import org.asyncwq.storage.tree.CowTree;
import org.asyncwq.storage.tree.PageKind;

/**
 * Creating and opening stores: the device files, the locks, and the order of the steps of an open.
 *
 * <p><b>Open.</b> Both slots of every mirror are read and verified ({@link SuperblockSlots}). The
 * newest generation whose superblock verifies and whose directory root reads back verified is
 * opened; if its root is bad on every mirror the previous generation is tried (the two newest
 * commits are always openable). The newest commit, written in one flush round with its pages
 * (format version 2), is taken only if it is sealed or {@link CommitProof} finds every block it
 * wrote on some mirror, repairing the other copies ({@link CommitChoice}); otherwise the power went
 * during its round and the previous commit is opened. Free space is everything neither of the two
 * commits references; what only the older one references is deferred until the next commit
 * ({@link SpaceRebuild}). Only then, once the store is known good, is any stale or damaged slot
 * rewritten from a good copy ({@link SuperblockSlots#repair}): a store that cannot be opened is
 * never written. A writable open then seals the commit it took (flush, then the sealed superblock,
 * then flush).
 */
final class StoreOpener {
  private static final Logger log = LogManager.getLogger(StoreOpener.class);
  private static final Pattern DEVICE = Pattern.compile("mirror-(\\d+)\\.img");

  private StoreOpener() {}

  static Store create(Path dir, StoreOptions o) throws IOException {
    return create(dir, o, StoreWiring.ASYNCWQ_QUEUES);
  }

  static Store create(Path dir, StoreOptions o, StoreWiring wiring) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectories(dir, ownerOnlyDirectory(dir));
    }
    List<Object> keys = new ArrayList<>();
    for (int m = 0; m < o.mirrors(); m++) {
      keys.add(StoreLock.fileKey(deviceFile(dir, m)));
    }
    StoreLock lock = StoreLock.guard(dir.toString(), keys, false);
    for (int m = 0; m < o.mirrors(); m++) {
      Path f = deviceFile(dir, m);
      if (Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
        lock.release();
        throw new FileAlreadyExistsException(f.toString(), null,
            "the directory already holds a store (or a link in its place); open it instead");
      }
    }
    List<BlockDevice> devices = new ArrayList<>();
    try {
      for (int m = 0; m < o.mirrors(); m++) {
        devices.add(FileBlockDevice.create(deviceFile(dir, m), o.deviceSize() / BlockDevice.BLOCK_SIZE));
      }
      lock.lockFiles(devices);
      return createLocked(devices, o, lock, wiring);
    } catch (IOException | RuntimeException e) {
      lock.release();
      closeQuietly(devices);
      for (int m = 0; m < devices.size(); m++) {
        Files.deleteIfExists(deviceFile(dir, m));
      }
      throw e;
    }
  }

  /** Owner-only ({@code rwx------}) for a directory created on a POSIX file system. */
  private static FileAttribute<?>[] ownerOnlyDirectory(Path dir) {
    Path parent = dir.toAbsolutePath().getParent();
    while (parent != null && !Files.exists(parent)) {
      parent = parent.getParent();
    }
    if (parent != null && parent.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return new FileAttribute<?>[] {
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))
      };
    }
    return new FileAttribute<?>[0];
  }

  /** Takes the in-JVM guard and the OS locks on {@code devices}, or throws having taken none. */
  private static StoreLock lock(List<BlockDevice> devices, boolean shared) throws IOException {
    StoreLock lock = StoreLock.guard(describe(devices), StoreLock.keys(devices), shared);
    lock.lockFiles(devices);
    return lock;
  }

  private static String describe(List<BlockDevice> devices) {
    if (devices.get(0) instanceof FileBlockDevice f) {
      Path parent = f.file().toAbsolutePath().getParent();
      return String.valueOf(parent);
    }
    return devices.toString();
  }

  static Store create(List<BlockDevice> devices, StoreOptions o) throws IOException {
    return create(devices, o, StoreWiring.ASYNCWQ_QUEUES);
  }

  /** {@link #create(List, StoreOptions)} on {@code wiring}'s executors (tests of both wirings). */
  static Store create(List<BlockDevice> devices, StoreOptions o, StoreWiring wiring)
      throws IOException {
    if (devices.isEmpty() || devices.size() > 4) {
      throw new IllegalArgumentException("a store needs 1 to 4 devices, got " + devices.size());
    }
    StoreLock lock = lock(devices, false);
    try {
      return createLocked(devices, o, lock, wiring);
    } catch (IOException | RuntimeException e) {
      lock.release();
      throw e;
    }
  }

  private static Store createLocked(List<BlockDevice> devices, StoreOptions o, StoreLock lock,
      StoreWiring wiring) throws IOException {
    long blocks = devices.get(0).blockCount();
    for (int m = 0; m < devices.size(); m++) {
      if (devices.get(m).blockCount() != blocks) {
        throw new IllegalArgumentException("mirrors must be of equal size: mirror 0 has " + blocks
            + " blocks, mirror " + m + " has " + devices.get(m).blockCount());
      }
    }
    if ((blocks - 2) / o.allocationGroups() < 64) {
      throw new IllegalArgumentException("devices of " + blocks + " blocks are too small for "
          + o.allocationGroups() + " allocation groups of at least 64 blocks");
    }
    for (int m = 0; m < devices.size(); m++) {
      for (int slot = 0; slot < Superblock.SLOTS; slot++) {
        ByteBuffer b = ByteBuffer.allocate(BlockDevice.BLOCK_SIZE);
        devices.get(m).read(slot, b);
        if (b.getLong(0) == Superblock.MAGIC) {
          throw new IllegalArgumentException("mirror " + m + " (" + devices.get(m)
              + ") already holds an asyncwq store; open it instead");
        }
      }
    }
    UUID id = UUID.randomUUID();
    for (long gen = 0; gen < Superblock.SLOTS; gen++) {
      Superblock sb = new Superblock(id, 0, devices.size(), o.checksum(), o.allocationGroups(),
          blocks, gen, 1, 0, null);
      for (int m = 0; m < devices.size(); m++) {
        devices.get(m).write(sb.slot(), sb.sealedCopy().forMirror(m).encode());
      }
    }
    for (BlockDevice d : devices) {
      d.flush();
    }
    log.info("created store {} on {} mirrors of {} blocks", id, devices.size(), blocks);
    return openLocked(devices, lock, false, wiring);
  }

  static Store open(Path dir) throws IOException {
    return open(dir, false);
  }

  static Store open(Path dir, boolean readOnly) throws IOException {
    return open(dir, readOnly, StoreWiring.ASYNCWQ_QUEUES);
  }

  static Store open(Path dir, boolean readOnly, StoreWiring wiring) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(dir.toString(), null, "no such store directory");
    }
    TreeMap<Integer, Path> files = new TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.forEach(p -> {
        Matcher mt = DEVICE.matcher(p.getFileName().toString());
        if (mt.matches()) {
          files.put(Integer.parseInt(mt.group(1)), p);
        }
      });
    }
    if (files.isEmpty()) {
      throw new CorruptStoreException(dir + " holds no store: no mirror-N.img device files");
    }
    if (files.lastKey() != files.size() - 1) {
      throw new CorruptStoreException(dir + ": device files " + files.keySet()
          + " are not mirror-0.img to mirror-" + (files.size() - 1) + ".img");
    }
    List<Object> keys = new ArrayList<>();
    for (Path p : files.values()) {
      keys.add(StoreLock.fileKey(p));
    }
    // The in-JVM guard comes before any file is opened: closing a second channel on a file this
    // process has locked would drop the lock.
    StoreLock lock = StoreLock.guard(dir.toString(), keys, readOnly);
    List<BlockDevice> devices = new ArrayList<>();
    try {
      for (Path p : files.values()) {
        requireWholeBlocks(p);
        devices.add(FileBlockDevice.open(p));
      }
      lock.lockFiles(devices);
      return openLocked(devices, lock, readOnly, wiring);
    } catch (IOException | RuntimeException e) {
      lock.release();
      closeQuietly(devices);
      throw e;
    }
  }

  /**
   * A device file of no whole blocks (cut short, or no store device at all) is a damaged store,
   * refused before anything opens it, as a device found too short afterwards is.
   */
  private static void requireWholeBlocks(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return; // a block device special file: FileBlockDevice sizes it
    }
    long size = Files.size(file);
    if (size == 0 || size % BlockDevice.BLOCK_SIZE != 0) {
      throw new CorruptStoreException(file + " holds " + size + " bytes, not a whole number of "
          + BlockDevice.BLOCK_SIZE + "-byte blocks (truncated device, or not a store device)");
    }
  }

  static Store open(List<BlockDevice> devices) throws IOException {
    return open(devices, false);
  }

  static Store open(List<BlockDevice> devices, boolean readOnly) throws IOException {
    if (devices.isEmpty() || devices.size() > 4) {
      throw new IllegalArgumentException("a store has 1 to 4 devices, got " + devices.size());
    }
    StoreLock lock = lock(devices, readOnly);
    try {
      return openLocked(devices, lock, readOnly, StoreWiring.ASYNCWQ_QUEUES);
    } catch (IOException | RuntimeException e) {
      lock.release();
      throw e;
    }
  }

  /**
   * Opens a store on locked devices; a {@code readOnly} store writes nothing: stale superblock
   * slots and bad copies met by reads are counted, not rewritten.
   */
  private static Store openLocked(List<BlockDevice> devices, StoreLock lock, boolean readOnly,
      StoreWiring wiring) throws IOException {
    SuperblockSlots slots = SuperblockSlots.read(devices);
    StoreComponent component =
        StoreComponent.create(devices, slots.newest().checksum(), Map.of(), wiring);
    try {
      if (readOnly) {
        component.volume().withholdRepairs();
      }
      Mirrors mirrors = new Mirrors(devices, component.volume(), component.queues());
      CommitChoice choice = CommitChoice.of(mirrors, slots);
      Superblock chosen = choice.chosen();
      AllocationGroups space = SpaceRebuild.of(mirrors, chosen, choice.previous());
      int height =
          new CowTree(mirrors, PageKind.DIRECTORY, Store.DIRECTORY_OWNER, chosen.directory())
              .height();
      long staleSlots = slots.repair(devices, chosen, choice.refused(), !readOnly);
      if (!readOnly && !chosen.sealed()) {
        // Proved (or known complete): make what the proof read and repaired durable, then seal,
        // so later damage in this commit is reported as damage, never rolled back.
        mirrors.flush();
        chosen = chosen.sealedCopy();
        mirrors.writeSuperblock(chosen);
      }
      log.info("opened store {} at generation {} ({} objects)", chosen.store(),
          chosen.generation(), chosen.objects());
      return new Store(component, mirrors, space, chosen, height, lock, readOnly, staleSlots);
    } catch (IOException | RuntimeException e) {
      component.queues().close();
      throw e;
    }
  }

  static Path deviceFile(Path dir, int mirror) {
    return dir.resolve(Store.DEVICE_PREFIX + mirror + Store.DEVICE_SUFFIX);
  }

  private static void closeQuietly(List<BlockDevice> devices) {
    for (BlockDevice d : devices) {
      try {
        d.close();
      } catch (Exception e) {
        log.debug("closing {} failed: {}", d, e.toString());
      }
    }
  }
}
