package org.asyncwq.storage;

import java.nio.file.Path;

/**
 * Run as a separate JVM by {@link StoreLockTest}: opens the store in {@code args[0]}, prints
 * {@code locked}, and keeps it open until stdin ends or the process is killed.
 */
final class StoreLockHolder {
  private StoreLockHolder() {}

  public static void main(String[] args) throws Exception {
    try (Store store = Store.open(Path.of(args[0]))) {
      System.out.println("locked");
      System.out.flush();
      while (System.in.read() >= 0) {
        // wait for the parent to close our stdin or kill us
      }
    }
  }
}
