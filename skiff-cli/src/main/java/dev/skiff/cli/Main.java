package dev.skiff.cli;

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
      ProxyCommand.class,
      CertsCommand.class,
      ImagesCommand.class
    })
public final class Main {

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code (tests call this instead of main). */
  public static int run(String... args) {
    return new CommandLine(new Main())
        .setExecutionExceptionHandler(new OneLineErrors())
        .execute(args);
  }

  /** The version line of {@code skiff --version}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"skiff " + SkiffVersion.GIT_VERSION};
    }
  }
}
