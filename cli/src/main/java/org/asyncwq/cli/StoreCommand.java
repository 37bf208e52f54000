package org.asyncwq.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** What every subcommand shares: the global options, where results go, and the store directory. */
@Command
abstract class StoreCommand implements Callable<Integer> {
  @ParentCommand AsyncwqCommand root;

  @Spec CommandSpec spec;

  Output output() {
    return root.output();
  }

  StoreDirectory storeDirectory() {
    return root.store();
  }

  /**
   * Runs the command; its return value is the process exit status. Results that could not be
   * written to stdout (a full disk, a reader that went away) fail the command, which would
   * otherwise succeed with its output lost: {@link java.io.PrintStream} only records such errors.
   */
  @Override
  public final Integer call() throws Exception {
    ExitStatus status = execute();
    if (output().stdout().checkError()) {
      String message = "cannot write the results to standard output (is the disk full, or was the"
          + " reader closed?): what was printed is incomplete";
      if (status == ExitStatus.OK) {
        throw new CommandFailure(ExitStatus.FAILED, message);
      }
      output().stderr().println("asyncwq: " + message); // the command's own failure status stands
    }
    return status.code();
  }

  abstract ExitStatus execute() throws Exception;
}
