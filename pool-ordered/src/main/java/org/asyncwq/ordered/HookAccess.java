package org.asyncwq.ordered;

import org.asyncwq.ordered.spi.QueueHooks;

/** The queue's side of {@link QueueHooks}, installed once by {@link OrderedWorkQueue}. */
final class HookAccess implements QueueHooks.Access {
  @Override
  public OrderedWorkQueue build(OrderedWorkQueue.Builder builder, QueueHooks.Observer observer) {
    return builder.build(observer);
  }

  @Override
  public boolean isRunningWorkOf(OrderedWorkQueue queue) {
    return WorkSteps.current() == queue;
  }
}
