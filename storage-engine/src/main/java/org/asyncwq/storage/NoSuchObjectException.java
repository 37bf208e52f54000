package org.asyncwq.storage;

import java.io.IOException;

/** The store has no object of the name asked for. */
public final class NoSuchObjectException extends IOException {
  private static final long serialVersionUID = 1L;
  private final String name;

  public NoSuchObjectException(String name) {
    super("no object named \"" + name + "\"");
    this.name = name;
  }

  /** The name that was not found. */
  public String name() {
    return name;
  }
}
