package org.asyncwq.storage.alloc;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;

/**
 * Where the block for a B+tree split is allocated: XFS's rule after seed 001 (c85007e2e3).
 *
 * <p>A split that needs a block may be handed to the {@code alloc} queue (XFS offloads it to a
 * worker for stack depth). The seed's deadlock: the queue is down to its rescuer; the rescuer runs a
 * split from an IO-completion path that holds no AG and must <em>wait</em> for an AG lock; the AG it
 * waits for is held by a second transaction whose own split sits in the queue behind it. Neither can
 * move. The fix, kept here: punt only when the transaction already holds an AG with room for the
 * whole split, so the punted work allocates from a lock it owns and never waits for one; any other
 * split runs inline on the caller, where waiting for an AG lock blocks only that caller.
 */
public final class SplitAllocation {
  private final Executor allocQueue;
  private final boolean alwaysPunt;

  /** Splits that may be punted go to {@code allocQueue} (the store's {@code alloc} queue). */
  public SplitAllocation(Executor allocQueue) {
    this(allocQueue, false);
  }

  /** {@code alwaysPunt} is the pre-fix rule, kept only so a test can show its deadlock. */
  SplitAllocation(Executor allocQueue, boolean alwaysPunt) {
    this.allocQueue = allocQueue;
    this.alwaysPunt = alwaysPunt;
  }

  /** Whether a split of {@code blocks} blocks for {@code t} would go to the alloc queue. */
  public boolean punts(Transaction t, int blocks) {
    return alwaysPunt || t.holdsRoomFor(blocks);
  }

  /**
   * Allocates one block for a page that a split creates, on the alloc queue or inline as the rule
   * says, and returns it.
   */
  public long allocateBlock(Transaction t) throws IOException {
    if (!punts(t, 1)) {
      return t.allocate(1).start();
    }
    CompletableFuture<Long> f =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return t.allocate(1).start();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            },
            allocQueue);
    try {
      return f.get();
    } catch (InterruptedException e) {
      f.cancel(false);
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted waiting for a split allocation");
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof CompletionException && c.getCause() != null) {
        c = c.getCause();
      }
      if (c instanceof UncheckedIOException u) {
        throw u.getCause();
      }
      if (c instanceof RuntimeException r) {
        throw r;
      }
      throw new IOException("split allocation failed", c);
    }
  }
}
