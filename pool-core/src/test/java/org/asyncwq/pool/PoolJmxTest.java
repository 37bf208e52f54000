package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 15 point 4: with {@code jmx(true)} or {@code -Dasyncwq.jmx=true} a pool's MXBean appears
 * under {@code org.asyncwq:type=WorkerPool,name=...} and disappears when the pool closes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PoolJmxTest {
  private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

  @RegisterExtension final PoolsToClose pools = new PoolsToClose();

  private static ObjectName name(String value) throws Exception {
    return new ObjectName("org.asyncwq:type=WorkerPool,name=" + value);
  }

  @Test
  void theBeanShowsThePoolsStatsWhileItLivesAndIsGoneWhenItCloses() throws Exception {
    WorkerPool pool = pools.add(WorkerPool.builder("jmx-life").maxWorkers(3).jmx(true).build());
    ObjectName on = name("jmx-life");
    assertThat(SERVER.isRegistered(on)).isTrue();
    assertThat(JMX.isMXBeanInterface(WorkerPoolMXBean.class)).isTrue();

    CountDownLatch ran = new CountDownLatch(5);
    for (int i = 0; i < 5; i++) {
      pool.queue(new CountingWork(ran::countDown));
    }
    assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
    WorkerPoolMXBean bean = JMX.newMXBeanProxy(SERVER, on, WorkerPoolMXBean.class);
    assertThat(bean.getName()).isEqualTo("jmx-life");
    assertThat(bean.getQueued()).isEqualTo(5);
    assertThat(bean.getMaxWorkers()).isEqualTo(3);
    assertThat(bean.isStopped()).isFalse();
    assertThat(SERVER.getAttribute(on, "Pending")).isEqualTo(0);
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> (Long) SERVER.getAttribute(on, "Executed") == 5L);

    pool.close();
    assertThat(SERVER.isRegistered(on)).isFalse();
  }

  @Test
  void withoutTheOptionOrThePropertyNoBeanIsRegistered() throws Exception {
    WorkerPool pool = pools.add(WorkerPool.builder("jmx-off").build());
    assertThat(SERVER.isRegistered(name("jmx-off"))).isFalse();
    pool.close();
  }

  @Test
  void theSystemPropertyTurnsBeansOnForEveryPool() throws Exception {
    String old = System.setProperty("asyncwq.jmx", "true");
    WorkerPool pool;
    try {
      pool = pools.add(WorkerPool.builder("jmx-property").build());
    } finally {
      if (old == null) {
        System.clearProperty("asyncwq.jmx");
      } else {
        System.setProperty("asyncwq.jmx", old);
      }
    }
    assertThat(SERVER.isRegistered(name("jmx-property"))).isTrue();
    pool.stop(); // stop and terminate unregisters as close does
    assertThat(pool.awaitTermination(Duration.ofSeconds(10))).isTrue();
    assertThat(SERVER.isRegistered(name("jmx-property"))).isFalse();
  }

  @Test
  void aNameAnObjectNameCannotHoldAsItIsIsQuotedAndAPlainOneIsNot() throws Exception {
    String awkward = "io,pool=\"a:b\"*?";
    WorkerPool quoted = pools.add(WorkerPool.builder(awkward).jmx(true).build());
    WorkerPool plain = pools.add(WorkerPool.builder("jmx plain/name-1").jmx(true).build());
    ObjectName q = name(ObjectName.quote(awkward));
    assertThat(SERVER.isRegistered(q)).isTrue();
    assertThat(ObjectName.unquote(q.getKeyProperty("name"))).isEqualTo(awkward);
    assertThat(SERVER.getAttribute(q, "Name")).isEqualTo(awkward);
    assertThat(SERVER.isRegistered(name("jmx plain/name-1"))).isTrue();
    quoted.close();
    plain.close();
    assertThat(SERVER.isRegistered(q)).isFalse();
    assertThat(SERVER.isRegistered(name("jmx plain/name-1"))).isFalse();
  }

  @Test
  void aSecondLivePoolOfTheSameNameIsRegisteredWithASuffixAndBothBuild() throws Exception {
    WorkerPool first = pools.add(WorkerPool.builder("jmx-twin").jmx(true).build());
    WorkerPool second = pools.add(WorkerPool.builder("jmx-twin").jmx(true).build());
    assertThat(SERVER.isRegistered(name("jmx-twin"))).isTrue();
    assertThat(SERVER.isRegistered(name("jmx-twin#2"))).isTrue();
    assertThat(second.monitor.objectName()).isEqualTo(name("jmx-twin#2"));
    first.close();
    assertThat(SERVER.isRegistered(name("jmx-twin"))).isFalse();
    assertThat(SERVER.isRegistered(name("jmx-twin#2"))).isTrue();
    second.close();
    assertThat(SERVER.isRegistered(name("jmx-twin#2"))).isFalse();
  }
}
