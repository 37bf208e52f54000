package org.asyncwq.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.asyncwq.storage.alloc.AllocationGroups;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.DeviceStats;
import org.asyncwq.storage.block.ScrubListener;
import org.asyncwq.storage.block.ScrubReport;

/**
 * A crash-safe object store on mirrored, checksummed devices: named objects of any size, kept in
 * extents allocated from allocation groups, indexed by copy-on-write B+trees of checksummed pages,
 * committed atomically through two superblock slots, and repaired from the other mirrors when a
 * copy goes bad.
 *
 * <p><b>Durability.</b> {@link #put} and {@link #delete} return once the commit holding their change
 * is durable on every healthy mirror. Concurrent changes share commits (group commit). After a crash
 * at any instant the store opens at one of its last two commits; nothing a returned put stored is
 * lost and no torn or foreign bytes are ever returned: every block read is verified against the
 * checksum recorded in its parent, and a bad copy is replaced from a good mirror.
 *
 * <p><b>Objects.</b> Names are 1 to 1024 bytes of UTF-8 without NUL ({@link
 * IllegalArgumentException} otherwise, saying why). A put streams its input in bounded memory and
 * replaces an existing object atomically: readers see the old or the new version, never a mix. A
 * get reads the version committed when it started, even if the object is replaced meanwhile.
 *
 * <p><b>Space.</b> A put that does not fit fails with {@link StoreFullException} and changes
 * nothing. Space a delete frees is reused once no commit the store could still open, and no reader,
 * references it.
 *
 * <p><b>Devices.</b> All mirrors share one layout (RAID1). The store owns its devices and closes
 * them on {@link #close()}.
 *
 * <p><b>On disk.</b> On every mirror, device blocks 0 and 1 are the two superblock slots (the commit
 * of generation {@code g} writes slot {@code g % 2}); every other block is a data block or a
 * directory or extent-map page, allocated from the allocation groups. A superblock begins with the
 * 8-byte magic {@code AWQSTORE} and its 4-byte big-endian format version (2; version 1 is still
 * read), and its last 4 bytes are the CRC32C of the bytes before them. {@link #open(Path)} and
 * {@link #open(List)} refuse with {@link CorruptStoreException}, saying what is wrong and on which
 * device, and write nothing, when
 * no superblock verifies, the magic is foreign, the format version is unknown, a device is shorter
 * than the store or not a whole number of blocks, or the devices belong to different stores.
 *
 * <p><b>One writer.</b> Opening or creating a store locks every device exclusively: an in-JVM
 * guard for any device, and an OS file lock for file devices (dropped by the OS if the process
 * dies). A second open or create of the same devices, here or in another process, fails at once
 * with {@link StoreLockedException} naming the store and, when recorded, the holding process (a
 * writer notes its pid in {@code <device file>.lock}); the refused open writes nothing. The lock
 * is released by {@link #close()}. Device files are created owner-only ({@code rw-------}) and a
 * store directory {@link #create(Path, StoreOptions)} makes is {@code rwx------}, on POSIX file
 * systems; creation never follows a symbolic link. Thread-safe: every method may be called from any thread.
 */
public final class Store implements AutoCloseable {
  private static final Logger log = LogManager.getLogger(Store.class);

  /** Owner number of directory pages. */
  static final long DIRECTORY_OWNER = 1;

  static final String DEVICE_PREFIX = "mirror-";
  static final String DEVICE_SUFFIX = ".img";

  private final StoreComponent component;
  private final Mirrors mirrors;
  private final AllocationGroups space;
  private final Committer committer;
  private final PutWriter writer;
  private final SnapshotReads reads;
  /** Held shared by every put and delete, exclusively by a replace waiting for them to finish. */
  private final ReentrantReadWriteLock changes = new ReentrantReadWriteLock();
  private final StoreLock lock;
  /** Devices replaced by {@link #replace}: kept open, so locked, until {@link #close()}. */
  private final List<BlockDevice> retired = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final boolean readOnly;
  /** Superblock slots a read-only open found stale or damaged and left alone. */
  private final long staleSlots;
  private volatile boolean closed;

  Store(StoreComponent component, Mirrors mirrors, AllocationGroups space, Superblock sb,
      int height, StoreLock lock, boolean readOnly, long staleSlots) {
    this.component = component;
    this.lock = lock;
    this.readOnly = readOnly;
    this.staleSlots = staleSlots;
    this.mirrors = mirrors;
    this.space = space;
    this.committer = new Committer(mirrors, space, sb, height);
    this.writer = new PutWriter(mirrors, space, committer, component.splitAllocation());
    this.reads = new SnapshotReads(committer, mirrors);
  }

  /**
   * Creates a store in {@code dir} (made if missing): one sparse device file per mirror, {@code
   * mirror-0.img} upwards, each {@code options.deviceSize()} bytes.
   *
   * @throws java.nio.file.FileAlreadyExistsException if {@code dir} already holds device files
   */
  public static Store create(Path dir, StoreOptions options) throws IOException {
    return StoreOpener.create(dir, options);
  }

  /**
   * {@link #create(Path, StoreOptions)} with the stack on {@code wiring}'s executors ({@link
   * StoreWiring#JDK_EXECUTORS} to measure it on JDK thread pools).
   */
  public static Store create(Path dir, StoreOptions options, StoreWiring wiring)
      throws IOException {
    return StoreOpener.create(dir, options, java.util.Objects.requireNonNull(wiring, "wiring"));
  }

  /** {@link #open(Path)} with the stack on {@code wiring}'s executors. */
  public static Store open(Path dir, StoreWiring wiring) throws IOException {
    return StoreOpener.open(dir, false, java.util.Objects.requireNonNull(wiring, "wiring"));
  }

  /**
   * Creates a store on {@code devices} (1 to 4 of equal size; the mirror count and size come from
   * them, the checksum and allocation groups from {@code options}).
   *
   * @throws IllegalArgumentException if a device already holds a store, the devices differ in
   *     size, or they are too small for the allocation groups; nothing is written
   */
  public static Store create(List<BlockDevice> devices, StoreOptions options) throws IOException {
    return StoreOpener.create(devices, options);
  }

  /**
   * Opens the store on {@code devices}, given in mirror order.
   *
   * @throws CorruptStoreException if they hold no store this code can open; the message says why
   *     and where
   */
  public static Store open(List<BlockDevice> devices) throws IOException {
    return StoreOpener.open(devices);
  }

  /**
   * Opens the store whose device files ({@code mirror-N.img}) are in {@code dir}.
   *
   * @throws CorruptStoreException if no store can be opened there; the message says why and where
   */
  public static Store open(Path dir) throws IOException {
    return StoreOpener.open(dir);
  }

  /**
   * Opens the store in {@code dir} read-only: shared with other read-only opens, never with a
   * writer ({@link StoreLockedException} either way round). Every change ({@code put}, {@code
   * delete}, {@code replace}) fails with {@link ReadOnlyStoreException}. Nothing is ever written:
   * a read that meets a bad copy still returns the verified data of a good mirror, a scrub still
   * verifies every copy, but bad copies and stale superblock slots are only counted ({@link
   * #repairsWithheld()}), to be repaired by the next writable open's reads or scrub.
   */
  public static Store openReadOnly(Path dir) throws IOException {
    return StoreOpener.open(dir, true);
  }

  /** {@link #openReadOnly(Path)} on {@code devices}, given in mirror order. */
  public static Store openReadOnly(List<BlockDevice> devices) throws IOException {
    return StoreOpener.open(devices, true);
  }

  /**
   * The store's identity, the same on every mirror and for its whole life (from {@code create}):
   * what a record kept beside the store, such as a scrub's position, is keyed by.
   */
  public java.util.UUID id() {
    return committer.committed().store();
  }

  /** Whether this store was opened with {@code openReadOnly}. */
  public boolean isReadOnly() {
    return readOnly;
  }

  /**
   * What a read-only store found bad and left alone: superblock slots at open plus bad block
   * copies met since (0 for a writable store, which repairs them).
   */
  public long repairsWithheld() {
    return staleSlots + mirrors.volume().withheldRepairs();
  }

  /** Stores {@code data} (read to its end) as {@code name}, replacing any object of that name. */
  public ObjectInfo put(String name, InputStream data) throws IOException {
    byte[] key = Names.encode(name);
    ensureWritable("put of \"" + name + "\"");
    changes.readLock().lock();
    try {
      return writer.put(name, key, data);
    } finally {
      changes.readLock().unlock();
    }
  }

  /** Stores the contents of {@code file} as {@code name}. */
  public ObjectInfo put(String name, Path file) throws IOException {
    byte[] key = Names.encode(name);
    ensureWritable("put of \"" + name + "\"");
    try (InputStream in = Files.newInputStream(file)) {
      return put(name, in);
    }
  }

  /**
   * Writes the object's bytes to {@code out}, each block verified.
   *
   * <p>An interrupt does not cut a get short: a get whose thread is interrupted (by {@code
   * Future.cancel(true)}, {@code shutdownNow}, a timeout) completes as if it were not, and returns
   * or throws with the thread's interrupt flag still set, for the caller to act on. The interrupt
   * closes no device, marks no mirror faulty and fails no other thread's IO. ({@code out} is the
   * caller's: a stream that reacts to interrupts may still throw.) {@link #read} does the same.
   */
  public void get(String name, OutputStream out) throws IOException {
    byte[] key = Names.encode(name);
    ensureOpen();
    reads.get(name, key, out);
  }

  /**
   * Reads the object's bytes straight into {@code dst} from its position, each block verified
   * there, and advances the position by the object's size, which it returns: the get for a caller
   * that has a buffer to fill (no copy through a stream, no buffer allocated per get; a direct
   * buffer also saves the JDK's own copy of a read into a heap buffer). Bytes past the object's
   * size are not touched. An interrupt does not cut it short (see {@link #get(String,
   * OutputStream)}).
   *
   * <p>If the get fails (a block with no good copy on any mirror, {@link
   * org.asyncwq.storage.block.UncorrectableDataException}, or any other error once reading began)
   * the bytes it would have filled are zeroed and the position does not move: {@code dst} never
   * keeps bytes that failed verification.
   *
   * @return the object's size, the bytes written to {@code dst}
   * @throws NoSuchObjectException if there is no such object
   * @throws IllegalArgumentException if {@code dst} is read-only or has fewer bytes left than the
   *     object holds (the message gives both); nothing is read and {@code dst} is untouched
   */
  public int get(String name, ByteBuffer dst) throws IOException {
    byte[] key = Names.encode(name);
    java.util.Objects.requireNonNull(dst, "dst");
    if (dst.isReadOnly()) {
      throw new IllegalArgumentException("get of \"" + name + "\": the buffer is read-only");
    }
    ensureOpen();
    return reads.get(name, key, dst);
  }

  /**
   * The object's bytes (objects up to 2 GiB; larger ones need {@link #get(String,
   * OutputStream)}), read straight into the returned array. An interrupt does not cut it short; the interrupt flag stays set (see
   * {@link #get(String, OutputStream)}).
   */
  public byte[] read(String name) throws IOException {
    byte[] key = Names.encode(name);
    ensureOpen();
    return reads.read(name, key);
  }

  /** The object's description, or empty if there is none. */
  public Optional<ObjectInfo> stat(String name) throws IOException {
    byte[] key = Names.encode(name);
    ensureOpen();
    return reads.stat(name, key);
  }

  /** Objects whose names start with {@code prefix} ("" for all), sorted by name (UTF-8 order). */
  public List<ObjectInfo> list(String prefix) throws IOException {
    byte[] p = Names.encodePrefix(prefix);
    ensureOpen();
    return reads.list(p);
  }

  /** Deletes the object; returns whether there was one. Durable when it returns. */
  public boolean delete(String name) throws IOException {
    byte[] key = Names.encode(name);
    ensureWritable("delete of \"" + name + "\"");
    if (stat(name).isEmpty()) {
      return false;
    }
    changes.readLock().lock();
    try {
      return writer.delete(name, key);
    } finally {
      changes.readLock().unlock();
    }
  }

  /**
   * Where the block holding byte {@code offset} of the object lives on each mirror.
   *
   * @throws IllegalArgumentException if {@code offset} is not within the object
   */
  public List<BlockLocation> locate(String name, long offset) throws IOException {
    byte[] key = Names.encode(name);
    ensureOpen();
    return reads.locate(name, key, offset);
  }

  /**
   * Reads every block the newest commit references, data and metadata, on every healthy mirror;
   * verifies each copy and rewrites bad ones from a good copy.
   */
  public CompletableFuture<ScrubReport> scrub(ScrubListener listener) {
    return scrub(0, listener);
  }

  /**
   * {@link #scrub(ScrubListener)} of the referenced blocks at or above device block {@code
   * fromBlock} only, in ascending block order (so 0 scrubs them all). The listener's {@link
   * ScrubListener#scrubbedBelow} tells how far every block is done: a scrub interrupted there and
   * restarted from that block misses none of the newest commit's blocks above it (btrfs scrub's
   * {@code last_physical}).
   */
  public CompletableFuture<ScrubReport> scrub(long fromBlock, ScrubListener listener) {
    return scrub(fromBlock, Long.MAX_VALUE, listener);
  }

  /**
   * {@link #scrub(long, ScrubListener)} of the referenced blocks from {@code fromBlock} up to, not
   * including, {@code toBlock}: to repair the copies under one object's extents, say.
   */
  public CompletableFuture<ScrubReport> scrub(long fromBlock, long toBlock, ScrubListener listener) {
    try {
      ensureOpen();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return CommitScrub.start(committer, mirrors, fromBlock, toBlock, listener);
  }

  /**
   * Checks that the trees, checksums and free-space accounting of the newest commit are consistent;
   * lists every problem found. Bad copies it reads are repaired as any read repairs them.
   */
  public CheckReport check() throws IOException {
    ensureOpen();
    try (Snapshot s = committer.snapshot()) {
      return StoreChecks.check(mirrors, space, s.superblock());
    }
  }

  /**
   * Replaces mirror {@code mirror} by {@code replacement} (as large as the others), copying every
   * referenced block to it from the healthy mirrors, verified; the store stays usable meanwhile.
   * The store stays locked throughout: the replacement is locked like the other devices before
   * anything is written to it ({@link StoreLockedException} if another store holds it), and the
   * replaced device is kept open, still locked, until {@link #close()} closes it.
   */
  public void replace(int mirror, BlockDevice replacement, ScrubListener listener)
      throws IOException {
    ensureWritable("replace of mirror " + mirror);
    lock.add(replacement);
    new Resilver(mirrors, committer, changes, retired::add).run(mirror, replacement, listener);
  }

  /** Blocks on each mirror's device: what a replacement must hold at least. */
  public long deviceBlocks() {
    return mirrors.volume().blockCount();
  }

  /** Devices, volume counters, space per allocation group and queue figures now. */
  public StoreStats stats() {
    return StoreFigures.of(mirrors, space, committer, component.queues());
  }

  /** The store's view of its mirrors, for walks in tests of this package. */
  Mirrors mirrors() {
    return mirrors;
  }

  /** The cache of verified tree pages gets go through, for tests of this package. */
  org.asyncwq.storage.tree.PageCache pageCache() {
    return reads.pages();
  }

  /** The newest durable commit's superblock. */
  Superblock committedSuperblock() {
    return committer.committed();
  }

  /** Each mirror's state and error counters. */
  public List<DeviceStats> deviceStats() {
    return mirrors.volume().deviceStats();
  }

  /**
   * Finishes the commits in progress, then closes the volume, its devices and the queues. Calls
   * after this fail with {@link IllegalStateException}.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    StoreShutdown.run(committer, mirrors, component.queues(), lock, retired, readOnly);
    log.debug("store closed");
  }

  private void ensureWritable(String call) {
    ensureOpen();
    if (readOnly) {
      throw new ReadOnlyStoreException("the store is open read-only: " + call
          + " refused; nothing was changed (open it with Store.open to change it)");
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("store is closed");
    }
  }
}
