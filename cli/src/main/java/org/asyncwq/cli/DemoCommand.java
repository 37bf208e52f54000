package org.asyncwq.cli;

import picocli.CommandLine.Command;

@Command(name = "demo", mixinStandardHelpOptions = true, description = "TODO")
final class DemoCommand extends StoreCommand {
  @Override
  ExitStatus execute() {
    return ExitStatus.OK;
  }
}
