package org.asyncwq.cli;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.RunLast;

/**
 * The {@code asyncwq} command's entry point.
 *
 * <p>{@link #main} runs one command and exits with its {@link ExitStatus}: 0 success, 1 the
 * operation failed, 2 usage error, 3 uncorrectable data, 4 the store cannot be opened. Errors are
 * one line on stderr; {@code -v} adds the stack trace and DEBUG logs. Logs never go to stdout,
 * which belongs to results and to object data.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs one command line and returns its exit status, without exiting the JVM. */
  static int run(String... args) {
    AsyncwqCommand root = new AsyncwqCommand();
    CommandLine commandLine = new CommandLine(root);
    ErrorReporter errors = new ErrorReporter(root);
    commandLine
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setParameterExceptionHandler(errors)
        .setExecutionExceptionHandler(errors)
        .setExecutionStrategy(
            (ParseResult parsed) -> {
              configureLogging(root);
              return new RunLast().execute(parsed);
            });
    return commandLine.execute(args);
  }

  private static void configureLogging(AsyncwqCommand root) {
    if (root.verbose) {
      Configurator.setRootLevel(Level.DEBUG);
    } else if (root.quiet || root.json) {
      Configurator.setRootLevel(Level.ERROR);
    }
  }
}
