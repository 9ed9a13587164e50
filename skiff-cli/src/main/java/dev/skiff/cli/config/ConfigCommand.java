package dev.skiff.cli.config;

import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code skiff config ...}: kubectl's {@code config} subcommands, for machines without kubectl.
 * Output, messages, exit codes and the files written are those of {@code kubectl config}.
 */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    description = {
      "Modifies kubeconfig files (the same subcommands, output and files as kubectl config).",
      "Files: --kubeconfig FILE alone if given; else the KUBECONFIG list, merged (the first file to"
          + " define an entry wins; changes go to the file that defined the entry, new entries to"
          + " the first existing file, or the last one if none exists); else ~/.kube/config."
    },
    subcommands = {
      ReadCommands.CurrentContext.class,
      DeleteCommands.DeleteCluster.class,
      DeleteCommands.DeleteContext.class,
      DeleteCommands.DeleteUser.class,
      ReadCommands.GetClusters.class,
      ReadCommands.GetContexts.class,
      ReadCommands.GetUsers.class,
      DeleteCommands.RenameContext.class,
      PropertyCommands.Set.class,
      EntryCommands.SetCluster.class,
      EntryCommands.SetContext.class,
      EntryCommands.SetCredentials.class,
      PropertyCommands.Unset.class,
      DeleteCommands.UseContext.class,
      ViewCommand.class
    })
public final class ConfigCommand implements Runnable {
  @Spec CommandSpec spec;

  @Option(
      names = "--kubeconfig",
      scope = ScopeType.INHERIT,
      paramLabel = "FILE",
      description = "Use only this kubeconfig file.")
  String kubeconfig;

  @Option(
      names = "--context",
      scope = ScopeType.INHERIT,
      paramLabel = "NAME",
      description = "The context to use (view --minify).")
  String context;

  private final Map<String, String> environment;

  /** Reads KUBECONFIG and HOME from the process environment. */
  public ConfigCommand() {
    this(System.getenv());
  }

  /** Reads KUBECONFIG and HOME from {@code environment} (tests run commands in-process). */
  public ConfigCommand(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  /** Without a subcommand, like kubectl: the help, exit code 0. */
  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  ConfigAccess access() {
    return new ConfigAccess(kubeconfig, environment);
  }
}
