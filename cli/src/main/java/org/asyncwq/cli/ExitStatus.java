package org.asyncwq.cli;

/**
 * The process exit statuses of {@code asyncwq}, a contract for scripts.
 *
 * <p>Every command ends with exactly one of these. A script can rely on {@code 3} meaning that the
 * store found data with no good copy left (as {@code get}, {@code scrub} and {@code check} report),
 * which is a different emergency from {@code 4}, a store that cannot be opened at all.
 */
enum ExitStatus {
  /** The command did what it was asked. */
  OK(0),
  /** The operation failed: the object or file was not found, an IO error, out of space. */
  FAILED(1),
  /** The command line was wrong: unknown command or option, a missing or invalid argument. */
  USAGE(2),
  /** Data was found that no mirror holds a good copy of. */
  UNCORRECTABLE(3),
  /** The store cannot be opened: missing, damaged, foreign or of a newer format. */
  STORE_UNUSABLE(4);

  private final int code;

  ExitStatus(int code) {
    this.code = code;
  }

  int code() {
    return code;
  }
}
