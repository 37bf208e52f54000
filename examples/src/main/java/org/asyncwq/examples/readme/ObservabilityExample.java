package org.asyncwq.examples.readme;

// tag::observability[]
import java.lang.management.ManagementFactory;
import java.time.Duration;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.asyncwq.pool.WorkerPool;
// end::observability[]

/** README.md, "Watching pools in production": a pool's MXBean and its stall timeout. */
public final class ObservabilityExample {
  private ObservabilityExample() {}

  /** What the example saw: the pool's pending count over JMX, and whether the bean outlived it. */
  public record Seen(int pendingOverJmx, boolean registeredAfterClose) {}

  /** Runs the example as the README shows it. */
  public static Seen run() throws JMException {
    int seen;
    // tag::observability[]
    MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
    ObjectName name = new ObjectName("org.asyncwq:type=WorkerPool,name=io");
    try (WorkerPool io = WorkerPool.builder("io")
        .jmx(true)                             // or -Dasyncwq.jmx=true for every pool and queue
        .stallTimeout(Duration.ofSeconds(10))  // default 30 s; Duration.ZERO turns it off
        .build()) {
      io.execute(() -> System.out.println("some work"));
      int pending = (Integer) jmx.getAttribute(name, "Pending"); // what JConsole shows
      // end::observability[]
      seen = pending; // not in the README: hands the figure to the test
      // tag::observability[]
    }   // the bean is unregistered when the pool has terminated
    // end::observability[]
    return new Seen(seen, jmx.isRegistered(name));
  }
}
