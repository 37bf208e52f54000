package org.asyncwq.cli;

import com.google.common.util.concurrent.RateLimiter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.asyncwq.storage.Store;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.ScrubListener;
import org.asyncwq.storage.block.ScrubReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code scrub [--resume] [--limit RATE]}: read and verify every referenced block on every mirror. */
@Command(
    name = "scrub",
    mixinStandardHelpOptions = true,
    description = {
      "Read every referenced block, data and metadata, on every mirror, in device block order;",
      "verify each against its checksum and rewrite every bad copy from a good one. Exit status 3",
      "if some block has no good copy left.",
      "Progress is recorded as btrfs-progs records it: scrub-status.json beside the device files,",
      "keyed by the store's identity, rewritten durably (fsync'd, renamed into place) every 256",
      "blocks and at the end, with the position below which every block is done and the counters",
      "of those blocks. 'stat --json' shows it as lastScrub. A plain scrub starts over."
    })
final class ScrubCommand extends StoreCommand {
  @Option(
      names = "--resume",
      description = "Continue an interrupted scrub (killed, or failed) from its recorded position; the"
          + " totals reported cover the whole store, counted once. With no interrupted scrub of this"
          + " store recorded, says so on stderr and scrubs every block from the start (exit status as"
          + " for a plain scrub).")
  boolean resume;

  @Option(
      names = "--limit",
      paramLabel = "RATE",
      converter = ByteSize.class,
      description = "Scrub at most RATE bytes of referenced blocks a second (e.g. 20M), to leave the"
          + " disks to other work (btrfs scrub's --limit). Default: no limit.")
  Long limit;

  @Override
  ExitStatus execute() throws Exception {
    Path dir = storeDirectory().path();
    ScrubSummary total;
    ScrubStatus status;
    try (StoreSession session = storeDirectory().open();
        Progress progress = Progress.start(output(), "scrub", 0, false)) {
      Store store = session.store();
      String id = store.id().toString();
      Optional<ScrubStatus> interrupted = ScrubStatus.read(dir, id).filter(ScrubStatus::interrupted);
      if (resume && interrupted.isPresent()) {
        status = interrupted.get();
        output().say("resuming the interrupted scrub at device block " + status.position() + " ("
            + status.scrubbed().blocks() + " blocks were scrubbed before it stopped)");
      } else {
        if (resume) {
          output().warn("no interrupted scrub of this store to resume: scrubbing every block from the start");
        }
        status = ScrubStatus.start(id);
      }
      status.write(dir);
      Recorder recorder = new Recorder(dir, status, progress, limit == null || limit <= 0
          ? null : RateLimiter.create(limit.doubleValue()));
      ScrubReport report = store.scrub(status.position(), recorder).get();
      progress.complete();
      total = status.scrubbed().plus(ScrubSummary.of(report));
      recorder.finish(total);
    }
    ScrubResult result = new ScrubResult(total.blocks(), total.csumErrors(), total.readErrors(),
        total.corrected(), total.uncorrectable(), status.scrubbed().blocks() > 0 || status.position() > 0,
        status.position());
    output().result(result, out -> out.println(total.line() + (result.resumed()
        ? " (resumed at device block " + result.resumedAt() + "; totals cover the whole scrub)" : "")));
    return total.uncorrectable() > 0 ? ExitStatus.UNCORRECTABLE : ExitStatus.OK;
  }

  /**
   * Shows progress, holds the rate to {@code --limit}, and records the position every {@link
   * ScrubStatus#EVERY} blocks. Called one at a time from the volume's threads.
   */
  private final class Recorder implements ScrubListener {
    private final Path dir;
    private final ScrubStatus base;
    private final Progress progress;
    private final RateLimiter limiter;
    private ScrubStatus last;
    private long savedBlocks;
    private long limited;
    private boolean warned;

    Recorder(Path dir, ScrubStatus base, Progress progress, RateLimiter limiter) {
      this.dir = dir;
      this.base = base;
      this.progress = progress;
      this.limiter = limiter;
      this.last = base;
      this.savedBlocks = base.scrubbed().blocks();
    }

    @Override
    public void progress(long done, long total) {
      progress.update(done, total);
      if (limiter != null && done > limited) {
        // A scrub reports a run of blocks at once, so the bytes since the last report are paid
        // for here, not one block per call.
        long bytes = (done - limited) * BlockDevice.BLOCK_SIZE;
        limited = done;
        while (bytes > 0) {
          int permits = (int) Math.min(bytes, Integer.MAX_VALUE);
          limiter.acquire(permits);
          bytes -= permits;
        }
      }
    }

    @Override
    public void scrubbedBelow(long block, ScrubReport sofar) {
      ScrubSummary counted = base.scrubbed().plus(ScrubSummary.of(sofar));
      last = base.at(ScrubStatus.RUNNING, block, counted);
      if (counted.blocks() - savedBlocks >= ScrubStatus.EVERY) {
        save(last);
        savedBlocks = counted.blocks();
      }
    }

    void finish(ScrubSummary total) {
      save(last.at(ScrubStatus.FINISHED, last.position(), total));
    }

    private void save(ScrubStatus status) {
      try {
        status.write(dir);
      } catch (IOException e) {
        if (!warned) {
          warned = true;
          output().warn("cannot record the scrub's progress in " + dir + " (" + ErrorReporter.fileMessage(e)
              + "); the scrub goes on, but cannot be resumed");
        }
      }
    }
  }

  /** The scrub's totals (the whole store's, for a resumed scrub) and where a resumed one started. */
  record ScrubResult(long blocks, long csumErrors, long readErrors, long corrected, long uncorrectable,
      boolean resumed, long resumedAt) {}
}
