package org.asyncwq.cli;

import java.io.IOException;

/**
 * The exit status and the message for each kind of failure a command can meet.
 *
 * <p>The store's own exceptions say what is wrong and where; this class decides which of the
 * {@link ExitStatus} contracts each one falls under.
 */
final class Failures {
  private Failures() {}

  static ExitStatus statusOf(Throwable t) {
    if (t instanceof CommandFailure) {
      return ((CommandFailure) t).status();
    }
    if (t instanceof IllegalArgumentException) {
      return ExitStatus.USAGE;
    }
    return ExitStatus.FAILED;
  }

  static String messageOf(Throwable t) {
    if (t instanceof CommandFailure) {
      return t.getMessage();
    }
    if (t instanceof IOException) {
      return ErrorReporter.fileMessage((IOException) t);
    }
    if (t instanceof IllegalArgumentException) {
      return t.getMessage();
    }
    return "internal error: " + t + " (run with -v for the stack trace, and report it)";
  }
}
