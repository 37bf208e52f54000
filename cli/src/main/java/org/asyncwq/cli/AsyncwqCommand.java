package org.asyncwq.cli;

import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code asyncwq}: the top of the command tree and the options every command shares.
 *
 * <p>The global options are inherited by every subcommand, so {@code asyncwq --json ls} and
 * {@code asyncwq ls --json} mean the same; picocli sets them on this object wherever they are
 * written, and subcommands read them through {@link #output()} and {@link #store()}.
 */
@Command(
    name = "asyncwq",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Storage operations on a mirrored, checksummed, self-healing object store.",
      "Start with 'asyncwq demo'; every command has --help."
    },
    subcommands = {
      MkfsCommand.class,
      PutCommand.class,
      GetCommand.class,
      LsCommand.class,
      RmCommand.class,
      StatCommand.class,
      ScrubCommand.class,
      CheckCommand.class,
      ReplaceCommand.class,
      CorruptCommand.class,
      BenchCommand.class,
      DemoCommand.class
    },
    footerHeading = "%nExit status:%n",
    footer = {
      "  0  success",
      "  1  the operation failed (not found, IO error, out of space)",
      "  2  usage error",
      "  3  uncorrectable data found (get, scrub, check)",
      "  4  the store cannot be opened (missing, damaged, foreign, newer format)"
    })
final class AsyncwqCommand implements Runnable {
  @Spec CommandSpec spec;

  @Option(
      names = "--store",
      paramLabel = "DIR",
      scope = ScopeType.INHERIT,
      defaultValue = "${env:ASYNCWQ_STORE:-asyncwq-store}",
      description = "The store's directory (default: $ASYNCWQ_STORE, else asyncwq-store in the"
          + " current directory).")
  Path storeDir;

  @Option(
      names = "--json",
      scope = ScopeType.INHERIT,
      description = "Print one JSON document with stable field names, for scripts.")
  boolean json;

  @Option(
      names = {"-v", "--verbose"},
      scope = ScopeType.INHERIT,
      description = "Debug logging, and a stack trace with every error.")
  boolean verbose;

  @Option(
      names = {"-q", "--quiet"},
      scope = ScopeType.INHERIT,
      description = "Print nothing but errors (and the JSON document with --json).")
  boolean quiet;

  private Output output;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "Missing command: run 'asyncwq --help' for the list, or 'asyncwq demo' to start");
  }

  /** Where results go, built once from the global options. */
  Output output() {
    if (output == null) {
      output = new Output(System.out, System.err, json, quiet, verbose);
    }
    return output;
  }

  /** The store directory named by {@code --store}. */
  StoreDirectory store() {
    return new StoreDirectory(storeDir.toAbsolutePath().normalize(), output());
  }
}
