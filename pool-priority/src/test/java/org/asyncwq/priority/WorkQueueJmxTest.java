package org.asyncwq.priority;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.asyncwq.ordered.OrderedWork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15 point 4: a work queue built with {@code jmx(true)} shows both lanes' figures (threshold,
 * active limit, pending, congested, completed) under {@code org.asyncwq:type=WorkQueue,name=...},
 * its lanes' pools under type WorkerPool, until it closes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkQueueJmxTest {
  private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

  private static ObjectName name(String type, String value) throws Exception {
    return new ObjectName("org.asyncwq:type=" + type + ",name=" + value);
  }

  private static OrderedWork counting(CountDownLatch done) {
    return new OrderedWork() {
      @Override
      protected void work() {}

      @Override
      protected void release() {
        done.countDown();
      }
    };
  }

  @Test
  void bothLanesFiguresAreVisibleUntilTheQueueCloses() throws Exception {
    WorkQueue queue = WorkQueue.builder("wqjmx").limitActive(3).threshold(64).highPriority(true)
        .jmx(true).build();
    ObjectName q = name("WorkQueue", "wqjmx");
    try {
      assertThat(SERVER.isRegistered(q)).isTrue();
      assertThat(SERVER.isRegistered(name("WorkerPool", "wqjmx"))).isTrue();
      assertThat(SERVER.isRegistered(name("WorkerPool", "wqjmx-high"))).isTrue();
      CountDownLatch done = new CountDownLatch(5);
      for (int i = 0; i < 3; i++) {
        queue.queue(counting(done));
      }
      queue.queueHigh(counting(done));
      queue.queueHigh(counting(done));
      assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
      queue.flush();

      WorkQueueMXBean bean = JMX.newMXBeanProxy(SERVER, q, WorkQueueMXBean.class);
      assertThat(bean.getName()).isEqualTo("wqjmx");
      assertThat(bean.isHighPriority()).isTrue();
      assertThat(bean.getThreshold()).isEqualTo(64);
      assertThat(bean.getHighThreshold()).isEqualTo(64);
      assertThat(bean.getLimitActive()).isEqualTo(3);
      assertThat(bean.getHighLimitActive()).isEqualTo(3);
      assertThat(bean.getCurrentActive()).isBetween(1, 3);
      assertThat(bean.getPending()).isZero();
      assertThat(bean.isCongested()).isFalse();
      assertThat(bean.getCompleted()).isEqualTo(3);
      assertThat(bean.getHighCompleted()).isEqualTo(2);
      assertThat(SERVER.getAttribute(q, "HighQueued")).isEqualTo(2L);
      assertThat(SERVER.getAttribute(q, "Congested")).isEqualTo(false);
    } finally {
      queue.close();
    }
    assertThat(SERVER.isRegistered(q)).isFalse();
    assertThat(SERVER.isRegistered(name("WorkerPool", "wqjmx"))).isFalse();
    assertThat(SERVER.isRegistered(name("WorkerPool", "wqjmx-high"))).isFalse();
  }

  @Test
  void aQueueWithoutAHighLaneReadsZeroForItAndNothingIsRegisteredWithoutTheOption()
      throws Exception {
    WorkQueue plain = WorkQueue.builder("wqjmx-off").build();
    WorkQueue single = WorkQueue.builder("wqjmx-single").threshold(4).jmx(true).build();
    try {
      assertThat(SERVER.isRegistered(name("WorkQueue", "wqjmx-off"))).isFalse();
      WorkQueueMXBean bean =
          JMX.newMXBeanProxy(SERVER, name("WorkQueue", "wqjmx-single"), WorkQueueMXBean.class);
      assertThat(bean.isHighPriority()).isFalse();
      assertThat(bean.getThreshold()).isEqualTo(-1);
      assertThat(bean.getHighThreshold()).isEqualTo(-1);
      assertThat(bean.getHighCompleted()).isZero();
      assertThat(bean.isHighCongested()).isFalse();
    } finally {
      plain.close();
      single.close();
    }
    assertThat(SERVER.isRegistered(name("WorkQueue", "wqjmx-single"))).isFalse();
  }
}
