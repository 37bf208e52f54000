package org.asyncwq.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link ThreadSpawner} for tests that plays a script: each call takes the next {@link Step}
 * (failing, blocking until something happened, or succeeding), and succeeds once the script is
 * used up. It records the calling thread of each call and every thread it started, so a test can
 * assert where spawns ran and clean every thread up.
 */
public final class ScriptedSpawner implements ThreadSpawner {

  /** One scripted call. */
  @FunctionalInterface
  public interface Step {
    /** Runs on the spawning thread before the thread is created; throw to fail the spawn. */
    void before(String name) throws SpawnException;
  }

  private final ConcurrentLinkedQueue<Step> script = new ConcurrentLinkedQueue<>();
  private final List<Thread> callers = new CopyOnWriteArrayList<>();
  private final List<Thread> started = new CopyOnWriteArrayList<>();
  private final AtomicInteger calls = new AtomicInteger();

  /** Appends steps to the script. */
  public ScriptedSpawner then(Step... steps) {
    for (Step s : steps) {
      script.add(s);
    }
    return this;
  }

  /**
   * A step that blocks the spawning thread until {@code gate} opens (at most 30 s): a thread
   * creation held up the way seed 000's kthreadd is held up by writeback.
   */
  public static Step awaiting(java.util.concurrent.CountDownLatch gate) {
    return name -> {
      try {
        gate.await(30, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
  }

  /** Appends {@code n} failures with the given retryability. */
  public ScriptedSpawner fail(int n, boolean retryable) {
    for (int i = 0; i < n; i++) {
      script.add(name -> {
        throw new SpawnException("scripted failure for " + name, retryable);
      });
    }
    return this;
  }

  @Override
  public Thread spawn(String name, Runnable body) throws SpawnException {
    calls.incrementAndGet();
    callers.add(Thread.currentThread());
    Step step = script.poll();
    if (step != null) {
      step.before(name);
    }
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    started.add(t);
    t.start();
    return t;
  }

  /** How many times {@link #spawn} was called. */
  public int calls() {
    return calls.get();
  }

  /** The thread each call ran on, in call order. */
  public List<Thread> callers() {
    return new ArrayList<>(callers);
  }

  /** Every thread this spawner started. */
  public List<Thread> started() {
    return new ArrayList<>(started);
  }

  /** Whether any thread this spawner started is still alive. */
  public boolean anyAlive() {
    return started.stream().anyMatch(Thread::isAlive);
  }
}
