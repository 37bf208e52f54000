package org.asyncwq.cli;

import picocli.CommandLine.IVersionProvider;

/** {@code asyncwq --version}: the version recorded in the jar's manifest, and the Java running it. */
final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = VersionProvider.class.getPackage().getImplementationVersion();
    return new String[] {
      "asyncwq " + (version == null ? "(development build)" : version),
      "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"
    };
  }
}
