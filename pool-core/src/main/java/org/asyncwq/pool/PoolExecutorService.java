package org.asyncwq.pool;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The {@link java.util.concurrent.ExecutorService} view of a {@link WorkerPool}.
 *
 * <p>{@code shutdown()} is {@link WorkerPool#stop()}. {@code shutdownNow()} is {@link
 * WorkerPool#stopNow()} and also interrupts the running tasks; it returns the tasks given to {@code
 * execute}/{@code submit} that never started (futures among them are already cancelled, so nobody
 * blocks on them). Works queued directly with {@code queue()} are not {@code Runnable}s: they get
 * {@link Work#cancelled(Throwable)} and are not in the list.
 *
 * <p>{@code invokeAll} and {@code invokeAny} refuse a collection with a null element with {@link
 * NullPointerException} before they submit anything. ({@link AbstractExecutorService} finds the
 * null only when it reaches it, so {@code invokeAny} of a quick first task and a null could return
 * the first task's result instead, depending on timing.)
 */
final class PoolExecutorService extends AbstractExecutorService {
  private final WorkerPool pool;

  PoolExecutorService(WorkerPool pool) {
    this.pool = pool;
  }

  @Override
  public void execute(Runnable command) {
    pool.execute(command);
  }

  @Override
  protected <T> RunnableFuture<T> newTaskFor(Runnable runnable, T value) {
    return new PoolFuture<>(runnable, value);
  }

  @Override
  protected <T> RunnableFuture<T> newTaskFor(Callable<T> callable) {
    return new PoolFuture<>(callable);
  }

  @Override
  public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks)
      throws InterruptedException {
    return super.invokeAll(checkTasks(tasks));
  }

  @Override
  public <T> List<Future<T>> invokeAll(
      Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
      throws InterruptedException {
    return super.invokeAll(checkTasks(tasks), timeout, unit);
  }

  @Override
  public <T> T invokeAny(Collection<? extends Callable<T>> tasks)
      throws InterruptedException, ExecutionException {
    return super.invokeAny(checkTasks(tasks));
  }

  @Override
  public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
      throws InterruptedException, ExecutionException, TimeoutException {
    return super.invokeAny(checkTasks(tasks), timeout, unit);
  }

  /** A snapshot of {@code tasks}, refused whole if it or any element is null. */
  private static <T> List<Callable<T>> checkTasks(Collection<? extends Callable<T>> tasks) {
    List<Callable<T>> copy = new ArrayList<>(tasks.size());
    for (Callable<T> task : tasks) {
      if (task == null) {
        throw new NullPointerException("a task in the collection is null");
      }
      copy.add(task);
    }
    return copy;
  }

  @Override
  public void shutdown() {
    pool.stop();
  }

  @Override
  public List<Runnable> shutdownNow() {
    List<Runnable> never = new ArrayList<>();
    pool.stopNow(
        work -> {
          if (work instanceof RunnableWork) {
            never.add(((RunnableWork) work).task);
          }
        });
    pool.threads().interruptAll();
    return never;
  }

  @Override
  public boolean isShutdown() {
    return pool.isStopped();
  }

  @Override
  public boolean isTerminated() {
    return pool.isTerminated();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return pool.threads().awaitTerminationNanos(unit.toNanos(timeout));
  }

  @Override
  public String toString() {
    return "ExecutorService[" + pool + "]";
  }
}
