package dev.skiff.apiserver.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.api.Json;
import dev.skiff.apiserver.ControlPlane;
import dev.skiff.apiserver.ControlPlaneOptions;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** Requests through the in-process server produce audit.k8s.io/v1 events in --audit-log-path. */
class AuditLogApiTest {
  @TempDir static Path dataDir;
  private static ControlPlane server;
  private static KubernetesClient admin;
  private static Path auditFile;

  @BeforeAll
  static void start() throws Exception {
    auditFile = dataDir.resolve("logs/audit.log");
    server =
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
                    dataDir.resolve("admin.kubeconfig"))
                .withDisabledAdmissionPlugins("ServiceAccount")
                .withAuditLog(new AuditLogOptions(auditFile, 100, 3)));
    admin = client(Config.fromKubeconfig(Files.readString(dataDir.resolve("admin.kubeconfig"))));
  }

  private static KubernetesClient client(Config config) {
    return new KubernetesClientBuilder().withConfig(config).build();
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

  private static List<JsonNode> events() throws Exception {
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

  private static JsonNode awaitEvent(Predicate<JsonNode> wanted) {
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

  @Test
  void createIsRecordedWithUserObjectAndCode() {
    admin
        .configMaps()
        .inNamespace("default")
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("audited")
                .endMetadata()
                .addToData("k", "secret-looking-value")
                .build())
        .create();

    JsonNode event =
        awaitEvent(
            e ->
                e.path("verb").asString().equals("create")
                    && e.at("/objectRef/resource").asString().equals("configmaps"));
    assertThat(event.path("kind").asString()).isEqualTo("Event");
    assertThat(event.path("apiVersion").asString()).isEqualTo("audit.k8s.io/v1");
    assertThat(event.path("level").asString()).isEqualTo("Metadata");
    assertThat(event.path("stage").asString()).isEqualTo("ResponseComplete");
    assertThat(event.path("auditID").asString()).hasSize(36);
    assertThat(event.path("requestURI").asString())
        .startsWith("/api/v1/namespaces/default/configmaps");
    assertThat(event.at("/objectRef/namespace").asString()).isEqualTo("default");
    assertThat(event.at("/objectRef/name").asString()).isEqualTo("audited");
    assertThat(event.at("/objectRef/apiVersion").asString()).isEqualTo("v1");
    assertThat(event.at("/responseStatus/code").asInt()).isEqualTo(201);
    assertThat(event.at("/user/username").asString()).isNotEmpty();
    assertThat(event.path("user").path("groups").toString()).contains("system:masters");
    assertThat(event.path("sourceIPs").toString()).contains("127.0.0.1");
    assertThat(event.path("userAgent").asString()).isNotEmpty();
    assertThat(event.at("/annotations/authorization.k8s.io~1decision").asString())
        .isEqualTo("allow");
    assertThat(event.path("requestReceivedTimestamp").asString()).endsWith("Z");
    assertThat(event.path("stageTimestamp").asString()).endsWith("Z");
    assertThat(event.toString()).doesNotContain("secret-looking-value");
  }

  @Test
  void getOfAMissingObjectAndListAreRecordedWithTheirVerbsAndCodes() {
    assertThat(admin.configMaps().inNamespace("kube-system").withName("nothing-here").get())
        .isNull();
    admin.namespaces().list();

    JsonNode get =
        awaitEvent(e -> e.path("requestURI").asString().endsWith("/configmaps/nothing-here"));
    assertThat(get.path("verb").asString()).isEqualTo("get");
    assertThat(get.at("/objectRef/name").asString()).isEqualTo("nothing-here");
    assertThat(get.at("/responseStatus/code").asInt()).isEqualTo(404);
    JsonNode list =
        awaitEvent(
            e ->
                e.path("verb").asString().equals("list")
                    && e.at("/objectRef/resource").asString().equals("namespaces"));
    assertThat(list.at("/responseStatus/code").asInt()).isEqualTo(200);
    assertThat(list.path("objectRef").has("namespace")).isFalse();
  }

  @Test
  void refusedImpersonationRecordsTheCaller() throws Exception {
    Path viewerConfig = dataDir.resolve("viewer.kubeconfig");
    Files.writeString(viewerConfig, server.componentKubeconfig("viewer", List.of("team")));
    Config config = Config.fromKubeconfig(Files.readString(viewerConfig));
    config.setImpersonateUsername("someone-else");
    try (KubernetesClient viewer = client(config)) {
      try {
        viewer.configMaps().inNamespace("default").withName("by-proxy").get();
      } catch (KubernetesClientException e) {
        assertThat(e.getCode()).isEqualTo(403);
      }
    }

    JsonNode event = awaitEvent(e -> e.path("requestURI").asString().endsWith("/by-proxy"));
    assertThat(event.at("/user/username").asString()).isEqualTo("viewer");
    assertThat(event.has("impersonatedUser")).isFalse();
    assertThat(event.at("/responseStatus/code").asInt()).isEqualTo(403);
  }

  @Test
  void impersonationRecordsTheCallerAndTheImpersonatedUser() throws Exception {
    Config config = Config.fromKubeconfig(Files.readString(dataDir.resolve("admin.kubeconfig")));
    config.setImpersonateUsername("jane");
    config.setImpersonateGroups("qa");
    try (KubernetesClient jane = client(config)) {
      try {
        jane.secrets().inNamespace("default").withName("forbidden-one").get();
      } catch (KubernetesClientException e) {
        assertThat(e.getCode()).isEqualTo(403);
      }
    }

    JsonNode event =
        awaitEvent(e -> e.path("requestURI").asString().endsWith("/secrets/forbidden-one"));
    assertThat(event.at("/impersonatedUser/username").asString()).isEqualTo("jane");
    assertThat(event.path("impersonatedUser").path("groups").toString()).contains("qa");
    assertThat(event.path("user").path("groups").toString()).contains("system:masters");
    assertThat(event.at("/responseStatus/code").asInt()).isEqualTo(403);
    assertThat(event.at("/annotations/authorization.k8s.io~1decision").asString())
        .isEqualTo("forbid");
  }
}
