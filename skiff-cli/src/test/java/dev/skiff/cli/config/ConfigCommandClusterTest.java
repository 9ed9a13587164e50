package dev.skiff.cli.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.Json;
import dev.skiff.apiserver.ControlPlane;
import dev.skiff.apiserver.ControlPlaneOptions;
import dev.skiff.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Kubeconfig files written by {@code skiff config} and {@code skiff kubeconfig create} work with
 * the real kubectl against an API server, and switching contexts switches what kubectl reaches.
 */
class ConfigCommandClusterTest {
  @TempDir static Path dataDir;
  @TempDir static Path work;

  private static ControlPlane controlPlane;
  private static Path adminKubeconfig;

  record Result(int exit, String out, String err) {}

  @BeforeAll
  static void start() {
    adminKubeconfig = dataDir.resolve("admin.kubeconfig");
    controlPlane =
        ControlPlane.start(
            new ControlPlaneOptions(
                dataDir,
                "127.0.0.1",
                0,
                "memory://",
                null,
                null,
                null,
                List.of(),
                adminKubeconfig));
  }

  @AfterAll
  static void stop() {
    if (controlPlane != null) {
      controlPlane.close();
    }
  }

  @Test
  void kubeconfigBuiltWithSkiffConfigReachesTheClusterAndContextsSwitch() throws Exception {
    JsonNode admin = Json.YAML.readTree(Files.readString(adminKubeconfig));
    JsonNode cluster = admin.path("clusters").get(0).path("cluster");
    JsonNode user = admin.path("users").get(0).path("user");
    Path pki = Files.createDirectories(work.resolve("pki"));
    Files.write(pki.resolve("ca.crt"), decode(cluster.path("certificate-authority-data")));
    Files.write(pki.resolve("admin.crt"), decode(user.path("client-certificate-data")));
    Files.write(pki.resolve("admin.key"), decode(user.path("client-key-data")));
    Path first = work.resolve("first.yaml");
    Path second = work.resolve("second.yaml");
    Map<String, String> environment =
        Map.of("KUBECONFIG", first + ":" + second, "HOME", work.toString());

    String server = cluster.path("server").asString();
    assertThat(
            skiff(
                    environment,
                    "set-cluster",
                    "skiff",
                    "--server=" + server,
                    "--certificate-authority=" + pki.resolve("ca.crt"),
                    "--embed-certs")
                .out())
        .isEqualTo("Cluster \"skiff\" set.\n");
    skiff(
        environment,
        "set-credentials",
        "admin",
        "--client-certificate=" + pki.resolve("admin.crt"),
        "--client-key=" + pki.resolve("admin.key"));
    skiff(
        environment,
        "set-context",
        "admin@skiff",
        "--cluster=skiff",
        "--user=admin",
        "--namespace=kube-system");
    skiff(environment, "set-cluster", "nowhere", "--server=https://127.0.0.1:1");
    skiff(environment, "set-context", "broken", "--cluster=nowhere", "--user=admin");
    assertThat(skiff(environment, "use-context", "admin@skiff").out())
        .isEqualTo("Switched to context \"admin@skiff\".\n");
    // the list's files do not exist yet, so everything went to the last one
    assertThat(first).doesNotExist();
    assertThat(Files.readString(second))
        .contains("client-certificate: pki/admin.crt")
        .contains("certificate-authority-data: ");

    Result namespaces = kubectl(environment, "get", "namespaces", "-o", "name");
    assertThat(namespaces.exit()).as(namespaces.err()).isZero();
    assertThat(namespaces.out()).contains("namespace/default", "namespace/kube-system");
    Result serviceAccounts = kubectl(environment, "get", "serviceaccounts", "-o", "name");
    assertThat(serviceAccounts.out()).contains("serviceaccount/default");

    skiff(environment, "use-context", "broken");
    assertThat(kubectl(environment, "config", "current-context").out()).isEqualTo("broken\n");
    Result refused = kubectl(environment, "get", "namespaces", "--request-timeout=5s");
    assertThat(refused.exit()).isNotZero();
    assertThat(refused.err()).contains("127.0.0.1:1");

    skiff(environment, "use-context", "admin@skiff");
    assertThat(kubectl(environment, "get", "namespaces", "-o", "name").exit()).isZero();
    assertThat(skiff(environment, "view", "--minify", "--flatten").out())
        .isEqualTo(kubectl(environment, "config", "view", "--minify", "--flatten").out());
  }

  @Test
  void filesWrittenByTheServerAndKubeconfigCreateReadTheSameAsWithKubectl() throws Exception {
    Path carol = work.resolve("carol.kubeconfig");
    assertThat(
            Main.run(
                "kubeconfig",
                "create",
                "--data-dir",
                dataDir.toString(),
                "--user",
                "carol",
                "--namespace",
                "team",
                "--out",
                carol.toString()))
        .isZero();
    Map<String, String> environment = Map.of("HOME", work.toString());
    for (Path file : List.of(adminKubeconfig, carol)) {
      for (List<String> command :
          List.of(
              List.of("view"),
              List.of("view", "--raw", "--minify"),
              List.of("get-contexts"),
              List.of("current-context"))) {
        List<String> args = new ArrayList<>(command);
        args.add("--kubeconfig=" + file);
        Result skiff = skiff(environment, args.toArray(String[]::new));
        List<String> kubectlArgs = new ArrayList<>(List.of("config"));
        kubectlArgs.addAll(args);
        Result kubectl = kubectl(environment, kubectlArgs.toArray(String[]::new));
        assertThat(skiff).as(String.join(" ", args)).isEqualTo(kubectl);
      }
    }
    Result renamed =
        skiff(environment, "rename-context", "skiff", "carol@skiff", "--kubeconfig=" + carol);
    assertThat(renamed.out()).isEqualTo("Context \"skiff\" renamed to \"carol@skiff\".\n");
    Result whoami =
        kubectl(
            environment,
            "--kubeconfig=" + carol,
            "auth",
            "whoami",
            "-o",
            "jsonpath={.status.userInfo.username}");
    assertThat(whoami.out()).as(whoami.err()).isEqualTo("carol");
  }

  private static byte[] decode(JsonNode base64) {
    return Base64.getDecoder().decode(base64.asString());
  }

  private static Result skiff(Map<String, String> environment, String... args) {
    List<String> command = new ArrayList<>(List.of("config"));
    command.addAll(List.of(args));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        Main.run(
            new PrintWriter(out),
            new PrintWriter(err),
            environment,
            command.toArray(String[]::new));
    return new Result(exit, out.toString(), err.toString());
  }

  private static Result kubectl(Map<String, String> environment, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("kubectl"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().remove("KUBECONFIG");
    builder.environment().putAll(environment);
    Path err = Files.createTempFile(work, "kubectl", ".err");
    Process process = builder.redirectError(err.toFile()).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), out, Files.readString(err));
  }
}
