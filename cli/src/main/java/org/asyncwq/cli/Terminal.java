package org.asyncwq.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a standard stream of this process is a terminal a person is watching.
 *
 * <p>The JDK only says whether stdin and stdout both are ({@link System#console()}); a progress
 * bar belongs on stderr even when stdout is piped, so on Linux the descriptor's target is read
 * from {@code /proc/self/fd}, as {@code isatty(3)} would decide. Elsewhere the JDK's answer is used.
 */
final class Terminal {
  static final int STDOUT = 1;
  static final int STDERR = 2;

  private Terminal() {}

  static boolean isTerminal(int fd) {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return System.console() != null;
    }
  }
}
