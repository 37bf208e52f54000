package org.asyncwq.cli;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Turns every failure into an exit status and one line on stderr that says what was wrong and
 * what to do; the stack trace only with {@code -v}. With {@code --json} the same facts are also
 * printed as a JSON document on stdout.
 */
final class ErrorReporter implements IParameterExceptionHandler, IExecutionExceptionHandler {
  private final AsyncwqCommand root;

  ErrorReporter(AsyncwqCommand root) {
    this.root = root;
  }

  @Override
  public int handleParseException(ParameterException ex, String[] args) {
    CommandLine command = ex.getCommandLine();
    String help = "'" + command.getCommandSpec().qualifiedName() + " --help'";
    String message = usageMessage(ex);
    report(ExitStatus.USAGE, message + "; see " + help, ex);
    return ExitStatus.USAGE.code();
  }

  private static String usageMessage(ParameterException ex) {
    if (ex instanceof UnmatchedArgumentException) {
      UnmatchedArgumentException unmatched = (UnmatchedArgumentException) ex;
      List<String> arguments = unmatched.getUnmatched();
      if (!arguments.isEmpty()) {
        String first = arguments.get(0);
        CommandLine command = ex.getCommandLine();
        String what;
        if (first.startsWith("-")) {
          what = "unknown option '" + first + "'";
        } else if (command.getParent() == null) {
          what = "unknown command '" + first + "'";
        } else {
          what = "unexpected argument '" + first + "'";
        }
        List<String> suggestions = unmatched.getSuggestions();
        return suggestions.isEmpty() ? what : what + " (did you mean '" + suggestions.get(0) + "'?)";
      }
    }
    return oneLine(ex.getMessage());
  }

  @Override
  public int handleExecutionException(Exception ex, CommandLine command, ParseResult parsed) {
    Throwable cause = unwrap(ex);
    ExitStatus status = Failures.statusOf(cause);
    String message = Failures.messageOf(cause);
    if (status == ExitStatus.USAGE) {
      message += "; see '" + command.getCommandSpec().qualifiedName() + " --help'";
    }
    report(status, message, cause);
    return status.code();
  }

  private void report(ExitStatus status, String message, Throwable cause) {
    PrintStream err = System.err;
    err.println("asyncwq: " + oneLine(message));
    if (root.verbose) {
      cause.printStackTrace(err);
    }
    err.flush();
    if (root.json && !root.output().documentWritten()) {
      Map<String, Object> document = new LinkedHashMap<>();
      document.put("error", oneLine(message));
      document.put("exitCode", status.code());
      document.put("status", status.name());
      root.output().result(document, human -> {});
    }
  }

  static Throwable unwrap(Throwable t) {
    Throwable current = t;
    while ((current instanceof CompletionException
            || current instanceof ExecutionException
            || current instanceof UncheckedIOException)
        && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }

  static String oneLine(String message) {
    return message == null ? "" : message.strip().replaceAll("\\s*[\\r\\n]+\\s*", "; ");
  }

  /** What an IOException from the file system means, in the words of the file it names. */
  static String fileMessage(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file: " + ((NoSuchFileException) e).getFile();
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied: " + ((AccessDeniedException) e).getFile();
    }
    if (e instanceof FileAlreadyExistsException) {
      return "already exists: " + ((FileAlreadyExistsException) e).getFile();
    }
    if (e instanceof NotDirectoryException) {
      return "not a directory: " + ((NotDirectoryException) e).getFile();
    }
    if (e instanceof FileNotFoundException) {
      return e.getMessage();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
