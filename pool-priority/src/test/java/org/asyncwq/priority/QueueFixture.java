package org.asyncwq.priority;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;

/**
 * What the WorkQueue tests share: the ordered-step log, a count of works running and its peak, a
 * gate that blocked works wait on, and the queue under test, opened and closed after every test
 * even when it failed.
 */
abstract class QueueFixture {
  final List<Integer> log = Collections.synchronizedList(new ArrayList<>());
  final AtomicInteger running = new AtomicInteger();
  final AtomicInteger peak = new AtomicInteger();
  final CountDownLatch gate = new CountDownLatch(1);
  WorkQueue queue;

  @AfterEach
  void closeQueue() throws Exception {
    gate.countDown();
    if (queue != null) {
      queue.close();
    }
  }
}
