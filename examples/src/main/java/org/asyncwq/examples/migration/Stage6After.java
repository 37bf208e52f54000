package org.asyncwq.examples.migration;

import com.google.common.util.concurrent.Uninterruptibles;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.asyncwq.ordered.OrderedWork;
import org.asyncwq.priority.WorkQueue;

/**
 * Stage 6, after: the writes (checksum and submit) and their completions (end-IO) run on two
 * {@link WorkQueue}s, so a write waiting for its completion never holds a thread the completion
 * needs.
 */
public final class Stage6After {
  private Stage6After() {}

  // tag::after[]
  static final class EndIo extends OrderedWork {
    private final int block; private final Set<Integer> completed;
    final CountDownLatch done = new CountDownLatch(1);
    EndIo(int block, Set<Integer> completed) { this.block = block; this.completed = completed; }
    @Override protected void work() { completed.add(block); done.countDown(); }
  }

  static final class WriteBlock extends OrderedWork {
    private final int block; private final WorkQueue endio; private final Set<Integer> completed;
    WriteBlock(int block, WorkQueue endio, Set<Integer> completed) {
      this.block = block; this.endio = endio; this.completed = completed;
    }
    @Override protected void work() {
      // checksum, submit to the device, then wait for the end-IO work to finish
      EndIo end = new EndIo(block, completed);
      endio.queue(end);                                 // another queue, other threads
      Uninterruptibles.awaitUninterruptibly(end.done);  // so this wait never starves it
    }
  }
  // end::after[]

  /** Writes blocks 0..count-1, at most {@code threads} at a time, and returns the completed blocks. */
  public static Set<Integer> write(int count, int threads) throws InterruptedException {
    Set<Integer> completed = ConcurrentHashMap.newKeySet();
    // tag::after[]

    try (WorkQueue endio = WorkQueue.builder("endio").limitActive(threads).build();
         WorkQueue submit = WorkQueue.builder("submit").limitActive(threads).build()) {
      for (int block = 0; block < count; block++) submit.queue(new WriteBlock(block, endio, completed));
      submit.flush();
    }   // closes submit first, then endio: the writes need their completions until the end
    // end::after[]
    return completed;
  }
}
