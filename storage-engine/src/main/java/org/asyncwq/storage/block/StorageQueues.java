package org.asyncwq.storage.block;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.asyncwq.pool.WorkerPool;
import org.asyncwq.priority.WorkQueue;

/**
 * The named work queues the storage stack runs on, all sharing one starter pool that creates their
 * threads (so no submitter ever creates a thread it could end up waiting for):
 *
 * <ul>
 *   <li>{@value #CSUM}: checksums blocks, many at once;
 *   <li>{@value #SUBMIT}: device IO, positional reads and writes, one work per mirror;
 *   <li>{@value #ENDIO}: verifies what a read returned (a bio's end_io);
 *   <li>{@value #ENDIO_WRITE}: completes writes and flushes;
 *   <li>{@value #ENDIO_REPAIR}: reads the other mirrors of a bad block, verifies, rewrites bad copies;
 *   <li>{@value #ALLOC}: allocation work punted by a layer above (it has a rescuer thread).
 * </ul>
 *
 * <p><b>Why separate queues.</b> Checksum-submit and end-IO on one pool deadlock once every thread
 * waits for a completion that can only run on that pool (seed 002, btrfs' first worker pools). A
 * repair read whose completion is queued behind the end-IO work waiting for it never completes
 * (seed 003, "implement repair function when direct read fails"); so repair has its own queue.
 *
 * <p>Every queue runs at a fixed concurrency, its {@code limitActive} (default {@code min(cores + 2,
 * 8)}); {@link Builder#limitActive(String, int)} sizes one. {@link #close()} drains and stops every
 * queue, then the starter.
 *
 * <p><b>On JDK executors.</b> {@link #onExecutors(Map)} runs the same names on one {@link
 * ThreadPoolExecutor} each instead (see {@link JdkExecutorQueuesModule}), to measure the stack on
 * the JDK's pools side by side with its own. Such queues have no {@link WorkQueue}: {@link
 * #queue(String)} refuses, {@link #stats()} is empty, {@link #limitActive(String)} is the
 * executor's maximum pool size, and {@link #close()} shuts the executors down and waits for them.
 */
public final class StorageQueues implements AutoCloseable {
  private static final Logger log = LogManager.getLogger(StorageQueues.class);

  /** Queue names, in the order data flows through them. */
  public static final String CSUM = "csum";
  public static final String SUBMIT = "submit";
  public static final String ENDIO = "endio";
  public static final String ENDIO_WRITE = "endio-write";
  public static final String ENDIO_REPAIR = "endio-repair";
  public static final String ALLOC = "alloc";

  /** Every queue name. */
  public static final List<String> NAMES =
      List.of(CSUM, SUBMIT, ENDIO, ENDIO_WRITE, ENDIO_REPAIR, ALLOC);

  /** Below 32 a WorkQueue lane runs at a fixed limitActive; IO queues must not start at one. */
  private static final int FIXED = 1;

  private final WorkerPool starter;
  private final Map<String, WorkQueue> queues;
  private final Map<String, Executor> executors;
  /** Non-empty only for queues on JDK executors, by name. */
  private final Map<String, ThreadPoolExecutor> jdk;

  private StorageQueues(Builder b) {
    this.starter = WorkerPool.starter("storage-starter");
    Map<String, WorkQueue> qs = new LinkedHashMap<>();
    Map<String, Executor> ex = new LinkedHashMap<>();
    try {
      for (String name : NAMES) {
        WorkQueue q = WorkQueue.builder(name)
            .limitActive(b.limits.getOrDefault(name, defaultLimit()))
            .threshold(FIXED)
            .starter(starter)
            .rescuer(name.equals(ALLOC))
            .build();
        qs.put(name, q);
        ex.put(name, new QueueExecutor(q));
      }
    } catch (RuntimeException e) {
      qs.values().forEach(StorageQueues::closeQueue);
      starter.close();
      throw e;
    }
    this.queues = Collections.unmodifiableMap(qs);
    this.executors = Collections.unmodifiableMap(ex);
    this.jdk = Map.of();
    log.debug("storage queues started: {}", qs.values());
  }

  private StorageQueues(Map<String, ThreadPoolExecutor> jdk) {
    this.starter = WorkerPool.starter("storage-starter");
    this.queues = Map.of();
    this.executors = Collections.unmodifiableMap(new LinkedHashMap<>(jdk));
    this.jdk = Collections.unmodifiableMap(jdk);
    log.debug("storage queues started on JDK executors: {}", jdk.keySet());
  }

  /**
   * The storage queues on JDK executors: {@code executors} holds one {@link ThreadPoolExecutor}
   * for each of {@link #NAMES} (no other name), which these queues own from now on ({@link
   * #close()} shuts them down). For comparing the stack on the JDK's pools with its own.
   *
   * @throws IllegalArgumentException if a name is missing or unknown
   */
  public static StorageQueues onExecutors(Map<String, ThreadPoolExecutor> executors) {
    Objects.requireNonNull(executors, "executors");
    if (!executors.keySet().equals(new java.util.HashSet<>(NAMES))) {
      throw new IllegalArgumentException("need exactly one executor for each of " + NAMES
          + ", got " + executors.keySet());
    }
    Map<String, ThreadPoolExecutor> ordered = new LinkedHashMap<>();
    for (String name : NAMES) {
      ordered.put(name, Objects.requireNonNull(executors.get(name), name));
    }
    return new StorageQueues(ordered);
  }

  /** A builder with every queue at its default size. */
  public static Builder builder() {
    return new Builder();
  }

  /** Queues of the default sizes. */
  public static StorageQueues create() {
    return builder().build();
  }

  static int defaultLimit() {
    return Math.min(Runtime.getRuntime().availableProcessors() + 2, 8);
  }

  /**
   * The queue called {@code name}, one of {@link #NAMES}.
   *
   * @throws IllegalArgumentException for any other name
   */
  public WorkQueue queue(String name) {
    checkName(name);
    if (!jdk.isEmpty()) {
      throw new IllegalStateException("the storage queues run on JDK executors: '" + name
          + "' has no WorkQueue");
    }
    return queues.get(name);
  }

  /**
   * The most works the queue called {@code name} runs at once: its {@code limitActive}, or on JDK
   * executors the executor's maximum pool size.
   *
   * @throws IllegalArgumentException for a name not in {@link #NAMES}
   */
  public int limitActive(String name) {
    checkName(name);
    return jdk.isEmpty() ? queues.get(name).limitActive() : jdk.get(name).getMaximumPoolSize();
  }

  /** Whether these queues run on JDK executors ({@link #onExecutors(Map)}). */
  public boolean onJdkExecutors() {
    return !jdk.isEmpty();
  }

  private static void checkName(String name) {
    if (!NAMES.contains(name)) {
      throw new IllegalArgumentException("no storage queue named '" + name + "'; the queues are "
          + NAMES);
    }
  }

  /** Runs a {@code Runnable} as a work on the queue called {@code name} (one small work per call). */
  public Executor executor(String name) {
    checkName(name);
    return executors.get(name);
  }

  /** The starter pool that creates every queue's threads; a layer above may share it. */
  public WorkerPool starter() {
    return starter;
  }

  /** Each queue's figures, by name, in the order of {@link #NAMES}; empty on JDK executors. */
  public Map<String, org.asyncwq.priority.WorkQueueStats> stats() {
    Map<String, org.asyncwq.priority.WorkQueueStats> m = new LinkedHashMap<>();
    queues.forEach((name, q) -> m.put(name, q.stats()));
    return Collections.unmodifiableMap(m);
  }

  /**
   * Drains and stops every queue, first to last in data-flow order, then the starter. Like {@code
   * ExecutorService.close()}, an interrupt does not cut the drain short (a half-closed storage stack
   * would strand IO completions); it is re-asserted when every queue has closed.
   */
  @Override
  public void close() {
    try {
      for (WorkQueue q : queues.values()) {
        closeQueue(q);
      }
      for (ExecutorService e : jdk.values()) {
        closeExecutor(e);
      }
    } finally {
      starter.close();
    }
  }

  private static void closeQueue(WorkQueue q) {
    boolean interrupted = false;
    while (true) {
      try {
        q.close();
        break;
      } catch (InterruptedException e) {
        interrupted = true; // WorkQueue.close() resumes where the interrupted call left off
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Shuts {@code e} down and waits until its queued works have run, like closeQueue. */
  private static void closeExecutor(ExecutorService e) {
    e.shutdown();
    boolean interrupted = false;
    while (true) {
      try {
        if (e.awaitTermination(1, TimeUnit.DAYS)) {
          break;
        }
      } catch (InterruptedException ie) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "StorageQueues" + (jdk.isEmpty() ? queues.values() : jdk.keySet() + " on JDK executors");
  }

  /** Builds {@link StorageQueues}; every setter checks its argument at once. */
  public static final class Builder {
    private final Map<String, Integer> limits = new LinkedHashMap<>();

    private Builder() {}

    /**
     * The most works the queue called {@code queue} runs at once.
     *
     * @throws IllegalArgumentException if there is no such queue or {@code limit} is below 1
     */
    public Builder limitActive(String queue, int limit) {
      Objects.requireNonNull(queue, "queue");
      if (!NAMES.contains(queue)) {
        throw new IllegalArgumentException("no storage queue named '" + queue
            + "'; the queues are " + NAMES);
      }
      if (limit < 1) {
        throw new IllegalArgumentException("limitActive of " + queue + " must be at least 1, was "
            + limit);
      }
      limits.put(queue, limit);
      return this;
    }

    public StorageQueues build() {
      return new StorageQueues(this);
    }
  }
}
