package dev.skiff.cli.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code skiff config view}: the merged kubeconfig, with certificate data shown as {@code
 * DATA+OMITTED} and tokens and passwords as {@code REDACTED} unless {@code --raw} or {@code
 * --flatten}.
 */
@Command(
    name = "view",
    mixinStandardHelpOptions = true,
    description = {
      "Display merged kubeconfig settings or a specified kubeconfig file.",
      "-o jsonpath={...} extracts values, e.g. -o jsonpath='{.users[?(@.name == \"e2e\")].user.password}'."
    })
final class ViewCommand extends ConfigSubcommand {
  private static final String OMITTED = "DATA+OMITTED";
  private static final String REDACTED = "REDACTED";

  @Parameters(arity = "0..*", hidden = true)
  List<String> args = new ArrayList<>();

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "Output format: yaml (default), json, jsonpath=TEMPLATE, jsonpath-file=FILE.")
  String output = "yaml";

  @Option(
      names = "--merge",
      arity = "0..1",
      fallbackValue = "true",
      paramLabel = "BOOL",
      description = "Merge the full hierarchy of kubeconfig files (default true).")
  String merge;

  @Option(names = "--raw", description = "Display raw byte data and sensitive data.")
  boolean raw;

  @Option(
      names = "--flatten",
      description = "Flatten the result into a self-contained kubeconfig (files embedded).")
  boolean flatten;

  @Option(
      names = "--minify",
      description = "Remove all information not used by current-context from the output.")
  boolean minify;

  @Option(
      names = "--allow-missing-template-keys",
      arity = "0..1",
      fallbackValue = "true",
      hidden = true)
  String allowMissingTemplateKeys;

  @Override
  void run() {
    boolean mergeValue = merge == null || EntryCommands.goBool(merge, "--merge");
    if (!args.isEmpty()) {
      throw new ConfigException(
          "unexpected arguments: "
              + goList(args)
              + "\nSee 'skiff config view -h' for help and examples");
    }
    ConfigAccess access = access();
    if (merge == null && access.isExplicitFile()) {
      mergeValue = false;
    }
    Printer printer = printer();
    if (!mergeValue && !access.isExplicitFile()) {
      throw new ConfigException("if merge==false a precise file must be specified");
    }
    Kubeconfig config = access.startingConfig();
    if (minify) {
      if (parent.context != null && !parent.context.isEmpty()) {
        config.currentContext = parent.context;
      }
      minify(config);
    }
    if (flatten) {
      flatten(config);
    } else if (!raw) {
      shorten(config);
    }
    out.print(printer.print(config.toV1()));
  }

  private interface Printer {
    String print(ObjectNode v1);
  }

  private Printer printer() {
    String format = output;
    int equals = format.indexOf('=');
    String argument = equals < 0 ? "" : format.substring(equals + 1);
    String kind = equals < 0 ? format : format.substring(0, equals);
    return switch (kind) {
      case "", "yaml" -> GoYaml::write;
      case "json" -> v1 -> GoJson.indented(v1) + "\n";
      case "jsonpath", "jsonpath-file" -> {
        if (argument.isEmpty()) {
          throw new ConfigException("template format specified but no template given");
        }
        String template = argument;
        if (kind.equals("jsonpath-file")) {
          try {
            template = Files.readString(Path.of(argument), StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new ConfigException(
                "error reading --template " + argument + ", " + e.getMessage());
          }
        }
        JsonPathTemplate parsed = JsonPathTemplate.parse(template);
        yield parsed::execute;
      }
      case "go-template",
          "go-template-file",
          "template",
          "templatefile",
          "name",
          "jsonpath-as-json" ->
          throw new ConfigException(
              "the output format \"" + kind + "\" is not supported by skiff config view");
      default ->
          throw new ConfigException(
              "unable to match a printer suitable for the output format \""
                  + format
                  + "\", allowed formats are: go-template,go-template-file,json,jsonpath,"
                  + "jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml");
    };
  }

  /** Keeps only the current context, its cluster and its user. */
  static void minify(Kubeconfig config) {
    if (config.currentContext.isEmpty()) {
      throw new ConfigException("current-context must exist in order to minify");
    }
    Kubeconfig.Entry context = config.contexts.get(config.currentContext);
    if (context == null) {
      throw new ConfigException("cannot locate context " + config.currentContext);
    }
    String cluster = context.value().path("cluster").asString("");
    String user = context.value().path("user").asString("");
    Kubeconfig.Entry clusterEntry = null;
    Kubeconfig.Entry userEntry = null;
    if (!cluster.isEmpty()) {
      clusterEntry = config.clusters.get(cluster);
      if (clusterEntry == null) {
        throw new ConfigException("cannot locate cluster " + cluster);
      }
    }
    if (!user.isEmpty()) {
      userEntry = config.users.get(user);
      if (userEntry == null) {
        throw new ConfigException("cannot locate user " + user);
      }
    }
    keepOnly(config.contexts, config.currentContext, context);
    keepOnly(config.clusters, cluster, clusterEntry);
    keepOnly(config.users, user, userEntry);
  }

  private static void keepOnly(
      Map<String, Kubeconfig.Entry> entries, String name, Kubeconfig.Entry entry) {
    entries.clear();
    if (entry != null) {
      entries.put(name, entry);
    }
  }

  /** Replaces certificate data, tokens and passwords by placeholders. */
  static void shorten(Kubeconfig config) {
    config.users.replaceAll(
        (name, entry) -> {
          ObjectNode user = entry.value().deepCopy();
          replace(user, "client-certificate-data", OMITTED);
          replace(user, "client-key-data", OMITTED);
          replace(user, "token", REDACTED);
          replace(user, "password", REDACTED);
          return entry.withValue(user);
        });
    config.clusters.replaceAll(
        (name, entry) -> {
          ObjectNode cluster = entry.value().deepCopy();
          replace(cluster, "certificate-authority-data", OMITTED);
          return entry.withValue(cluster);
        });
  }

  private static void replace(ObjectNode node, String field, String placeholder) {
    if (!node.path(field).asString("").isEmpty()) {
      node.put(field, placeholder);
    }
  }

  /** Embeds the files that clusters and users refer to. */
  static void flatten(Kubeconfig config) {
    config.users.replaceAll(
        (name, entry) -> {
          ObjectNode user = entry.value().deepCopy();
          embed(user, "client-certificate", entry.origin());
          embed(user, "client-key", entry.origin());
          return entry.withValue(KubeconfigSchema.normalize(user, KubeconfigSchema.USER, ""));
        });
    config.clusters.replaceAll(
        (name, entry) -> {
          ObjectNode cluster = entry.value().deepCopy();
          embed(cluster, "certificate-authority", entry.origin());
          return entry.withValue(KubeconfigSchema.normalize(cluster, KubeconfigSchema.CLUSTER, ""));
        });
  }

  private static void embed(ObjectNode node, String field, String origin) {
    String path = node.path(field).asString("");
    if (path.isEmpty()) {
      return;
    }
    if (!node.path(field + "-data").asString("").isEmpty()) {
      throw new ConfigException("cannot have values for both path and contents");
    }
    Path file = Path.of(path);
    if (!file.isAbsolute()) {
      Path base = origin == null ? Path.of("") : Path.of(origin).getParent();
      file = (base == null ? Path.of("") : base).toAbsolutePath().resolve(path).normalize();
    }
    node.put(
        field + "-data", Base64.getEncoder().encodeToString(EntryCommands.read(file.toString())));
    node.remove(field);
  }
}
