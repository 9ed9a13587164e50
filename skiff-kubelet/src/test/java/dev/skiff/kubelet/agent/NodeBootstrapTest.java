package dev.skiff.kubelet.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.skiff.testing.SkiffCluster;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A node joins a real API server with its token and then acts as system:node:NAME. */
class NodeBootstrapTest {
  @RegisterExtension static final SkiffCluster cluster = SkiffCluster.memory();

  private static String token() {
    return cluster.controlPlane().nodeToken().toString();
  }

  @Test
  void joinsWithTheTokenAndActsAsTheNode(@TempDir Path agentDir) throws Exception {
    Path kubeconfig =
        await()
            .atMost(Duration.ofSeconds(30))
            .ignoreException(IllegalStateException.class)
            .until(
                () ->
                    NodeBootstrap.ensureKubeconfig(
                        cluster.url(), token(), "worker-a", agentDir, Duration.ofSeconds(10)),
                path -> true);

    assertThat(kubeconfig).isEqualTo(agentDir.resolve(NodeBootstrap.KUBECONFIG));
    assertThat(Files.getPosixFilePermissions(kubeconfig).toString())
        .isEqualTo("[OWNER_READ, OWNER_WRITE]");
    try (KubernetesClient node =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig)))
            .build()) {
      node.nodes()
          .resource(new NodeBuilder().withNewMetadata().withName("worker-a").endMetadata().build())
          .create();
      assertThat(node.nodes().withName("worker-a").get()).isNotNull();
      // the node authorizer keeps it to its own Node
      assertThatThrownBy(
              () ->
                  node.nodes()
                      .resource(
                          new NodeBuilder()
                              .withNewMetadata()
                              .withName("worker-b")
                              .endMetadata()
                              .build())
                      .create())
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
    }

    // a second start reuses the certificate instead of asking again
    long requests =
        cluster.client().certificates().v1().certificateSigningRequests().list().getItems().size();
    NodeBootstrap.ensureKubeconfig(
        cluster.url(), token(), "worker-a", agentDir, Duration.ofSeconds(10));
    assertThat(
            cluster
                .client()
                .certificates()
                .v1()
                .certificateSigningRequests()
                .list()
                .getItems()
                .size())
        .isEqualTo(requests);
  }

  @Test
  void aTokenPinnedToAnotherCaIsRefused(@TempDir Path agentDir) {
    String bearer = token().substring(token().indexOf("::") + 2);
    String forged = "K10" + "0".repeat(64) + "::" + bearer;
    assertThatThrownBy(
            () ->
                NodeBootstrap.ensureKubeconfig(
                    cluster.url(), forged, "worker-c", agentDir, Duration.ofSeconds(5)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("does not match the join token");
    assertThat(agentDir.resolve(NodeBootstrap.KUBECONFIG)).doesNotExist();
  }

  @Test
  void aMalformedTokenSaysWhatATokenLooksLike(@TempDir Path agentDir) {
    assertThatThrownBy(
            () ->
                NodeBootstrap.ensureKubeconfig(
                    cluster.url(), "hunter2", "worker-d", agentDir, Duration.ofSeconds(5)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("K10<ca-sha256>::abcdef.0123456789abcdef");
  }
}
