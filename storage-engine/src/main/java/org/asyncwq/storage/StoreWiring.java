package org.asyncwq.storage;

/**
 * Which executors a store's stack runs on. {@link #ASYNCWQ_QUEUES} is what {@link Store#create(
 * java.nio.file.Path, StoreOptions)} and {@link Store#open(java.nio.file.Path)} use; {@link
 * #JDK_EXECUTORS} runs the same stack with every storage queue on a {@link
 * java.util.concurrent.ThreadPoolExecutor} instead (the block layer of {@link
 * org.asyncwq.storage.block.JdkExecutorQueuesModule}), for measuring the two side by side. The
 * wiring is a property of an open store, not of the files: either opens any store.
 */
public enum StoreWiring {
  /** The storage queues on asyncwq {@code WorkQueue}s (the default). */
  ASYNCWQ_QUEUES,
  /** The storage queues on one fixed {@code ThreadPoolExecutor} each. */
  JDK_EXECUTORS
}
