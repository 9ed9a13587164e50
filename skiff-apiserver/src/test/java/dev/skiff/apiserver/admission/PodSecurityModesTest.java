package dev.skiff.apiserver.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.api.Json;
import dev.skiff.apiserver.ControlPlane;
import dev.skiff.apiserver.ControlPlaneOptions;
import dev.skiff.apiserver.audit.AuditLogOptions;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Pod Security warn and audit modes, and the warning when a namespace gets an enforce level its
 * pods violate; the real kubectl shows the Warning headers.
 */
class PodSecurityModesTest {
  private static final String RESTRICTED_CHECKS =
      "allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true,"
          + " seccompProfile";

  @TempDir static Path dataDir;
  private static ControlPlane server;
  private static KubernetesClient admin;
  private static Path kubeconfig;
  private static Path auditFile;

  record Result(int exit, String out, String err) {}

  @BeforeAll
  static void start() throws Exception {
    kubeconfig = dataDir.resolve("admin.kubeconfig");
    auditFile = dataDir.resolve("audit.log");
    server =
        ControlPlane.start(
            new ControlPlaneOptions(
                    dataDir, "127.0.0.1", 0, "memory://", null, null, null, List.of(), kubeconfig)
                .withDisabledAdmissionPlugins("ServiceAccount")
                .withAuditLog(new AuditLogOptions(auditFile, 0, 0)));
    admin =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig)))
            .build();
    namespace("warned", Map.of("pod-security.kubernetes.io/warn", "restricted"));
    namespace(
        "layered",
        Map.of(
            "pod-security.kubernetes.io/enforce", "baseline",
            "pod-security.kubernetes.io/warn", "restricted",
            "pod-security.kubernetes.io/warn-version", "v1.32"));
    namespace("audited", Map.of("pod-security.kubernetes.io/audit", "baseline"));
    namespace("busy", Map.of());
  }

  @AfterAll
  static void stop() {
    if (admin != null) {
      admin.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private static void namespace(String name, Map<String, String> labels) {
    admin
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .endMetadata()
                .build())
        .create();
  }

  private static Pod pod(String name, boolean hostNetwork) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withHostNetwork(hostNetwork)
        .addNewContainer()
        .withName("c")
        .withImage("busybox")
        .endContainer()
        .endSpec()
        .build();
  }

  private static Result kubectl(String... args) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(dataDir, "kubectl", ".out");
    Path err = Files.createTempFile(dataDir, "kubectl", ".err");
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(
        process.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void warnModeAdmitsThePodWithKubernetesWarning() throws Exception {
    Result run = kubectl("run", "loose", "--image=busybox", "-n", "warned");

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.err())
        .contains(
            "Warning: would violate PodSecurity \"restricted:latest\": allowPrivilegeEscalation !="
                + " false (container \"loose\" must set"
                + " securityContext.allowPrivilegeEscalation=false), unrestricted capabilities"
                + " (container \"loose\" must set securityContext.capabilities.drop=[\"ALL\"]),"
                + " runAsNonRoot != true (pod or container \"loose\" must set"
                + " securityContext.runAsNonRoot=true), seccompProfile (pod or container \"loose\""
                + " must set securityContext.seccompProfile.type to \"RuntimeDefault\" or"
                + " \"Localhost\")");
    assertThat(admin.pods().inNamespace("warned").withName("loose").get()).isNotNull();
  }

  @Test
  void workloadTemplatesAreWarnedAbout() throws Exception {
    Result deployment = kubectl("create", "deployment", "web", "--image=busybox", "-n", "warned");

    assertThat(deployment.exit()).as(deployment.err()).isZero();
    assertThat(deployment.err())
        .contains(
            "Warning: would violate PodSecurity \"restricted:latest\": allowPrivilegeEscalation");

    Result scaled = kubectl("scale", "deployment", "web", "--replicas=3", "-n", "warned");
    assertThat(scaled.exit()).as(scaled.err()).isZero();
    assertThat(scaled.err()).doesNotContain("Warning");
    Result labelled = kubectl("label", "deployment", "web", "tier=front", "-n", "warned");
    assertThat(labelled.exit()).as(labelled.err()).isZero();
    assertThat(labelled.err()).doesNotContain("Warning");
    Result image =
        kubectl("set", "image", "deployment/web", "busybox=busybox:1.36", "-n", "warned");
    assertThat(image.exit()).as(image.err()).isZero();
    assertThat(image.err()).contains("Warning: would violate PodSecurity \"restricted:latest\"");
  }

  @Test
  void enforceRefusesWhileWarnNamesTheStricterLevel() throws Exception {
    Result refused =
        kubectl(
            "run",
            "refused",
            "--image=busybox",
            "-n",
            "layered",
            "--overrides",
            "{\"spec\":{\"hostNetwork\":true}}");
    assertThat(refused.exit()).isNotZero();
    assertThat(refused.err())
        .contains("violates PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true)");

    Result plain = kubectl("run", "plain", "--image=busybox", "-n", "layered");
    assertThat(plain.exit()).as(plain.err()).isZero();
    assertThat(plain.err())
        .contains(
            "Warning: would violate PodSecurity \"restricted:v1.32\": allowPrivilegeEscalation");
  }

  @Test
  void auditModeAnnotatesTheAuditEvent() {
    admin.pods().inNamespace("audited").resource(pod("hostnet", true)).create();

    JsonNode event =
        awaitEvent(
            e ->
                e.path("verb").asString().equals("create")
                    && e.at("/objectRef/namespace").asString().equals("audited")
                    && e.at("/objectRef/resource").asString().equals("pods"));
    assertThat(event.at("/responseStatus/code").asInt()).isEqualTo(201);
    assertThat(event.at("/annotations/pod-security.kubernetes.io~1audit-violations").asString())
        .isEqualTo(
            "would violate PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true)");
    assertThat(event.at("/annotations/pod-security.kubernetes.io~1enforce-policy").asString())
        .isEqualTo("privileged:latest");
  }

  @Test
  void labellingANamespaceWarnsAboutPodsTheNewEnforceLevelWouldRefuse() throws Exception {
    admin.pods().inNamespace("busy").resource(pod("loose-a", false)).create();
    admin.pods().inNamespace("busy").resource(pod("loose-b", false)).create();
    admin.pods().inNamespace("busy").resource(pod("hostnet", true)).create();

    Result label =
        kubectl(
            "label",
            "--dry-run=server",
            "--overwrite",
            "ns",
            "busy",
            "pod-security.kubernetes.io/enforce=restricted");

    assertThat(label.exit()).as(label.err()).isZero();
    assertThat(label.err())
        .contains(
            "Warning: existing pods in namespace \"busy\" violate the new PodSecurity enforce"
                + " level \"restricted:latest\"")
        .contains("Warning: hostnet: host namespaces, " + RESTRICTED_CHECKS)
        .contains("Warning: loose-a (and 1 other pod): " + RESTRICTED_CHECKS);
    assertThat(admin.namespaces().withName("busy").get().getMetadata().getLabels())
        .doesNotContainKey("pod-security.kubernetes.io/enforce");

    Result privileged =
        kubectl(
            "label",
            "--dry-run=server",
            "--overwrite",
            "ns",
            "busy",
            "pod-security.kubernetes.io/enforce=privileged");
    assertThat(privileged.err()).doesNotContain("Warning");
  }

  private static List<JsonNode> events() throws IOException {
    List<JsonNode> events = new ArrayList<>();
    if (Files.exists(auditFile)) {
      for (String line : Files.readAllLines(auditFile)) {
        if (!line.isBlank()) {
          events.add(Json.MAPPER.readTree(line));
        }
      }
    }
    return events;
  }

  private static JsonNode awaitEvent(java.util.function.Predicate<JsonNode> wanted) {
    JsonNode[] found = new JsonNode[1];
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              Optional<JsonNode> event = events().stream().filter(wanted).findFirst();
              event.ifPresent(e -> found[0] = e);
              return event.isPresent();
            });
    return found[0];
  }
}
