package dev.skiff.cli;

import picocli.CommandLine;

/**
 * Expected failures (port in use, unreachable datastore, bad flags) end the process with one line
 * on stderr and a non-zero exit, never a stack trace. Set SKIFF_DEBUG=1 to see the trace.
 */
final class OneLineErrors implements CommandLine.IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(
      Exception exception, CommandLine commandLine, CommandLine.ParseResult parseResult) {
    Throwable root = exception;
    while (root.getCause() != null && root.getMessage() == null) {
      root = root.getCause();
    }
    String message = root.getMessage() != null ? root.getMessage() : root.toString();
    commandLine.getErr().println("skiff " + commandLine.getCommandName() + ": " + message);
    if (System.getenv("SKIFF_DEBUG") != null) {
      exception.printStackTrace(commandLine.getErr());
    }
    return 1;
  }
}
