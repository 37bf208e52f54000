package org.asyncwq.ordered;

/** The {@link OrderedWorkQueueMXBean} of one queue: every attribute a fresh read of its stats. */
final class OrderedQueueBean implements OrderedWorkQueueMXBean {
  private final OrderedWorkQueue queue;

  OrderedQueueBean(OrderedWorkQueue queue) {
    this.queue = queue;
  }

  @Override
  public String getName() {
    return queue.name();
  }

  @Override
  public long getQueued() {
    return queue.stats().queued();
  }

  @Override
  public long getCompleted() {
    return queue.stats().completed();
  }

  @Override
  public long getInFlight() {
    return queue.stats().inFlight();
  }

  @Override
  public int getOrderedWaiting() {
    return queue.stats().orderedWaiting();
  }

  @Override
  public long getFailures() {
    return queue.stats().failures();
  }

  @Override
  public long getCancelled() {
    return queue.stats().cancelled();
  }

  @Override
  public int getHashedWaiting() {
    return queue.stats().hashedWaiting();
  }

  @Override
  public String getPoolName() {
    return queue.stats().pool().name();
  }

  @Override
  public int getPoolPending() {
    return queue.stats().pool().pending();
  }

  @Override
  public boolean isClosed() {
    return queue.isClosed();
  }
}
