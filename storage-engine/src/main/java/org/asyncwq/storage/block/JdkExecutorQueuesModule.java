package org.asyncwq.storage.block;

import dagger.Module;
import dagger.Provides;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.inject.Singleton;

/**
 * The block layer of {@link BlockLayerModule} with its queues swapped for JDK executors: it provides
 * {@link StorageQueues} on one {@link ThreadPoolExecutor} per queue name (a fixed pool of the
 * queue's {@code limitActive} threads, default as for the asyncwq queues, over an unbounded queue)
 * and the same {@link MirroredVolume} on them. Everything else of the stack is unchanged, so a
 * measurement or a hang scenario on this wiring differs from the default one in the executors
 * only. Use it in place of {@link BlockLayerModule}, never beside it (both provide the queues).
 *
 * <p>What the JDK executors lack, and the asyncwq queues have: a starter pool that creates threads
 * off the submitting thread, a rescuer on {@code alloc}, and per-queue figures ({@link
 * StorageQueues#stats()} is empty here).
 */
@Module
public final class JdkExecutorQueuesModule {
  private final List<BlockDevice> devices;
  private final VolumeOptions options;

  public JdkExecutorQueuesModule(List<? extends BlockDevice> devices, VolumeOptions options) {
    this.devices = List.copyOf(devices);
    this.options = Objects.requireNonNull(options, "options");
  }

  @Provides
  @Singleton
  StorageQueues queues() {
    return threadPoolQueues(options.queueLimits());
  }

  @Provides
  @Singleton
  MirroredVolume volume(StorageQueues queues) {
    return BlockLayerModule.volume(devices, options, queues);
  }

  /**
   * Storage queues on fixed {@link ThreadPoolExecutor}s of daemon threads named {@code
   * jdk-<queue>-<n>}: {@code limits} sizes a queue by name, every other queue gets the default
   * {@code min(cores + 2, 8)}.
   *
   * @throws IllegalArgumentException for an unknown queue name or a limit below 1
   */
  public static StorageQueues threadPoolQueues(Map<String, Integer> limits) {
    Map<String, ThreadPoolExecutor> executors = new LinkedHashMap<>();
    for (Map.Entry<String, Integer> e : limits.entrySet()) {
      StorageQueues.builder().limitActive(e.getKey(), e.getValue()); // checks name and limit
    }
    for (String name : StorageQueues.NAMES) {
      int n = limits.getOrDefault(name, StorageQueues.defaultLimit());
      executors.put(name, new ThreadPoolExecutor(n, n, 0, TimeUnit.MILLISECONDS,
          new LinkedBlockingQueue<>(), daemons("jdk-" + name)));
    }
    return StorageQueues.onExecutors(executors);
  }

  private static ThreadFactory daemons(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
