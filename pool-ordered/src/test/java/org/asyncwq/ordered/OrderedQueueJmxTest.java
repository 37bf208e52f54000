package org.asyncwq.ordered;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.asyncwq.pool.WorkerPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15 point 4: an ordered queue built with {@code jmx(true)} shows its stats under {@code
 * org.asyncwq:type=OrderedWorkQueue,name=...} (and its own pool's under type WorkerPool) until it
 * closes; without the option nothing is registered.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OrderedQueueJmxTest {
  private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

  private static ObjectName name(String type, String value) throws Exception {
    return new ObjectName("org.asyncwq:type=" + type + ",name=" + value);
  }

  @Test
  void aQueueAndItsOwnPoolAreVisibleUntilTheQueueCloses() throws Exception {
    OrderedWorkQueue queue = OrderedWorkQueue.builder("ojmx-own").maxActive(2).jmx(true).build();
    ObjectName q = name("OrderedWorkQueue", "ojmx-own");
    ObjectName p = name("WorkerPool", "ojmx-own");
    try {
      assertThat(SERVER.isRegistered(q)).isTrue();
      assertThat(SERVER.isRegistered(p)).isTrue();
      CountDownLatch released = new CountDownLatch(3);
      for (int i = 0; i < 3; i++) {
        queue.queue(new OrderedWork() {
          @Override
          protected void work() {}

          @Override
          protected void release() {
            released.countDown();
          }
        });
      }
      assertThat(released.await(10, TimeUnit.SECONDS)).isTrue();
      queue.flush();
      OrderedWorkQueueMXBean bean = JMX.newMXBeanProxy(SERVER, q, OrderedWorkQueueMXBean.class);
      assertThat(bean.getName()).isEqualTo("ojmx-own");
      assertThat(bean.getQueued()).isEqualTo(3);
      assertThat(bean.getCompleted()).isEqualTo(3);
      assertThat(bean.getInFlight()).isZero();
      assertThat(bean.getPoolName()).isEqualTo("ojmx-own");
      assertThat(bean.isClosed()).isFalse();
    } finally {
      queue.close();
    }
    assertThat(SERVER.isRegistered(q)).isFalse();
    assertThat(SERVER.isRegistered(p)).isFalse();
  }

  @Test
  void aQueueOnASharedPoolRegistersItselfOnlyAndLeavesThePoolAlone() throws Exception {
    try (WorkerPool pool = WorkerPool.builder("ojmx-shared-pool").build()) {
      OrderedWorkQueue queue =
          OrderedWorkQueue.builder("ojmx, shared").pool(pool).jmx(true).build();
      ObjectName q = name("OrderedWorkQueue", ObjectName.quote("ojmx, shared"));
      assertThat(SERVER.isRegistered(q)).isTrue();
      assertThat(SERVER.isRegistered(name("WorkerPool", "ojmx-shared-pool"))).isFalse();
      queue.close();
      assertThat(SERVER.isRegistered(q)).isFalse();
    }
  }

  @Test
  void withoutTheOptionNoBeanIsRegistered() throws Exception {
    OrderedWorkQueue queue = OrderedWorkQueue.builder("ojmx-off").build();
    try {
      assertThat(SERVER.isRegistered(name("OrderedWorkQueue", "ojmx-off"))).isFalse();
    } finally {
      queue.close();
    }
  }
}
