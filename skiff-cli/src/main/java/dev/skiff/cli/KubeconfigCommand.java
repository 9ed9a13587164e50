package dev.skiff.cli;

import dev.skiff.api.Json;
import dev.skiff.apiserver.pki.ClusterPki;
import dev.skiff.apiserver.pki.IssuedCertificate;
import dev.skiff.apiserver.pki.KubeconfigWriter;
import dev.skiff.apiserver.pki.Pem;
import dev.skiff.cli.config.Kubeconfigs;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code skiff kubeconfig ...}: kubeconfig files for users of the cluster. */
@Command(
    name = "kubeconfig",
    mixinStandardHelpOptions = true,
    description = "Creates kubeconfig files for users of the cluster.",
    subcommands = {KubeconfigCommand.Create.class})
public final class KubeconfigCommand {

  /**
   * {@code skiff kubeconfig create --user NAME [--group G]... --out FILE}: a kubeconfig with the
   * cluster CA embedded and either a client certificate signed by the cluster CA (needs the
   * server's data dir) or, with {@code --token}, a token of the service account NAME requested from
   * the API with admin credentials.
   */
  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description =
          "Writes a kubeconfig for a user (client certificate) or service account (--token).")
  static final class Create implements Callable<Integer> {
    @Option(
        names = "--kubeconfig",
        paramLabel = "FILE",
        description = "Admin kubeconfig (default: $KUBECONFIG, else <data-dir>/admin.kubeconfig).")
    Path kubeconfig;

    @Option(
        names = "--data-dir",
        paramLabel = "DIR",
        description = "The server's data directory (holds the cluster CA).")
    Path dataDir;

    @Option(
        names = "--user",
        required = true,
        paramLabel = "NAME",
        description = "User name (certificate CN), or the service account with --token.")
    String user;

    @Option(names = "--group", paramLabel = "G", description = "Group (certificate O); repeatable.")
    List<String> groups = new ArrayList<>();

    @Option(
        names = "--namespace",
        paramLabel = "NS",
        description = "Namespace of the context (and of the service account with --token).")
    String namespace;

    @Option(
        names = "--expiry",
        paramLabel = "DURATION",
        defaultValue = "720h",
        description = "Validity, e.g. 720h, 30m (default ${DEFAULT-VALUE}).")
    String expiry;

    @Option(
        names = "--token",
        description = "Use a service-account token instead of a client certificate.")
    boolean token;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "FILE",
        description = "Where to write the kubeconfig (mode 0600).")
    Path out;

    @Override
    public Integer call() throws Exception {
      Duration validity = parseDuration(expiry);
      String adminKubeconfig = adminKubeconfig();
      JsonNode admin = Json.YAML.readTree(adminKubeconfig);
      JsonNode cluster = currentCluster(admin);
      String server = cluster.path("server").asString();
      String caPem =
          new String(
              Base64.getDecoder().decode(cluster.path("certificate-authority-data").asString()));
      ObjectNode config;
      String name;
      if (token) {
        String ns = namespace == null ? "default" : namespace;
        try (KubernetesClient client =
            new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(adminKubeconfig))
                .build()) {
          TokenRequest request =
              new TokenRequestBuilder()
                  .withNewSpec()
                  .withExpirationSeconds(validity.toSeconds())
                  .endSpec()
                  .build();
          TokenRequest issued =
              client.serviceAccounts().inNamespace(ns).withName(user).tokenRequest(request);
          name = "system:serviceaccount:" + ns + ":" + user;
          config = tokenConfig(server, cluster, name, issued.getStatus().getToken());
        }
      } else {
        Path dir = dataDir != null ? dataDir : DataDirs.defaultDataDir();
        if (!Files.exists(dir.resolve("tls").resolve("ca.key"))) {
          throw new IllegalStateException(
              "no cluster CA under "
                  + dir.resolve("tls")
                  + ": pass the server's --data-dir, or use --token");
        }
        ClusterPki pki = ClusterPki.loadOrCreate(dir, List.of());
        IssuedCertificate credentials = pki.issueClientCertificate(user, groups, validity);
        name = user;
        config =
            (ObjectNode)
                Json.YAML.readTree(KubeconfigWriter.render(server, caPem, name, credentials));
      }
      if (namespace != null) {
        ((ObjectNode) config.path("contexts").get(0).path("context")).put("namespace", namespace);
      }
      if (out.getParent() != null) {
        Files.createDirectories(out.getParent());
      }
      Pem.writeAtomically(out, Json.YAML.writeValueAsString(config), "rw-------");
      System.out.println("kubeconfig for " + name + " written to " + out);
      return 0;
    }

    /** The same layout KubeconfigWriter gives certificate users, with a bearer token. */
    private static ObjectNode tokenConfig(
        String server, JsonNode cluster, String name, String token) {
      ObjectNode config = Json.object();
      config.put("apiVersion", "v1");
      config.put("kind", "Config");
      ObjectNode clusterEntry = config.putArray("clusters").addObject();
      clusterEntry.put("name", KubeconfigWriter.CLUSTER_NAME);
      clusterEntry
          .putObject("cluster")
          .put("certificate-authority-data", cluster.path("certificate-authority-data").asString())
          .put("server", server);
      ObjectNode user = config.putArray("users").addObject();
      user.put("name", name);
      user.putObject("user").put("token", token);
      ObjectNode context = config.putArray("contexts").addObject();
      context.put("name", KubeconfigWriter.CLUSTER_NAME);
      context.putObject("context").put("cluster", KubeconfigWriter.CLUSTER_NAME).put("user", name);
      config.put("current-context", KubeconfigWriter.CLUSTER_NAME);
      config.putObject("preferences");
      return config;
    }

    /**
     * The admin credentials: --kubeconfig, else the KUBECONFIG list merged as kubectl merges it,
     * else {@code <data-dir>/admin.kubeconfig}.
     */
    private String adminKubeconfig() throws IOException {
      String env = System.getenv("KUBECONFIG");
      if (kubeconfig != null || (env != null && !env.isBlank() && dataDir == null)) {
        if (kubeconfig != null && !Files.exists(kubeconfig)) {
          throw new IllegalStateException("no kubeconfig at " + kubeconfig);
        }
        return Kubeconfigs.currentContext(
            kubeconfig == null ? null : kubeconfig.toString(), System.getenv());
      }
      Path dir = dataDir != null ? dataDir : DataDirs.defaultDataDir();
      return Files.readString(dir.resolve("admin.kubeconfig"));
    }

    private static JsonNode currentCluster(JsonNode config) {
      String context = config.path("current-context").asString("");
      String clusterName = "";
      for (JsonNode entry : config.path("contexts")) {
        if (entry.path("name").asString("").equals(context)) {
          clusterName = entry.path("context").path("cluster").asString("");
        }
      }
      for (JsonNode entry : config.path("clusters")) {
        if (entry.path("name").asString("").equals(clusterName)) {
          return entry.path("cluster");
        }
      }
      throw new IllegalStateException("the admin kubeconfig has no current cluster");
    }
  }

  private static final Pattern DURATION = Pattern.compile("(\\d+)(h|m|s)");

  /** A Go-style duration such as 720h, 1h30m or 90s. */
  static Duration parseDuration(String text) {
    Matcher matcher = DURATION.matcher(text);
    Duration total = Duration.ZERO;
    int end = 0;
    while (matcher.find()) {
      if (matcher.start() != end) {
        break;
      }
      long value = Long.parseLong(matcher.group(1));
      total =
          total.plus(
              switch (matcher.group(2)) {
                case "h" -> Duration.ofHours(value);
                case "m" -> Duration.ofMinutes(value);
                default -> Duration.ofSeconds(value);
              });
      end = matcher.end();
    }
    if (end != text.length() || end == 0 || total.isZero()) {
      throw new IllegalArgumentException(
          "invalid --expiry \"" + text + "\": use e.g. 720h, 30m, 90s");
    }
    return total;
  }
}
