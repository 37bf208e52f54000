package org.asyncwq.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;
import org.asyncwq.storage.block.ScrubReport;

/**
 * How far the last scrub of a store came, kept as btrfs-progs keeps {@code scrub.status.<fsid>}:
 * in {@code scrub-status.json} beside the device files, keyed by the store's identity, rewritten
 * every {@link #EVERY} blocks and at the end through a temporary file that is fsync'd and renamed
 * over the old one (then the directory is fsync'd), so a scrub killed at any instant leaves the
 * previous record or the new one, never a torn one.
 *
 * @param store the store's identity ({@code Store.id()}): a record of another store is ignored
 * @param state {@code running} while a scrub goes on (a record left {@code running} is an
 *     interrupted scrub: the store lock means no scrub of it runs now) or {@code finished}
 * @param position every referenced block below this device block has been scrubbed
 * @param scrubbed the counters of exactly those blocks (for a resumed scrub, since the start of
 *     the scrub it resumed)
 */
record ScrubStatus(
    String store, String state, long position, ScrubSummary scrubbed, String started, String updated) {
  static final String FILE = "scrub-status.json";
  static final String RUNNING = "running";
  static final String FINISHED = "finished";
  /** Blocks scrubbed between two records. */
  static final long EVERY = 256;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** The record in {@code storeDir}, if there is a readable one for store {@code id}. */
  static Optional<ScrubStatus> read(Path storeDir, String id) {
    try {
      ScrubStatus s = MAPPER.readValue(Files.readAllBytes(storeDir.resolve(FILE)), ScrubStatus.class);
      return s.store() != null && s.store().equals(id) ? Optional.of(s) : Optional.empty();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      // Unreadable (another tool's file, or damaged): no scrub to resume; the next record replaces it.
      return Optional.empty();
    }
  }

  boolean interrupted() {
    return RUNNING.equals(state);
  }

  /** This scrub, now at {@code position} with {@code scrubbed} counted. */
  ScrubStatus at(String newState, long newPosition, ScrubSummary counted) {
    return new ScrubStatus(store, newState, newPosition, counted, started, Instant.now().toString());
  }

  static ScrubStatus start(String id) {
    String now = Instant.now().toString();
    return new ScrubStatus(id, RUNNING, 0, ScrubSummary.of(new ScrubReport(0, 0, 0, 0, 0)), now, now);
  }

  /** Writes this record durably and atomically (temporary file, fsync, rename, fsync directory). */
  void write(Path storeDir) throws IOException {
    Path temporary = storeDir.resolve(FILE + ".new");
    byte[] json = MAPPER.writeValueAsBytes(this);
    try (FileChannel ch = FileChannel.open(temporary, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      ByteBuffer b = ByteBuffer.wrap(json);
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    }
    Files.move(temporary, storeDir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    try (FileChannel dir = FileChannel.open(storeDir, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException e) {
      // Some file systems cannot fsync a directory; the rename is still atomic.
    }
  }
}
