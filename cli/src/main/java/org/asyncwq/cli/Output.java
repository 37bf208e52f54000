package org.asyncwq.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintStream;
import java.util.function.Consumer;

/**
 * Where a command's results go, and in which form.
 *
 * <p>Without {@code --json} a command prints lines for people on stdout; {@code --quiet} leaves
 * only errors. With {@code --json} it prints exactly one JSON document, whose field names are a
 * contract for scripts, and nothing else on stdout; the document goes to stderr instead when stdout
 * carries the object's bytes ({@code get NAME -o -}). Errors are always one line on stderr.
 */
final class Output {
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final PrintStream out;
  private final PrintStream err;
  private final boolean json;
  private final boolean quiet;
  private final boolean verbose;
  private boolean stdoutCarriesData;
  private boolean documentWritten;

  Output(PrintStream out, PrintStream err, boolean json, boolean quiet, boolean verbose) {
    this.out = out;
    this.err = err;
    this.json = json;
    this.quiet = quiet;
    this.verbose = verbose;
  }

  boolean json() {
    return json;
  }

  boolean verbose() {
    return verbose;
  }

  PrintStream stdout() {
    return out;
  }

  PrintStream stderr() {
    return err;
  }

  /** Whether the command's JSON document was printed already (an error then adds none). */
  boolean documentWritten() {
    return documentWritten;
  }

  /** Stdout carries an object's bytes from now on: results and bars go to stderr. */
  void stdoutCarriesData() {
    stdoutCarriesData = true;
  }

  /** A line for people (a step, a summary): not with {@code --json} or {@code --quiet}. */
  void say(String line) {
    if (!json && !quiet) {
      humanStream().println(line);
    }
  }

  /** A warning a person should see even though the command succeeds: stderr, not with -q. */
  void warn(String line) {
    if (!quiet) {
      err.println("asyncwq: " + line);
    }
  }

  /** The command's result: {@code document} with --json, else whatever {@code human} prints. */
  void result(Object document, Consumer<PrintStream> human) {
    if (json) {
      documentWritten = true;
      PrintStream target = stdoutCarriesData ? err : out;
      target.println(toJson(document));
      target.flush();
    } else if (!quiet) {
      human.accept(humanStream());
    }
  }

  /** Whether a progress bar may be drawn at all: a person is watching and wants to see. */
  boolean mayShowProgress() {
    return !json && !quiet && progressStream() != null;
  }

  /** The terminal a progress bar is drawn on: stderr if it is one, else stdout if free. */
  PrintStream progressStream() {
    if (Terminal.isTerminal(Terminal.STDERR)) {
      return err;
    }
    if (!stdoutCarriesData && Terminal.isTerminal(Terminal.STDOUT)) {
      return out;
    }
    return null;
  }

  private PrintStream humanStream() {
    return stdoutCarriesData ? err : out;
  }

  static String toJson(Object document) {
    try {
      return MAPPER.writeValueAsString(document);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the JSON result: " + e.getOriginalMessage(), e);
    }
  }
}
