package org.asyncwq.pool;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * An in-memory log4j-core appender for the pool's logger ({@code org.asyncwq.pool.WorkerPool}),
 * attached at level ALL for one test and detached by {@link #close()}.
 */
final class CapturingAppender extends AbstractAppender implements AutoCloseable {
  static final String LOGGER = WorkerPool.class.getName();

  private final List<LogEvent> events = new CopyOnWriteArrayList<>();
  private final LoggerContext context;

  private CapturingAppender(LoggerContext context) {
    super("capture-" + System.nanoTime(), null, null, true, Property.EMPTY_ARRAY);
    this.context = context;
  }

  /** Captures every event of the pool's logger, TRACE included, until closed. */
  static CapturingAppender attach() {
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    CapturingAppender app = new CapturingAppender(ctx);
    app.start();
    Configuration config = ctx.getConfiguration();
    config.addAppender(app);
    config.removeLogger(LOGGER); // addLogger would keep a config another test left for it
    LoggerConfig lc = new LoggerConfig(LOGGER, Level.ALL, false);
    lc.addAppender(app, Level.ALL, null);
    config.addLogger(LOGGER, lc);
    ctx.updateLoggers();
    return app;
  }

  @Override
  public void append(LogEvent event) {
    events.add(event.toImmutable());
  }

  /** The captured events whose formatted message mentions pool {@code name}. */
  List<LogEvent> of(String name) {
    return events.stream()
        .filter(e -> e.getMessage().getFormattedMessage().contains("pool " + name))
        .toList();
  }

  /** Messages of the events of pool {@code name} at {@code level} or more severe. */
  List<String> messages(String name, Level atLeast) {
    return of(name).stream()
        .filter(e -> e.getLevel().isMoreSpecificThan(atLeast))
        .map(e -> e.getMessage().getFormattedMessage())
        .toList();
  }

  List<LogEvent> matching(String name, Predicate<LogEvent> p) {
    return of(name).stream().filter(p).toList();
  }

  @Override
  public void close() {
    Configuration config = context.getConfiguration();
    config.removeLogger(LOGGER);
    context.updateLoggers();
    stop();
  }
}
