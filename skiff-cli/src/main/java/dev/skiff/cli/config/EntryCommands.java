package dev.skiff.cli.config;

import dev.skiff.api.Json;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** set-cluster, set-credentials and set-context: create an entry or merge flags into it. */
final class EntryCommands {
  private EntryCommands() {}

  @Command(
      name = "set-cluster",
      mixinStandardHelpOptions = true,
      description = {
        "Set a cluster entry in kubeconfig.",
        "Specifying a name that already exists will merge new fields on top of existing values."
      })
  static final class SetCluster extends ConfigSubcommand {
    @Parameters(arity = "0..*", paramLabel = "NAME")
    List<String> args = new ArrayList<>();

    @Option(names = "--server", description = "server for the cluster entry in kubeconfig")
    String server;

    @Option(
        names = "--tls-server-name",
        description = "tls-server-name for the cluster entry in kubeconfig")
    String tlsServerName;

    @Option(
        names = "--insecure-skip-tls-verify",
        arity = "0..1",
        fallbackValue = "true",
        paramLabel = "BOOL",
        description = "insecure-skip-tls-verify for the cluster entry in kubeconfig")
    String insecure;

    @Option(
        names = "--certificate-authority",
        paramLabel = "FILE",
        description = "Path to certificate-authority file for the cluster entry in kubeconfig")
    String certificateAuthority;

    @Option(
        names = "--embed-certs",
        arity = "0..1",
        fallbackValue = "true",
        paramLabel = "BOOL",
        description = "embed-certs for the cluster entry in kubeconfig")
    String embedCerts;

    @Option(names = "--proxy-url", description = "proxy-url for the cluster entry in kubeconfig")
    String proxyUrl;

    @Override
    void run() {
      boolean insecureValue = goBool(insecure, "--insecure-skip-tls-verify");
      boolean embed = goBool(embedCerts, "--embed-certs");
      if (args.size() != 1) {
        throw new UsageException("Unexpected args: " + goList(args));
      }
      String name = args.get(0);
      if (name.isEmpty()) {
        throw new ConfigException("you must specify a non-empty cluster name");
      }
      String ca = certificateAuthority == null ? "" : certificateAuthority;
      if (insecureValue && !ca.isEmpty()) {
        throw new ConfigException(
            "you cannot specify a certificate authority and insecure mode at the same time");
      }
      byte[] caData = null;
      if (embed) {
        if (ca.isEmpty()) {
          throw new ConfigException("you must specify a --certificate-authority to embed");
        }
        if (!Files.exists(Path.of(ca))) {
          throw new ConfigException(
              "could not stat certificate-authority file "
                  + ca
                  + ": stat "
                  + ca
                  + ": no such file or directory");
        }
        caData = read(ca);
      }
      ConfigAccess access = access();
      Kubeconfig config = access.startingConfig();
      Kubeconfig.Entry existing = config.clusters.get(name);
      ObjectNode cluster =
          existing == null
              ? KubeconfigSchema.normalize(null, KubeconfigSchema.CLUSTER, "")
              : existing.value().deepCopy();
      if (server != null) {
        cluster.put("server", server);
        // a new server invalidates the TLS server name kept for the old one (kubectl does this too)
        cluster.remove("tls-server-name");
      }
      if (tlsServerName != null) {
        cluster.put("tls-server-name", tlsServerName);
      }
      if (insecure != null) {
        cluster.put("insecure-skip-tls-verify", insecureValue);
        if (insecureValue) {
          cluster.remove("certificate-authority");
          cluster.remove("certificate-authority-data");
        }
      }
      if (certificateAuthority != null) {
        if (embed) {
          cluster.put("certificate-authority-data", Base64.getEncoder().encodeToString(caData));
          cluster.put("insecure-skip-tls-verify", false);
          cluster.remove("certificate-authority");
        } else {
          String path = absolute(certificateAuthority);
          cluster.put("certificate-authority", path);
          cluster.put("insecure-skip-tls-verify", false);
          cluster.remove("certificate-authority-data");
        }
      }
      if (proxyUrl != null) {
        cluster.put("proxy-url", proxyUrl);
      }
      ObjectNode value = KubeconfigSchema.normalize(cluster, KubeconfigSchema.CLUSTER, "");
      config.clusters.put(
          name, existing == null ? new Kubeconfig.Entry(value, null) : existing.withValue(value));
      access.modify(config, true);
      out.println("Cluster " + quote(name) + " set.");
    }
  }

  @Command(
      name = "set-credentials",
      mixinStandardHelpOptions = true,
      description = {
        "Set a user entry in kubeconfig.",
        "Specifying a name that already exists will merge new fields on top of existing values.",
        "Bearer token and basic auth are mutually exclusive."
      })
  static final class SetCredentials extends ConfigSubcommand {
    @Parameters(arity = "0..*", paramLabel = "NAME")
    List<String> args = new ArrayList<>();

    @Option(
        names = "--client-certificate",
        paramLabel = "FILE",
        description = "Path to client-certificate file for the user entry in kubeconfig")
    String clientCertificate;

    @Option(
        names = "--client-key",
        paramLabel = "FILE",
        description = "Path to client-key file for the user entry in kubeconfig")
    String clientKey;

    @Option(names = "--token", description = "token for the user entry in kubeconfig")
    String token;

    @Option(names = "--username", description = "username for the user entry in kubeconfig")
    String username;

    @Option(names = "--password", description = "password for the user entry in kubeconfig")
    String password;

    @Option(
        names = "--embed-certs",
        arity = "0..1",
        fallbackValue = "true",
        paramLabel = "BOOL",
        description = "Embed client cert/key for the user entry in kubeconfig")
    String embedCerts;

    @Option(names = "--auth-provider", description = "Auth provider for the user entry")
    String authProvider;

    @Option(
        names = "--auth-provider-arg",
        split = ",",
        paramLabel = "KEY=VALUE",
        description = "'key=value' arguments for the auth provider ('key-' removes one)")
    List<String> authProviderArgs = new ArrayList<>();

    @Option(
        names = "--exec-command",
        description = "Command for the exec credential plugin for the user entry")
    String execCommand;

    @Option(
        names = "--exec-api-version",
        description = "API version of the exec credential plugin for the user entry")
    String execApiVersion;

    @Option(
        names = "--exec-arg",
        split = ",",
        description = "New arguments for the exec credential plugin command")
    List<String> execArgs = new ArrayList<>();

    @Option(
        names = "--exec-env",
        paramLabel = "KEY=VALUE",
        description =
            "'key=value' environment values for the exec credential plugin ('key-' removes one)")
    List<String> execEnv = new ArrayList<>();

    @Option(
        names = "--exec-interactive-mode",
        description = "InteractiveMode of the exec credentials plugin (Never, IfAvailable, Always)")
    String execInteractiveMode;

    @Option(
        names = "--exec-provide-cluster-info",
        arity = "0..1",
        fallbackValue = "true",
        paramLabel = "BOOL",
        description = "ProvideClusterInfo of the exec credentials plugin")
    String execProvideClusterInfo;

    @Override
    void run() {
      boolean embed = goBool(embedCerts, "--embed-certs");
      goBool(execProvideClusterInfo, "--exec-provide-cluster-info");
      if (args.size() != 1) {
        throw new UsageException("Unexpected args: " + goList(args));
      }
      String name = args.get(0);
      Pairs providerArgs = Pairs.parse(authProviderArgs, "--auth-provider-arg");
      Pairs env = Pairs.parse(execEnv, "--exec-env");
      validate(name, embed);
      ConfigAccess access = access();
      Kubeconfig config = access.startingConfig();
      Kubeconfig.Entry existing = config.users.get(name);
      ObjectNode user =
          existing == null
              ? KubeconfigSchema.normalize(null, KubeconfigSchema.USER, "")
              : existing.value().deepCopy();
      if (clientCertificate != null) {
        setFile(user, "client-certificate", clientCertificate, embed);
      }
      if (clientKey != null) {
        setFile(user, "client-key", clientKey, embed);
      }
      boolean setToken = false;
      boolean setBasic = false;
      if (token != null) {
        user.put("token", token);
        setToken = !token.isEmpty();
      }
      if (username != null) {
        user.put("username", username);
        setBasic = !username.isEmpty();
      }
      if (password != null) {
        user.put("password", password);
        setBasic |= !password.isEmpty();
      }
      if (authProvider != null) {
        JsonNode current = user.get("auth-provider");
        if (current == null || !current.path("name").asString("").equals(authProvider)) {
          ObjectNode provider = Json.object();
          provider.put("name", authProvider);
          user.set("auth-provider", provider);
        }
      }
      if (user.get("auth-provider") instanceof ObjectNode provider) {
        ObjectNode settings =
            provider.get("config") instanceof ObjectNode existingConfig
                ? existingConfig
                : Json.object();
        providerArgs.removals().forEach(settings::remove);
        providerArgs.values().forEach(settings::put);
        provider.set("config", settings);
      }
      modifyExec(user, env);
      if (setToken || setBasic) {
        if (!setToken) {
          user.remove("token");
        }
        if (!setBasic) {
          user.remove("username");
          user.remove("password");
        }
      }
      ObjectNode value = KubeconfigSchema.normalize(user, KubeconfigSchema.USER, "");
      config.users.put(
          name, existing == null ? new Kubeconfig.Entry(value, null) : existing.withValue(value));
      access.modify(config, true);
      out.println("User " + quote(name) + " set.");
    }

    private void validate(String name, boolean embed) {
      if (name.isEmpty()) {
        throw new ConfigException("you must specify a non-empty user name");
      }
      if (execInteractiveMode != null
          && !List.of("IfAvailable", "Never", "Always").contains(execInteractiveMode)) {
        throw new ConfigException(
            "invalid interactive mode type, can be only IfAvailable, Never, Always");
      }
      List<String> methods = new ArrayList<>();
      if (token != null && !token.isEmpty()) {
        methods.add("--token");
      }
      if ((username != null && !username.isEmpty()) || (password != null && !password.isEmpty())) {
        methods.add("--username/--password");
      }
      if (methods.size() > 1) {
        throw new ConfigException(
            "you cannot specify more than one authentication method at the same time: "
                + String.join(", ", methods));
      }
      if (embed) {
        String cert = clientCertificate == null ? "" : clientCertificate;
        String key = clientKey == null ? "" : clientKey;
        if (cert.isEmpty() && key.isEmpty()) {
          throw new ConfigException(
              "you must specify a --client-certificate or --client-key to embed");
        }
        if (!cert.isEmpty() && !Files.exists(Path.of(cert))) {
          throw new ConfigException(
              "could not stat client-certificate file "
                  + cert
                  + ": stat "
                  + cert
                  + ": no such file or directory");
        }
        if (!key.isEmpty() && !Files.exists(Path.of(key))) {
          throw new ConfigException(
              "could not stat client-key file "
                  + key
                  + ": stat "
                  + key
                  + ": no such file or directory");
        }
      }
    }

    private static void setFile(ObjectNode user, String field, String path, boolean embed) {
      if (embed) {
        user.put(field + "-data", Base64.getEncoder().encodeToString(read(path)));
        user.remove(field);
      } else {
        String absolute = absolute(path);
        user.put(field, absolute);
        if (!absolute.isEmpty()) {
          user.remove(field + "-data");
        }
      }
    }

    private void modifyExec(ObjectNode user, Pairs env) {
      if (execCommand != null) {
        if (user.get("exec") instanceof ObjectNode exec) {
          exec.put("command", execCommand);
          exec.putNull("args");
        } else {
          ObjectNode exec = KubeconfigSchema.normalize(null, KubeconfigSchema.EXEC, "");
          exec.put("command", execCommand);
          user.set("exec", exec);
        }
      }
      if (!(user.get("exec") instanceof ObjectNode exec)) {
        return;
      }
      if (execApiVersion != null) {
        exec.put("apiVersion", execApiVersion);
      }
      if (!execArgs.isEmpty()) {
        ArrayNode list = exec.putArray("args");
        execArgs.forEach(list::add);
      }
      if (execInteractiveMode != null) {
        exec.put("interactiveMode", execInteractiveMode);
      }
      if (execProvideClusterInfo != null) {
        exec.put(
            "provideClusterInfo", goBool(execProvideClusterInfo, "--exec-provide-cluster-info"));
      }
      if (!env.removals().isEmpty()) {
        ArrayNode kept = Json.MAPPER.createArrayNode();
        for (JsonNode variable : exec.path("env")) {
          if (!env.removals().contains(variable.path("name").asString(""))) {
            kept.add(variable);
          }
        }
        exec.set("env", kept);
      }
      if (!env.values().isEmpty()) {
        ArrayNode list =
            exec.get("env") instanceof ArrayNode existing
                ? existing
                : Json.MAPPER.createArrayNode();
        env.values()
            .forEach(
                (key, value) -> {
                  for (JsonNode variable : list) {
                    if (variable.path("name").asString("").equals(key)) {
                      ((ObjectNode) variable).put("value", value);
                      return;
                    }
                  }
                  list.addObject().put("name", key).put("value", value);
                });
        exec.set("env", list);
      }
    }
  }

  @Command(
      name = "set-context",
      mixinStandardHelpOptions = true,
      description = {
        "Set a context entry in kubeconfig.",
        "Specifying a name that already exists will merge new fields on top of existing values."
      })
  static final class SetContext extends ConfigSubcommand {
    @Parameters(arity = "0..*", paramLabel = "NAME")
    List<String> args = new ArrayList<>();

    @Option(names = "--current", description = "Modify the current context")
    boolean current;

    @Option(names = "--cluster", description = "cluster for the context entry in kubeconfig")
    String cluster;

    @Option(names = "--user", description = "user for the context entry in kubeconfig")
    String user;

    @Option(names = "--namespace", description = "namespace for the context entry in kubeconfig")
    String namespace;

    @Override
    void run() {
      if (args.size() > 1) {
        throw new UsageException("Unexpected args: " + goList(args));
      }
      String name = args.isEmpty() ? "" : args.get(0);
      if (name.isEmpty() && !current) {
        throw new ConfigException("you must specify a non-empty context name or --current");
      }
      if (!name.isEmpty() && current) {
        throw new ConfigException("you cannot specify both a context name and --current");
      }
      ConfigAccess access = access();
      Kubeconfig config = access.startingConfig();
      if (current) {
        if (config.currentContext.isEmpty()) {
          throw new ConfigException("no current context is set");
        }
        name = config.currentContext;
      }
      Kubeconfig.Entry existing = config.contexts.get(name);
      ObjectNode context =
          existing == null
              ? KubeconfigSchema.normalize(null, KubeconfigSchema.CONTEXT, "")
              : existing.value().deepCopy();
      if (cluster != null) {
        context.put("cluster", cluster);
      }
      if (user != null) {
        context.put("user", user);
      }
      if (namespace != null) {
        context.put("namespace", namespace);
      }
      ObjectNode value = KubeconfigSchema.normalize(context, KubeconfigSchema.CONTEXT, "");
      config.contexts.put(
          name, existing == null ? new Kubeconfig.Entry(value, null) : existing.withValue(value));
      access.modify(config, true);
      out.println("Context " + quote(name) + (existing == null ? " created." : " modified."));
    }
  }

  /** {@code key=value} additions and {@code key-} removals, as kubectl parses them. */
  record Pairs(Map<String, String> values, List<String> removals) {
    static Pairs parse(List<String> arguments, String flag) {
      Map<String, String> values = new LinkedHashMap<>();
      List<String> removals = new ArrayList<>();
      for (String argument : arguments) {
        int equals = argument.indexOf('=');
        if (equals > 0) {
          values.put(argument.substring(0, equals), argument.substring(equals + 1));
        } else if (argument.endsWith("-") && argument.length() > 1) {
          removals.add(argument.substring(0, argument.length() - 1));
        } else {
          throw new ConfigException("Error: invalid " + flag.substring(2) + ": " + argument);
        }
      }
      return new Pairs(values, removals);
    }
  }

  /** Go's strconv.ParseBool, for the flags that take an optional boolean. */
  static boolean goBool(String value, String flag) {
    if (value == null) {
      return false;
    }
    return switch (value) {
      case "1", "t", "T", "TRUE", "true", "True" -> true;
      case "0", "f", "F", "FALSE", "false", "False" -> false;
      default ->
          throw new ConfigSubcommand.FlagException(
              "invalid argument \""
                  + value
                  + "\" for \""
                  + flag
                  + "\" flag: strconv.ParseBool: parsing \""
                  + value
                  + "\": invalid syntax");
    };
  }

  /** Go's filepath.Abs: relative to the working directory, cleaned. */
  static String absolute(String path) {
    return Path.of(path).toAbsolutePath().normalize().toString();
  }

  static byte[] read(String path) {
    try {
      return Files.readAllBytes(Path.of(path));
    } catch (NoSuchFileException e) {
      throw new ConfigException("open " + path + ": no such file or directory");
    } catch (AccessDeniedException e) {
      throw new ConfigException("open " + path + ": permission denied");
    } catch (IOException e) {
      if (Files.isDirectory(Path.of(path))) {
        throw new ConfigException("read " + path + ": is a directory");
      }
      throw new ConfigException("open " + path + ": " + e.getMessage());
    }
  }
}
