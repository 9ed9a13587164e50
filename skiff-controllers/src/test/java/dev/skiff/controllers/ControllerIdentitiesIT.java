package dev.skiff.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.api.Json;
import dev.skiff.apiserver.ControlPlane;
import dev.skiff.apiserver.ControlPlaneOptions;
import dev.skiff.apiserver.audit.AuditLogOptions;
import dev.skiff.controllers.runtime.ServiceAccountCredentials;
import dev.skiff.controllers.runtime.ServiceAccountTokenSource;
import dev.skiff.kubelet.sim.SimNodeOptions;
import dev.skiff.kubelet.sim.SimulatedNodes;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Every controller acting as its own ServiceAccount (--use-service-account-credentials) against a
 * real API server with RBAC and an audit log, simulated nodes running the pods. The manager's own
 * identity is system:kube-controller-manager with Kubernetes' narrow role, so the controllers'
 * writes can only succeed with their own tokens; the audit log shows who made each request.
 */
class ControllerIdentitiesIT {
  @TempDir static Path dataDir;
  private static final String NS = "identities";
  private static final String SA_PREFIX = "system:serviceaccount:kube-system:";

  private static ControlPlane controlPlane;
  private static KubernetesClient admin;
  private static KubernetesClient managerClient;
  private static SimulatedNodes nodes;
  private static ControllerManager manager;

  @BeforeAll
  static void start() throws InterruptedException {
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
                    dataDir.resolve("admin.kubeconfig"))
                .withDisabledAdmissionPlugins("ServiceAccount")
                .withAuditLog(new AuditLogOptions(dataDir.resolve("audit.log"), 100, 1)));
    admin = client("system:admin", "system:masters");
    managerClient = client("system:kube-controller-manager");
    nodes =
        SimulatedNodes.start(
            client("system:admin", "system:masters"),
            SimNodeOptions.of(1),
            InetAddress.getLoopbackAddress());
    assertThat(nodes.awaitRegistered(Duration.ofSeconds(30))).isTrue();
    manager =
        new ControllerManager(
            managerClient,
            new ServiceAccountCredentials(managerClient, InstantSource.system()),
            ControllerManagerOptions.defaults()
                .withLeaderElect(true, "identities-test")
                .withRootCaPem(controlPlane.pki().caCertificatePem()),
            Clock.systemUTC());
    manager.start();
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
  }

  @AfterAll
  static void stop() {
    if (manager != null) {
      manager.close();
    }
    if (nodes != null) {
      nodes.close();
    }
    if (controlPlane != null) {
      controlPlane.close();
    }
  }

  private static KubernetesClient client(String user, String... groups) {
    Config config = Config.fromKubeconfig(controlPlane.componentKubeconfig(user, List.of(groups)));
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  private static Deployment deployment() {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName("web")
        .endMetadata()
        .withNewSpec()
        .withReplicas(3)
        .withNewSelector()
        .withMatchLabels(Map.of("app", "web"))
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(Map.of("app", "web"))
        .endMetadata()
        .withNewSpec()
        .withNodeName("sim-0")
        .addNewContainer()
        .withName("web")
        .withImage("busybox")
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static List<JsonNode> audit() throws IOException {
    List<JsonNode> events = new ArrayList<>();
    for (String line : Files.readAllLines(dataDir.resolve("audit.log"))) {
      if (!line.isBlank()) {
        events.add(Json.MAPPER.readTree(line));
      }
    }
    return events;
  }

  private static List<JsonNode> requests(String verb, String resource, String namespace)
      throws IOException {
    return audit().stream()
        .filter(e -> e.path("verb").asString().equals(verb))
        .filter(e -> e.path("objectRef").path("resource").asString().equals(resource))
        .filter(e -> e.path("objectRef").path("subresource").isMissingNode())
        .filter(e -> e.path("objectRef").path("namespace").asString().equals(namespace))
        .toList();
  }

  @Test
  void aDeploymentConvergesWithEachControllerActingAsItsServiceAccount() throws IOException {
    admin.apps().deployments().inNamespace(NS).resource(deployment()).create();
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              Deployment d = admin.apps().deployments().inNamespace(NS).withName("web").get();
              assertThat(d.getStatus().getAvailableReplicas()).isEqualTo(3);
              assertThat(d.getStatus().getUpdatedReplicas()).isEqualTo(3);
            });

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              List<JsonNode> replicaSetCreates = requests("create", "replicasets", NS);
              assertThat(replicaSetCreates)
                  .isNotEmpty()
                  .allSatisfy(
                      e -> {
                        assertThat(e.path("user").path("username").asString())
                            .isEqualTo(SA_PREFIX + "deployment-controller");
                        assertThat(e.path("userAgent").asString())
                            .isEqualTo("kube-controller-manager/skiff/deployment-controller");
                      });
              List<JsonNode> podCreates = requests("create", "pods", NS);
              assertThat(podCreates)
                  .hasSize(3)
                  .allSatisfy(
                      e -> {
                        assertThat(e.path("user").path("username").asString())
                            .isEqualTo(SA_PREFIX + "replicaset-controller");
                        assertThat(e.path("responseStatus").path("code").asInt()).isEqualTo(201);
                      });
              assertThat(requests("create", "events", NS))
                  .extracting(e -> e.path("user").path("username").asString())
                  .contains(
                      SA_PREFIX + "deployment-controller", SA_PREFIX + "replicaset-controller");
            });

    // managedFields name the controller manager as on Kubernetes (the user agent's program)
    ReplicaSet set = admin.apps().replicaSets().inNamespace(NS).list().getItems().get(0);
    assertThat(set.getMetadata().getManagedFields())
        .extracting(ManagedFieldsEntry::getManager)
        .contains("kube-controller-manager");

    // nothing any controller did was refused, and the manager wrote only what its role allows
    assertThat(audit())
        .filteredOn(e -> e.path("user").path("username").asString().startsWith(SA_PREFIX))
        .filteredOn(e -> e.path("responseStatus").path("code").asInt() == 403)
        .isEmpty();
    assertThat(audit())
        .filteredOn(
            e ->
                e.path("user").path("username").asString().equals("system:kube-controller-manager"))
        .extracting(e -> e.path("responseStatus").path("code").asInt())
        .doesNotContain(403);
    assertThat(
            admin
                .serviceAccounts()
                .inNamespace("kube-system")
                .withName("deployment-controller")
                .get())
        .isNotNull();
  }

  @Test
  void theTokenIsRequestedAgainAfterFourFifthsOfItsLifetime() {
    AtomicReference<Instant> now = new AtomicReference<>(Instant.now());
    ServiceAccountTokenSource source =
        new ServiceAccountTokenSource(managerClient, "identity-test-controller", now::get);
    assertThat(
            admin
                .serviceAccounts()
                .inNamespace("kube-system")
                .withName("identity-test-controller")
                .get())
        .isNull();

    String first = source.getToken();
    assertThat(first).isNotBlank();
    // the missing ServiceAccount was made for it
    assertThat(
            admin
                .serviceAccounts()
                .inNamespace("kube-system")
                .withName("identity-test-controller")
                .get())
        .isNotNull();
    Instant firstRefresh = source.refreshAt();
    assertThat(Duration.between(now.get(), firstRefresh))
        .isEqualTo(Duration.ofSeconds(ServiceAccountTokenSource.EXPIRATION_SECONDS * 8 / 10));

    now.set(firstRefresh.minusSeconds(1));
    assertThat(source.getToken()).isSameAs(first);
    assertThat(source.refreshAt()).isEqualTo(firstRefresh);

    now.set(firstRefresh);
    String second = source.getToken();
    assertThat(source.refreshAt()).isAfter(firstRefresh);
    // both are tokens of the ServiceAccount the API server accepts
    for (String token : List.of(first, second)) {
      TokenReview review =
          admin
              .authentication()
              .v1()
              .tokenReviews()
              .create(new TokenReviewBuilder().withNewSpec().withToken(token).endSpec().build());
      assertThat(review.getStatus().getAuthenticated()).isTrue();
      assertThat(review.getStatus().getUser().getUsername())
          .isEqualTo(SA_PREFIX + "identity-test-controller");
    }
  }
}
