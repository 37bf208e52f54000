package org.asyncwq.ordered;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/** Captures what {@link OrderedWorkQueue} logs while open; close it to detach. */
final class CapturedLog implements AutoCloseable {
  /** One captured line: level, formatted message and the attached throwable, if any. */
  record Line(Level level, String message, Throwable thrown) {}

  private final List<Line> lines = new CopyOnWriteArrayList<>();
  private final AbstractAppender appender;
  private final LoggerConfig config;
  private final Level oldLevel;

  CapturedLog() {
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    Configuration cfg = ctx.getConfiguration();
    appender =
        new AbstractAppender("captured-" + System.nanoTime(), null, null, true, Property.EMPTY_ARRAY) {
          @Override
          public void append(LogEvent event) {
            lines.add(new Line(event.getLevel(), event.getMessage().getFormattedMessage(),
                event.getThrown()));
          }
        };
    appender.start();
    String name = OrderedWorkQueue.class.getName();
    LoggerConfig existing = cfg.getLoggerConfig(name);
    if (!existing.getName().equals(name)) {
      existing = new LoggerConfig(name, Level.TRACE, true);
      cfg.addLogger(name, existing);
    }
    config = existing;
    oldLevel = config.getLevel();
    config.setLevel(Level.TRACE);
    config.addAppender(appender, Level.TRACE, null);
    ctx.updateLoggers();
  }

  List<Line> lines() {
    return List.copyOf(lines);
  }

  /** Lines at {@code level} or more severe. */
  List<Line> atLeast(Level level) {
    return lines.stream().filter(l -> l.level().isMoreSpecificThan(level)).toList();
  }

  @Override
  public void close() {
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    config.removeAppender(appender.getName());
    config.setLevel(oldLevel);
    ctx.updateLoggers();
    appender.stop();
  }
}
