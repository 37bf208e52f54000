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

  /** Runs the command; its return value is the process exit status. */
  @Override
  public final Integer call() throws Exception {
    return execute().code();
  }

  abstract ExitStatus execute() throws Exception;
}
