package org.asyncwq.cli;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar for long work, drawn only when a person can see it.
 *
 * <p>No bar at all when neither stdout nor stderr is a terminal, or with {@code --json} or
 * {@code --quiet}: piped output never carries control characters. Work that ends within the
 * delay (one second, as zpool and rsync wait before drawing) shows no bar either; the bar appears
 * on the first update after the delay, already at the right position. Updates may come from any
 * thread (scrub listeners run on the store's queues).
 *
 * <p>The delay and the redraw interval (100 ms) can be changed with the system properties
 * {@code asyncwq.progress.delay.ms} and {@code asyncwq.progress.interval.ms}, which the tests use to
 * see the bar move on work that a fast machine finishes in under a second.
 */
final class Progress implements AutoCloseable {
  private static final long DEFAULT_DELAY_MS = 1000;

  private final PrintStream terminal;
  private final String task;
  private final boolean bytes;
  private final long startNanos = System.nanoTime();
  private final long delayNanos;
  private long total;
  private long done;
  private ProgressBar bar;

  private Progress(PrintStream terminal, String task, long total, boolean bytes) {
    this.terminal = terminal;
    this.task = task;
    this.total = total;
    this.bytes = bytes;
    this.delayNanos =
        Duration.ofMillis(Long.getLong("asyncwq.progress.delay.ms", DEFAULT_DELAY_MS)).toNanos();
  }

  /** A bar over {@code total} bytes (or units when {@code bytes} is false), if one may be shown. */
  static Progress start(Output output, String task, long total, boolean bytes) {
    return new Progress(output.mayShowProgress() ? output.progressStream() : null, task, total, bytes);
  }

  synchronized void advance(long units) {
    update(done + units, total);
  }

  synchronized void update(long newDone, long newTotal) {
    done = newDone;
    total = newTotal;
    if (terminal == null) {
      return;
    }
    if (bar == null) {
      long elapsed = System.nanoTime() - startNanos;
      if (elapsed < delayNanos) {
        return;
      }
      bar = build(Duration.ofNanos(elapsed));
    }
    if (bar.getMax() != total) {
      bar.maxHint(total);
    }
    bar.stepTo(done);
  }

  private ProgressBar build(Duration elapsed) {
    ProgressBarBuilder builder =
        new ProgressBarBuilder()
            .setTaskName(task)
            .setInitialMax(total)
            .setStyle(ProgressBarStyle.ASCII)
            .setUpdateIntervalMillis(Integer.getInteger("asyncwq.progress.interval.ms", 100))
            .setConsumer(new ConsoleProgressBarConsumer(terminal))
            .startsFrom(done, elapsed)
            .showSpeed();
    if (bytes) {
      builder.setUnit("MiB", 1L << 20);
    }
    return builder.build();
  }

  /** {@code in}, counting every byte read from it as done. */
  InputStream counting(InputStream in) {
    return new FilterInputStream(in) {
      @Override
      public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
          advance(1);
        }
        return b;
      }

      @Override
      public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
          advance(n);
        }
        return n;
      }
    };
  }

  /** {@code out}, counting every byte written to it as done. */
  OutputStream counting(OutputStream out) {
    return new FilterOutputStream(out) {
      @Override
      public void write(int b) throws IOException {
        out.write(b);
        advance(1);
      }

      @Override
      public void write(byte[] buffer, int offset, int length) throws IOException {
        out.write(buffer, offset, length);
        advance(length);
      }
    };
  }

  /** The work is complete: a bar that is shown is drawn at 100%. */
  synchronized void complete() {
    long finalTotal = total < 0 ? done : total;
    update(finalTotal, finalTotal);
  }

  /** Ends the bar's line, where it stands (a failed command's bar stays short of 100%). */
  @Override
  public synchronized void close() {
    if (bar != null) {
      bar.close();
      bar = null;
    }
  }
}
