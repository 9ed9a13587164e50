package dev.skiff.cli.config;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The subcommands that only read: current-context, get-clusters, get-users, get-contexts. */
final class ReadCommands {
  private ReadCommands() {}

  @Command(
      name = "current-context",
      mixinStandardHelpOptions = true,
      description = "Display the current-context.")
  static final class CurrentContext extends ConfigSubcommand {
    @Parameters(arity = "0..*", hidden = true)
    List<String> ignored = new ArrayList<>();

    @Override
    void run() {
      Kubeconfig config = access().startingConfig();
      if (config.currentContext.isEmpty()) {
        throw new ConfigException("current-context is not set");
      }
      out.println(config.currentContext);
    }
  }

  @Command(
      name = "get-clusters",
      mixinStandardHelpOptions = true,
      description = "Display clusters defined in the kubeconfig.")
  static final class GetClusters extends ConfigSubcommand {
    @Parameters(arity = "0..*", hidden = true)
    List<String> ignored = new ArrayList<>();

    @Override
    void run() {
      Kubeconfig config = access().startingConfig();
      out.println("NAME");
      config.clusters.keySet().forEach(out::println);
    }
  }

  @Command(
      name = "get-users",
      mixinStandardHelpOptions = true,
      description = "Display users defined in the kubeconfig.")
  static final class GetUsers extends ConfigSubcommand {
    @Parameters(arity = "0..*", hidden = true)
    List<String> ignored = new ArrayList<>();

    @Override
    void run() {
      Kubeconfig config = access().startingConfig();
      out.println("NAME");
      config.users.keySet().forEach(out::println);
    }
  }

  @Command(
      name = "get-contexts",
      mixinStandardHelpOptions = true,
      description = "Describe one or many contexts (* marks the current one).")
  static final class GetContexts extends ConfigSubcommand {
    @Parameters(arity = "0..*", paramLabel = "NAME", description = "Only these contexts.")
    List<String> names = new ArrayList<>();

    @Option(
        names = {"-o", "--output"},
        paramLabel = "FORMAT",
        description = "Output format. One of: (name).")
    String output = "";

    @Option(names = "--no-headers", description = "Don't print headers.")
    boolean noHeaders;

    @Override
    void run() {
      if (!output.isEmpty() && !output.equals("name")) {
        throw new ConfigException(
            "--output "
                + output
                + " is not available in skiff config get-contexts; resetting to default output"
                + " format");
      }
      boolean nameOnly = output.equals("name");
      Kubeconfig config = access().startingConfig();
      List<String> errors = new ArrayList<>();
      List<String> selected = new ArrayList<>();
      if (names.isEmpty()) {
        selected.addAll(config.contexts.keySet());
      } else {
        for (String name : names) {
          if (config.contexts.containsKey(name)) {
            selected.add(name);
          } else {
            errors.add("context " + name + " not found");
          }
        }
      }
      selected.sort(null);
      List<List<String>> rows = new ArrayList<>();
      if (!noHeaders && !nameOnly) {
        rows.add(List.of("CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE"));
      }
      for (String name : selected) {
        if (nameOnly) {
          rows.add(List.of(name));
          continue;
        }
        var context = config.contexts.get(name).value();
        rows.add(
            List.of(
                config.currentContext.equals(name) ? "*" : " ",
                name,
                context.path("cluster").asString(""),
                context.path("user").asString(""),
                context.path("namespace").asString("")));
      }
      out.print(TabWriter.format(rows));
      if (!errors.isEmpty()) {
        throw ConfigException.of(errors);
      }
    }
  }
}
