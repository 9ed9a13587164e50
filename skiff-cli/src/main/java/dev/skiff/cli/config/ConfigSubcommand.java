package dev.skiff.cli.config;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * What every {@code skiff config} subcommand shares: the parent's kubeconfig selection, the output
 * streams, and kubectl's way of failing ({@code error: ...} on stderr, exit code 1).
 */
abstract class ConfigSubcommand implements Callable<Integer> {
  @ParentCommand ConfigCommand parent;
  @Spec CommandSpec spec;
  PrintWriter out;
  PrintWriter err;

  /** A wrong number of arguments: kubectl prints the command's help, then the error. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }

  /** A flag value kubectl's flag parser would refuse, before the command runs. */
  static final class FlagException extends RuntimeException {
    FlagException(String message) {
      super(message);
    }
  }

  @Override
  public final Integer call() {
    out = spec.commandLine().getOut();
    err = spec.commandLine().getErr();
    try {
      run();
      return 0;
    } catch (FlagException e) {
      err.println("Error: " + e.getMessage());
      err.println("See '" + spec.qualifiedName() + " --help' for usage.");
      return 1;
    } catch (UsageException e) {
      spec.commandLine().usage(out);
      err.println("error: " + e.getMessage());
      return 1;
    } catch (ConfigException e) {
      err.print(e.render());
      return 1;
    } finally {
      out.flush();
      err.flush();
    }
  }

  abstract void run();

  ConfigAccess access() {
    return parent.access();
  }

  /** The file named in "deleted ... from FILE" style messages. */
  String configFile() {
    ConfigAccess access = access();
    return access.isExplicitFile() ? access.explicitFile() : access.defaultFilename();
  }

  /** Go's {@code %v} of a string slice. */
  static String goList(List<String> values) {
    return "[" + String.join(" ", values) + "]";
  }

  static String quote(String text) {
    return GoSyntax.quote(text);
  }
}
