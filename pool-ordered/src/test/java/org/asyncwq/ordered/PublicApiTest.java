package org.asyncwq.ordered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Arrays;
import org.asyncwq.ordered.spi.QueueHooks;
import org.asyncwq.pool.Work;
import org.asyncwq.pool.spi.WorkHooks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 9: the builder hook pool-priority needed and the abandon hook pool-ordered needed are no
 * longer part of the public API, and the waits have the JDK's shape (interruptible, timed forms
 * returning a boolean).
 */
@Timeout(30)
class PublicApiTest {
  @Test
  void theBuilderHasNoPublicStartHook() {
    assertThat(Arrays.stream(OrderedWorkQueue.Builder.class.getMethods()).map(Method::getName))
        .doesNotContain("onStart");
    assertThat(Arrays.stream(OrderedWorkQueue.Builder.class.getDeclaredMethods())
        .filter(m -> Modifier.isPublic(m.getModifiers())).map(Method::getName))
        .containsExactlyInAnyOrder("pool", "maxActive", "jmx", "build");
  }

  @Test
  void flushDrainAndCloseAreInterruptibleAndHaveTimedForms() throws Exception {
    for (String name : new String[] {"flush", "drain", "close"}) {
      Method untimed = OrderedWorkQueue.class.getMethod(name);
      Method timed = OrderedWorkQueue.class.getMethod(name, Duration.class);
      assertThat(untimed.getExceptionTypes()).containsExactly(InterruptedException.class);
      assertThat(timed.getExceptionTypes()).containsExactly(InterruptedException.class);
      assertThat(timed.getReturnType()).isEqualTo(boolean.class);
    }
  }

  @Test
  void theHooksAreInstalledOnceByTheQueueItself() {
    OrderedWorkQueue.builder("touch"); // initialises the queue class, which installs its side
    assertThatThrownBy(() -> QueueHooks.install(null)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void noPublicOrProtectedAbandonIsVisibleOnWorkOrOrderedWork() {
    for (Class<?> type : new Class<?>[] {Work.class, OrderedWork.class}) {
      assertThat(Arrays.stream(type.getMethods()).map(Method::getName)).doesNotContain("abandon");
      for (Class<?> c = type; c != null; c = c.getSuperclass()) {
        assertThat(Arrays.stream(c.getDeclaredMethods())
                .filter(m -> m.getName().equals("abandon"))
                .filter(m -> Modifier.isPublic(m.getModifiers())
                    || Modifier.isProtected(m.getModifiers())))
            .as("abandon visible to subclasses of %s, declared on %s", type, c)
            .isEmpty();
      }
    }
  }

  @Test
  void orderedWorkInstallsItsAbandonerOnceItself() throws Exception {
    Class.forName(OrderedWork.class.getName(), true, OrderedWork.class.getClassLoader());
    assertThatThrownBy(() -> WorkHooks.installAbandoner(OrderedWork.class, (w, c) -> {}))
        .isInstanceOf(IllegalStateException.class);
  }
}
