package dev.skiff.cli.config;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Bad flags under {@code skiff config} fail as kubectl's do ({@code Error: unknown flag: --x}, then
 * a hint to {@code --help}, exit code 1); other commands keep picocli's handling.
 */
public final class ConfigParseErrors implements IParameterExceptionHandler {
  private final IParameterExceptionHandler others;

  public ConfigParseErrors(IParameterExceptionHandler others) {
    this.others = others;
  }

  @Override
  public int handleParseException(ParameterException exception, String[] args) throws Exception {
    CommandLine command = exception.getCommandLine();
    if (!underConfig(command)) {
      return others.handleParseException(exception, args);
    }
    PrintWriter err = command.getErr();
    err.println("Error: " + message(exception));
    err.println("See '" + command.getCommandSpec().qualifiedName() + " --help' for usage.");
    err.flush();
    return 1;
  }

  private static boolean underConfig(CommandLine command) {
    for (CommandLine c = command; c != null; c = c.getParent()) {
      if (c.getCommand() instanceof ConfigCommand) {
        return true;
      }
    }
    return false;
  }

  private static String message(ParameterException exception) {
    if (exception instanceof UnmatchedArgumentException unmatched
        && !unmatched.getUnmatched().isEmpty()) {
      String argument = unmatched.getUnmatched().get(0);
      if (argument.startsWith("--")) {
        return "unknown flag: " + argument.split("=", 2)[0];
      }
      if (argument.startsWith("-") && argument.length() > 1) {
        return "unknown shorthand flag: '" + argument.charAt(1) + "' in " + argument;
      }
    }
    if (exception instanceof MissingParameterException missing
        && !missing.getMissing().isEmpty()
        && missing.getMissing().get(0) instanceof CommandLine.Model.OptionSpec option) {
      String name = option.longestName();
      String shortest = option.shortestName();
      if (shortest.length() == 2 && !shortest.startsWith("--")) {
        return "flag needs an argument: '" + shortest.charAt(1) + "' in " + shortest;
      }
      return "flag needs an argument: " + name;
    }
    return exception.getMessage();
  }
}
