package org.asyncwq.storage.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.asyncwq.storage.block.BlockDevice.BLOCK_SIZE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An interrupted thread's IO on a {@link FileBlockDevice} completes with its interrupt flag still
 * set, and never fails another thread's IO on the same device, though the JDK closes the channel it
 * was using (the device reopens it). Real files; a thread interrupted mid-operation, round after
 * round, while a bystander reads and writes other blocks of the same device.
 */
@Timeout(60)
class FileBlockDeviceInterruptTest {
  private static final int STRESS = Integer.getInteger("asyncwq.stress", 1);
  private static final int ROUNDS = 60 * STRESS;
  /** Blocks per operation: 1 MiB, long enough for interrupts to land inside the operation. */
  private static final int RUN = 256;

  @TempDir Path dir;

  @Test
  void anInterruptedThreadsIoCompletesKeepsItsFlagAndFailsNoOtherThreadsIo() throws Exception {
    try (FileBlockDevice dev = FileBlockDevice.create(dir.resolve("d.img"), 2 * RUN)) {
      assertThat(dev.tryLock(false)).isNotNull();
      interruptedWhileAnotherThreadWorks(dev);
      // The reopened channel took the file's lock again: this JVM still holds it.
      assertThatThrownBy(() -> dev.tryLock(false))
          .isInstanceOf(OverlappingFileLockException.class);
    }
  }

  @Test
  void directReadsSurviveInterruptsToo() throws Exception {
    Path file = dir.resolve("direct.img");
    FileBlockDevice.create(file, 2 * RUN).close();
    FileBlockDevice dev;
    try {
      dev = FileBlockDevice.openDirectReads(file);
    } catch (IOException | UnsupportedOperationException e) {
      Assumptions.abort("no direct IO here: " + e.getMessage());
      return;
    }
    try (dev) {
      interruptedWhileAnotherThreadWorks(dev);
    }
  }

  @Test
  void aClosedDeviceStillThrowsClosedChannelException() throws Exception {
    FileBlockDevice dev = FileBlockDevice.create(dir.resolve("c.img"), 4);
    dev.close();
    assertThatThrownBy(() -> dev.read(0, ByteBuffer.allocate(BLOCK_SIZE)))
        .isInstanceOf(ClosedChannelException.class);
    assertThatThrownBy(() -> dev.write(0, ByteBuffer.allocate(BLOCK_SIZE)))
        .isInstanceOf(ClosedChannelException.class);
    assertThatThrownBy(dev::flush).isInstanceOf(ClosedChannelException.class);

  }

  /** Blocks of {@code RUN} whose every byte says which round and block wrote it. */
  private static ByteBuffer content(int round, long firstBlock) {
    ByteBuffer b = ByteBuffer.allocateDirect(RUN * BLOCK_SIZE);
    for (int i = 0; i < RUN; i++) {
      byte v = (byte) (round * 31 + firstBlock + i);
      for (int j = 0; j < BLOCK_SIZE; j++) {
        b.put(v);
      }
    }
    return b.flip();
  }

  /**
   * The victim works on blocks [0, RUN), the bystander on [RUN, 2 RUN). Each round the victim
   * writes, reads back and flushes its blocks over and over until the interrupter has interrupted
   * it once; then its flag must be set. Every operation of both must succeed with the right bytes,
   * and the bystander, never interrupted, must end with its flag clear.
   */
  private static void interruptedWhileAnotherThreadWorks(FileBlockDevice dev) throws Exception {
    Semaphore working = new Semaphore(0);
    Semaphore interrupted = new Semaphore(0);
    AtomicBoolean victimDone = new AtomicBoolean();
    AtomicLong bystanderOps = new AtomicLong();
    AtomicLong flagsKept = new AtomicLong();
    Thread victim = new Thread(() -> {
      try {
        for (int r = 0; r < ROUNDS; r++) {
          ByteBuffer data = content(r, 0);
          working.release();
          do {
            writeReadFlush(dev, 0, data, r);
          } while (!interrupted.tryAcquire());
          // The interrupt came during an operation or between two: either way it must be kept.
          assertThat(Thread.interrupted()).as("interrupt flag after round %d", r).isTrue();
          flagsKept.incrementAndGet();
        }
      } catch (IOException e) {
        throw new AssertionError(e);
      } finally {
        victimDone.set(true);
        working.release(ROUNDS); // a failed victim must not leave the interrupter waiting
      }
    }, "victim");
    CompletableFuture<Void> victimResult = new CompletableFuture<>();
    victim.setUncaughtExceptionHandler((t, e) -> victimResult.completeExceptionally(e));
    CompletableFuture<Void> bystander = CompletableFuture.runAsync(() -> {
      try {
        for (int r = 0; !victimDone.get(); r++) {
          writeReadFlush(dev, RUN, content(r, RUN), r);
          bystanderOps.incrementAndGet();
        }
        assertThat(Thread.currentThread().isInterrupted()).as("bystander's flag").isFalse();
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
    victim.start();
    for (int r = 0; r < ROUNDS; r++) {
      working.acquire();
      victim.interrupt();
      interrupted.release();
    }
    victim.join();
    victimResult.complete(null);
    victimResult.get();
    bystander.get();
    assertThat(flagsKept.get()).isEqualTo(ROUNDS);
    assertThat(bystanderOps.get()).isPositive();
    // Some interrupts landed inside an operation and closed the channel: the path was exercised.

  }

  private static void writeReadFlush(FileBlockDevice dev, long first, ByteBuffer data, int round)
      throws IOException {
    dev.write(first, data.duplicate());
    ByteBuffer back = ByteBuffer.allocateDirect(RUN * BLOCK_SIZE);
    dev.read(first, back);
    assertThat(back.hasRemaining()).isFalse();
    assertThat(back.flip()).as("blocks from %d, round %d", first, round).isEqualTo(data);
    if (round % 4 == 0) {
      dev.flush();
    }
  }
}
