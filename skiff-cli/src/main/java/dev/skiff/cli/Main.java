package dev.skiff.cli;

import dev.skiff.cli.config.ConfigCommand;
import dev.skiff.cli.config.ConfigParseErrors;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code skiff} command: one fat jar for every process of the cluster. */
@Command(
    name = "skiff",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Skiff: a small, fast Kubernetes-compatible cluster.",
    subcommands = {
      ServerCommand.class,
      AgentCommand.class,
      CommandLine.HelpCommand.class,
      ControllerManagerCommand.class,
      SimNodesCommand.class,
      SchedulerCommand.class,
      DnsCommand.class,
      KubeconfigCommand.class,
      ConfigCommand.class,
      ProxyCommand.class,
      CertsCommand.class,
      SecretsEncryptCommand.class,
      ImagesCommand.class
    })
public final class Main {

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code (tests call this instead of main). */
  public static int run(String... args) {
    return configure(new CommandLine(new Main())).execute(args);
  }

  /**
   * Runs the command line with the given streams and environment (KUBECONFIG, HOME for {@code skiff
   * config}), so tests run commands in-process.
   */
  public static int run(
      PrintWriter out, PrintWriter err, Map<String, String> environment, String... args) {
    CommandLine.IFactory defaults = CommandLine.defaultFactory();
    CommandLine.IFactory factory =
        new CommandLine.IFactory() {
          @Override
          public <K> K create(Class<K> type) throws Exception {
            if (type == ConfigCommand.class) {
              return type.cast(new ConfigCommand(environment));
            }
            return defaults.create(type);
          }
        };
    return configure(new CommandLine(new Main(), factory)).setOut(out).setErr(err).execute(args);
  }

  private static CommandLine configure(CommandLine commandLine) {
    return commandLine
        .setExecutionExceptionHandler(new OneLineErrors())
        .setParameterExceptionHandler(
            new ConfigParseErrors(commandLine.getParameterExceptionHandler()));
  }

  /** The version line of {@code skiff --version}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"skiff " + SkiffVersion.GIT_VERSION};
    }
  }
}
