package dev.skiff.cli.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** The subcommands that switch, rename or remove entries. */
final class DeleteCommands {
  private DeleteCommands() {}

  /**
   * What delete-context, delete-cluster and delete-user share once their arguments are checked:
   * refuse a name the files do not hold, remove it, write the file that held it, report.
   */
  private static void deleteEntry(
      ConfigSubcommand command,
      ConfigAccess access,
      Kubeconfig config,
      Map<String, Kubeconfig.Entry> entries,
      String kind,
      String name) {
    String file = command.configFile();
    if (!entries.containsKey(name)) {
      throw new ConfigException("cannot delete " + kind + " " + name + ", not in " + file);
    }
    entries.remove(name);
    access.modify(config, true);
    command.out.println("deleted " + kind + " " + name + " from " + file);
  }

  @Command(
      name = "use-context",
      aliases = "use",
      mixinStandardHelpOptions = true,
      description = "Set the current-context in a kubeconfig file.")
  static final class UseContext extends ConfigSubcommand {
    @Parameters(arity = "0..*", paramLabel = "CONTEXT_NAME")
    List<String> args = new ArrayList<>();

    @Override
    void run() {
      if (args.size() != 1) {
        throw new UsageException("Unexpected args: " + goList(args));
      }
      String name = args.get(0);
      ConfigAccess access = access();
      Kubeconfig config = access.startingConfig();
      if (name.isEmpty()) {
        throw new ConfigException("empty context names are not allowed");
      }
      if (!config.contexts.containsKey(name)) {
        throw new ConfigException("no context exists with the name: " + quote(name));
      }
      config.currentContext = name;
      access.modify(config, true);
      out.println("Switched to context " + quote(name) + ".");
    }
  }

  @Command(
      name = "delete-context",
      mixinStandardHelpOptions = true,
      description = "Delete the specified context from the kubeconfig.")
  static final class DeleteContext extends ConfigSubcommand {
    @Parameters(arity = "0..*", paramLabel = "NAME")
    List<String> args = new ArrayList<>();

    @Override
    void run() {
      ConfigAccess access = access();
      Kubeconfig config = access.startingConfig();
      if (args.size() != 1) {
        spec.commandLine().usage(out);
        return;
      }
      String name = args.get(0);
      if (config.currentContext.equals(name) && config.contexts.containsKey(name)) {
        err.println(
            "warning: this removed your active context, use \"skiff config use-context\" to select"
                + " a different one");
      }
      deleteEntry(this, access, config, config.contexts, "context", name);
    }
  }

  @Command(
      name = "delete-cluster",
      mixinStandardHelpOptions = true,
      description = "Delete the specified cluster from the kubeconfig.")
  static final class DeleteCluster extends ConfigSubcommand {
    @Parameters(arity = "0..*", paramLabel = "NAME")
    List<String> args = new ArrayList<>();

    @Override
    void run() {
      if (args.size() != 1) {
        throw new UsageException("unexpected args: " + goList(args));
      }
      ConfigAccess access = access();
      Kubeconfig config = access.startingConfig();
      deleteEntry(this, access, config, config.clusters, "cluster", args.get(0));
    }
  }

  @Command(
      name = "delete-user",
      mixinStandardHelpOptions = true,
      description = "Delete the specified user from the kubeconfig.")
  static final class DeleteUser extends ConfigSubcommand {
    @Parameters(arity = "0..*", paramLabel = "NAME")
    List<String> args = new ArrayList<>();

    @Override
    void run() {
      ConfigAccess access = access();
      Kubeconfig config = access.startingConfig();
      if (args.size() != 1) {
        throw new UsageException("user to delete is required");
      }
      deleteEntry(this, access, config, config.users, "user", args.get(0));
    }
  }

  @Command(
      name = "rename-context",
      mixinStandardHelpOptions = true,
      description = {
        "Rename a context from the kubeconfig file.",
        "If the context is the current-context, that field is updated too."
      })
  static final class RenameContext extends ConfigSubcommand {
    @Parameters(arity = "0..*", paramLabel = "CONTEXT_NAME NEW_NAME")
    List<String> args = new ArrayList<>();

    @Override
    void run() {
      if (args.size() != 2) {
        throw new UsageException("Unexpected args: " + goList(args));
      }
      String from = args.get(0);
      String to = args.get(1);
      if (to.isEmpty()) {
        throw new ConfigException("You must specify a new non-empty context name");
      }
      ConfigAccess access = access();
      Kubeconfig config = access.startingConfig();
      String file = configFile();
      Kubeconfig.Entry context = config.contexts.get(from);
      if (context == null) {
        throw new ConfigException(
            "cannot rename the context " + quote(from) + ", it's not in " + file);
      }
      if (config.contexts.containsKey(to)) {
        throw new ConfigException(
            "cannot rename the context "
                + quote(from)
                + ", the context "
                + quote(to)
                + " already exists in "
                + file);
      }
      config.contexts.put(to, context);
      config.contexts.remove(from);
      if (config.currentContext.equals(from)) {
        config.currentContext = to;
      }
      access.modify(config, true);
      out.println("Context " + quote(from) + " renamed to " + quote(to) + ".");
    }
  }
}
