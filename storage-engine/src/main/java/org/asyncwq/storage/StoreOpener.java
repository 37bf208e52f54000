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
import java.util.BitSet;
import java.util.Comparator;
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
import org.asyncwq.storage.alloc.Extent;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.FileBlockDevice;
import org.asyncwq.storage.tree.CowTree;
import org.asyncwq.storage.tree.PageKind;

/**
 * Creating and opening stores: superblock slots, choosing the commit to open, rebuilding free
 * space, repairing stale or damaged superblocks.
 *
 * <p><b>Open.</b> Both slots of every mirror are read and verified. The newest generation whose
 * superblock verifies and whose directory root reads back verified is opened; if its root is bad
 * on every mirror the previous generation is tried (the two newest commits are always openable).
 * The newest commit, written in one flush round with its pages (format version 2), is taken only
 * if it is sealed or {@link CommitProof} finds every block it wrote on some mirror (repairing the
 * other copies); otherwise the power went during its round and the previous commit is opened. A
 * writable open then seals the commit it took (flush, then the sealed superblock, then flush).
 * Free space is everything neither of the two commits references; what only the older one
 * references is deferred until the next commit. Only then, once the store is known good, is any
 * stale or damaged slot rewritten from a good copy: a store that cannot be opened is never written.
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
    if (devices.isEmpty() || devices.size() > 4) {
      throw new IllegalArgumentException("a store needs 1 to 4 devices, got " + devices.size());
    }
    StoreLock lock = lock(devices, false);
    try {
      return createLocked(devices, o, lock, StoreWiring.ASYNCWQ_QUEUES);
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
    int n = devices.size();
    Superblock.Read[][] slots = new Superblock.Read[n][Superblock.SLOTS];
    List<String> problems = new ArrayList<>();
    List<Superblock> valid = new ArrayList<>();
    for (int m = 0; m < n; m++) {
      BlockDevice d = devices.get(m);
      for (int s = 0; s < Superblock.SLOTS; s++) {
        Superblock.Read r;
        if (d.blockCount() <= s) {
          r = new Superblock.Read(null, "device has only " + d.blockCount() + " blocks", false);
        } else {
          try {
            ByteBuffer b = ByteBuffer.allocate(BlockDevice.BLOCK_SIZE);
            d.read(s, b);
            r = Superblock.decode(b.clear());
          } catch (IOException e) {
            r = new Superblock.Read(null, "read failed: " + e.getMessage(), false);
          }
        }
        slots[m][s] = r;
        String where = "mirror " + m + " (" + d + ") superblock slot " + s;
        if (r.unknownVersion()) {
          throw new CorruptStoreException(where + ": " + r.problem());
        }
        if (!r.ok()) {
          problems.add(where + ": " + r.problem());
        } else if (r.superblock().mirror() != m) {
          problems.add(where + ": belongs to mirror " + r.superblock().mirror()
              + " (devices given out of order?)");
          slots[m][s] = new Superblock.Read(null, "wrong mirror index", false);
        } else {
          valid.add(r.superblock());
        }
      }
    }
    if (valid.isEmpty()) {
      throw new CorruptStoreException("no valid superblock on any device: "
          + String.join("; ", problems));
    }
    valid.sort(Comparator.comparingLong(Superblock::generation).reversed());
    Superblock newest = valid.get(0);
    for (Superblock sb : valid) {
      if (!sb.store().equals(newest.store())) {
        throw new CorruptStoreException("devices belong to different stores: " + newest.store()
            + " and " + sb.store() + " (a foreign device among the mirrors)");
      }
    }
    if (newest.mirrors() != n) {
      throw new CorruptStoreException("the store has " + newest.mirrors() + " mirrors but "
          + n + " devices were given");
    }
    for (int m = 0; m < n; m++) {
      if (devices.get(m).blockCount() < newest.deviceBlocks()) {
        throw new CorruptStoreException("mirror " + m + " (" + devices.get(m) + ") has "
            + devices.get(m).blockCount() + " blocks but the store needs " + newest.deviceBlocks()
            + " (truncated device?)");
      }
    }
    StoreComponent component = StoreComponent.create(devices, newest.checksum(), Map.of(), wiring);
    try {
      if (readOnly) {
        component.volume().withholdRepairs();
      }
      Mirrors mirrors = new Mirrors(devices, component.volume(), component.queues());
      Superblock chosen = null;
      Superblock previous = null;
      IOException rootProblem = null;
      long newestGeneration = valid.get(0).generation();
      List<Superblock> refused = new ArrayList<>();
      for (Superblock sb : distinctCommits(valid)) {
        if (chosen != null) {
          if (sb.generation() < chosen.generation()) {
            if (sb.generation() == chosen.generation() - 1) {
              previous = sb;
            }
            break;
          }
          continue;
        }
        try {
          new CowTree(mirrors, PageKind.DIRECTORY, Store.DIRECTORY_OWNER, sb.directory()).height();
          // Only the newest commit can be incomplete: a newer round starts after an older one's
          // flush ended. A sealed one is known complete (see Superblock).
          if (sb.generation() == newestGeneration && !sb.sealed()) {
            long blocks = CommitProof.verify(mirrors, sb);
            log.debug("commit {} proved: its {} blocks verified on every mirror", sb.generation(),
                blocks);
          }
          chosen = sb;
        } catch (CommitProof.Unprovable e) {
          throw new CorruptStoreException(e.getMessage(), e);
        } catch (IOException e) {
          rootProblem = e;
          refused.add(sb);
          log.warn("superblock generation {} is refused, trying the previous commit: {}",
              sb.generation(), e.toString());
        }
      }
      if (chosen == null) {
        throw new CorruptStoreException("no superblock's directory root verifies on any mirror",
            rootProblem);
      }
      AllocationGroups space = rebuildSpace(mirrors, chosen, previous);
      int height =
          new CowTree(mirrors, PageKind.DIRECTORY, Store.DIRECTORY_OWNER, chosen.directory())
              .height();
      long staleSlots = repairSlots(devices, slots, valid, chosen, refused, !readOnly);
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

  /**
   * One superblock per commit, newest first; a commit with a sealed copy on any mirror is sealed.
   * Two different commits may share a generation (one refused at an open, its successor written
   * after it): both are tried.
   */
  private static List<Superblock> distinctCommits(List<Superblock> sorted) {
    List<Superblock> out = new ArrayList<>();
    outer:
    for (Superblock sb : sorted) {
      for (int i = 0; i < out.size(); i++) {
        if (out.get(i).sameCommit(sb)) {
          if (sb.sealed() && !out.get(i).sealed()) {
            out.set(i, out.get(i).sealedCopy());
          }
          continue outer;
        }
      }
      out.add(sb);
    }
    return out;
  }

  private static AllocationGroups rebuildSpace(Mirrors mirrors, Superblock chosen,
      Superblock previous) throws IOException {
    BitSet now = new BitSet();
    StoreWalker walker = new StoreWalker(mirrors);
    List<String> damaged = new ArrayList<>();
    try {
      walker.all(chosen.directory(), (start, sums, meta) -> mark(now, chosen, start, sums.size()),
          null, (name, record, problem) -> damaged.add(Names.decode(name)));
    } catch (IOException e) {
      throw new CorruptStoreException("metadata of generation " + chosen.generation()
          + " is damaged on every mirror: " + e.getMessage(), e);
    }
    BitSet before = new BitSet();
    if (previous != null) {
      try {
        walker.all(previous.directory(),
            (start, sums, meta) -> mark(before, chosen, start, sums.size()), null);
      } catch (IOException e) {
        log.warn("generation {} cannot be walked, its space is reused: {}",
            previous.generation(), e.toString());
        before.clear();
      }
    }
    AllocationGroups space =
        AllocationGroups.of(Superblock.SLOTS, chosen.deviceBlocks(), chosen.groups());
    BitSet used = (BitSet) now.clone();
    used.or(before);
    if (!damaged.isEmpty()) {
      // An object whose extent map no mirror can read still owns blocks nobody can name: rather
      // than risk handing them out, nothing is allocatable until the damage is dealt with. Every
      // other object stays readable; puts fail with StoreFullException, changing nothing.
      log.warn("objects {} have an extent map no mirror can read: the store opens, reads of them "
          + "fail uncorrectable and no space is handed out", damaged);
      used.set(Superblock.SLOTS, Math.toIntExact(chosen.deviceBlocks()));
    }
    for (Extent e : runs(used)) {
      space.markUsed(e);
    }
    before.andNot(now);
    space.deferFree(chosen.generation(), runs(before));
    space.committed(chosen.generation());
    return space;
  }

  /** Marks blocks {@code start ... start + count - 1}, refusing any outside the data area. */
  private static void mark(BitSet set, Superblock sb, long start, int count)
      throws CorruptStoreException {
    if (start < Superblock.SLOTS || count < 0 || start > sb.deviceBlocks() - count) {
      throw new CorruptStoreException("metadata references blocks " + start + "+" + count
          + ", outside the data area [" + Superblock.SLOTS + ", " + sb.deviceBlocks() + ")");
    }
    set.set((int) start, (int) (start + count));
  }

  private static List<Extent> runs(BitSet set) {
    List<Extent> out = new ArrayList<>();
    for (int s = set.nextSetBit(0); s >= 0; ) {
      int e = set.nextClearBit(s);
      out.add(new Extent(s, e - s));
      s = set.nextSetBit(e);
    }
    return out;
  }

  /**
   * Rewrites every slot that is damaged or older than the best good copy of that slot, or only
   * counts them unless {@code write}.
   *
   * @return how many slots were (or would have been) rewritten
   */
  private static long repairSlots(List<BlockDevice> devices, Superblock.Read[][] slots,
      List<Superblock> valid, Superblock chosen, List<Superblock> refused, boolean write)
      throws IOException {
    long stale = 0;
    for (int s = 0; s < Superblock.SLOTS; s++) {
      // The chosen commit for its own slot; for the other, the newest older commit that verified.
      Superblock best = chosen.slot() == s ? chosen : null;
      for (Superblock sb : valid) {
        if (chosen.slot() != s && sb.slot() == s && sb.generation() < chosen.generation()
            && (best == null || sb.generation() > best.generation())) {
          best = sb;
        }
      }
      for (int m = 0; m < devices.size(); m++) {
        Superblock.Read r = slots[m][s];
        if (best == null) {
          if (r.ok() && refused.stream().anyMatch(x -> x.sameCommit(r.superblock()))) {
            // A commit whose round never ended and no older copy for its slot: erased, so it
            // can never be taken for a commit again (the next commit would overwrite it anyway).
            stale++;
            log.warn("{} superblock slot {} of mirror {}: generation {} was refused at open",
                write ? "erasing" : "read-only, not erasing", s, m, r.superblock().generation());
            if (write) {
              devices.get(m).write(s, ByteBuffer.allocate(BlockDevice.BLOCK_SIZE));
              devices.get(m).flush();
            }
          }
          continue;
        }
        if (r.ok() && r.superblock().sameCommit(best)) {
          continue;
        }
        stale++;
        log.warn("{} superblock slot {} of mirror {} ({}) with generation {}",
            write ? "rewriting" : "read-only, not rewriting", s, m,
            r.ok() ? "stale generation " + r.superblock().generation() : r.problem(),
            best.generation());
        if (write) {
          devices.get(m).write(s, best.forMirror(m).encode());
          devices.get(m).flush();
        }
      }
    }
    return stale;
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
