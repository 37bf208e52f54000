package org.asyncwq.cli;

/**
 * A failure the command itself detected, carrying the exit status and the one-line message a
 * person reads on stderr (what was wrong and what to do about it).
 */
final class CommandFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ExitStatus status;

  CommandFailure(ExitStatus status, String message) {
    super(message);
    this.status = status;
  }

  CommandFailure(ExitStatus status, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  ExitStatus status() {
    return status;
  }
}
