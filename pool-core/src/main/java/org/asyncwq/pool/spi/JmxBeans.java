package org.asyncwq.pool.spi;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Registers asyncwq's MXBeans with the platform MBean server under {@code
 * org.asyncwq:type=<type>,name=<name>}. For asyncwq's own modules (pool-ordered and pool-priority
 * register their queues through it); users turn beans on with a builder's {@code jmx(true)} or the
 * system property {@value #PROPERTY}{@code =true}, never through this class.
 *
 * <p><b>Names.</b> A name that an {@link ObjectName} value cannot hold as it is (it contains one of
 * {@code , = : " * ?} or a line break) is written with {@link ObjectName#quote(String)}; any other
 * name as it is. A second live bean of the same type and name is registered as {@code <name>#2},
 * then {@code #3} and so on, and the suffix is logged at INFO: a duplicate name never breaks the
 * creation of a pool or queue. Any other failure to register is logged at WARN and ignored.
 */
public final class JmxBeans {
  /** The system property that turns the beans on for every pool and queue of the JVM. */
  public static final String PROPERTY = "asyncwq.jmx";

  /** The domain of every asyncwq bean. */
  public static final String DOMAIN = "org.asyncwq";

  private static final Logger log = LogManager.getLogger(JmxBeans.class);

  private JmxBeans() {}

  /** Whether beans are on for a builder that said {@code jmx(requested)}. */
  public static boolean enabled(boolean requested) {
    return requested || Boolean.getBoolean(PROPERTY);
  }

  /**
   * The object name of the bean of {@code type} called {@code name}, quoted only when it must be.
   *
   * @throws IllegalArgumentException if no object name can hold it (never for a non-blank name)
   */
  public static ObjectName objectName(String type, String name) {
    String value = needsQuoting(name) ? ObjectName.quote(name) : name;
    try {
      return new ObjectName(DOMAIN + ":type=" + type + ",name=" + value);
    } catch (MalformedObjectNameException e) {
      throw new IllegalArgumentException("no JMX object name can hold " + type + " '" + name
          + "': " + e.getMessage(), e);
    }
  }

  private static boolean needsQuoting(String value) {
    for (int i = 0; i < value.length(); i++) {
      switch (value.charAt(i)) {
        case ',', '=', ':', '"', '*', '?', '\n', '\r' -> {
          return true;
        }
        default -> { }
      }
    }
    return false;
  }

  /**
   * Registers {@code bean} as {@code type}/{@code name}, or as the first free {@code name#n}.
   *
   * @return the registration; {@link Registration#close()} unregisters it. Never null: when the
   *     bean could not be registered it is a registration of nothing.
   */
  public static Registration register(String type, String name, Object bean) {
    MBeanServer server;
    try {
      server = ManagementFactory.getPlatformMBeanServer();
    } catch (RuntimeException | Error e) {
      log.warn("{} {}: no platform MBean server, its JMX bean is not registered: {}", type, name,
          e.toString());
      return new Registration(null, null);
    }
    for (int n = 1; ; n++) {
      ObjectName on = objectName(type, n == 1 ? name : name + "#" + n);
      try {
        server.registerMBean(bean, on);
        if (n > 1) {
          log.info("{} {}: a live bean has that name already; registered as {}", type, name, on);
        }
        return new Registration(server, on);
      } catch (InstanceAlreadyExistsException e) {
        // another live pool or queue of the same name: try the next suffix
      } catch (JMException | RuntimeException e) {
        log.warn("{} {}: its JMX bean could not be registered as {}: {}", type, name, on,
            e.toString());
        return new Registration(null, null);
      }
    }
  }

  /** One registered bean; closing it unregisters it, once. */
  public static final class Registration implements AutoCloseable {
    private final MBeanServer server;
    private final ObjectName name;
    private final AtomicBoolean open = new AtomicBoolean(true);

    private Registration(MBeanServer server, ObjectName name) {
      this.server = server;
      this.name = name;
    }

    /** The name registered, or {@code null} if nothing was. */
    public ObjectName objectName() {
      return name;
    }

    /** Unregisters the bean; idempotent, never throws. */
    @Override
    public void close() {
      if (server == null || !open.compareAndSet(true, false)) {
        return;
      }
      try {
        server.unregisterMBean(name);
      } catch (InstanceNotFoundException e) {
        // someone unregistered it by hand: gone all the same
      } catch (JMException | RuntimeException e) {
        log.warn("JMX bean {} could not be unregistered: {}", name, e.toString());
      }
    }
  }
}
