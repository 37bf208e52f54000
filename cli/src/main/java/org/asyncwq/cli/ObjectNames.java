package org.asyncwq.cli;

import java.nio.charset.StandardCharsets;

/**
 * The rule for object names, checked where they enter the command line so a bad name fails before
 * anything is created: 1 to 1024 bytes of UTF-8, no NUL.
 *
 * <p>The JVM decodes its arguments and file names with the locale's charset and puts U+FFFD where
 * bytes do not decode, so a name holding U+FFFD came from bytes that are not valid UTF-8.
 */
final class ObjectNames {
  static final int MAX_BYTES = 1024;

  private ObjectNames() {}

  static String check(String name) {
    if (name.isEmpty()) {
      throw new IllegalArgumentException("an object name cannot be empty");
    }
    if (name.indexOf('\uFFFD') >= 0) {
      throw new IllegalArgumentException(
          "object name '" + name + "' is not valid UTF-8 (some of its bytes do not decode);"
              + " names are UTF-8 text");
    }
    if (name.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("object name contains a NUL character");
    }
    int bytes = name.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_BYTES) {
      throw new IllegalArgumentException(
          "object name is " + bytes + " bytes long; names are at most " + MAX_BYTES + " bytes of UTF-8");
    }
    return name;
  }
}
