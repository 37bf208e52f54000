package org.asyncwq.examples.readme;

// tag::pool-core[]
import java.time.Duration;
import org.asyncwq.pool.Work;
import org.asyncwq.pool.WorkerPool;
// end::pool-core[]

/** README.md, "pool-core in one example": a pool with a starter and a rescuer, a Work and a Runnable. */
public final class PoolCoreExample {
  private PoolCoreExample() {}

  /**
   * Runs the example as the README shows it.
   *
   * @return the pool, closed, so that a test can read its figures
   */
  public static WorkerPool run() {
    WorkerPool shown;
    // tag::pool-core[]
    try (WorkerPool starter = WorkerPool.starter("starter");       // creates other pools' threads
         WorkerPool csum = WorkerPool.builder("csum")
             .maxWorkers(4)                                        // grows from 0 to 4 on demand
             .idleTimeout(Duration.ofSeconds(2))                   // and shrinks back when idle
             .starter(starter)                                     // optional: threads are never made
                                                                   // on a submitter anyway
             .rescuer(true)                                        // one thread in reserve, always
             .build()) {
      csum.queue(new Work() {
        @Override protected void run() {
          // checksum a block
        }
        @Override protected void cancelled(Throwable cause) {
          // called instead of run() if the pool can never run this work
        }
      });
      csum.execute(() -> System.out.println("plain Runnables work too"));
      // end::pool-core[]
      shown = csum; // not in the README: hands the pool to the test
      // tag::pool-core[]
    }   // close(): refuse new work, run what was queued, wait until every thread has ended
    // end::pool-core[]
    return shown;
  }
}
