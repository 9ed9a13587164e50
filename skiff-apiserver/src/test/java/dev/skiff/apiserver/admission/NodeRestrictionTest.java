package dev.skiff.apiserver.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.apiserver.ControlPlane;
import dev.skiff.apiserver.ControlPlaneOptions;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NodeRestriction through the registry's admission hook, with a kubelet's client certificate. */
class NodeRestrictionTest {
  @TempDir static Path dataDir;

  private static ControlPlane controlPlane;
  private static KubernetesClient admin;
  private static KubernetesClient kubelet;

  @BeforeAll
  static void start() {
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
                .withDisabledAdmissionPlugins("ServiceAccount"));
    admin = client("admin", "system:masters");
    kubelet = client("system:node:node-a", "system:nodes");
    for (String node : List.of("node-a", "node-b")) {
      admin
          .nodes()
          .resource(new NodeBuilder().withNewMetadata().withName(node).endMetadata().build())
          .create();
      admin.pods().inNamespace("default").resource(pod("on-" + node, node, false)).create();
    }
    assertThat(controlPlane.security().awaitCurrent(Duration.ofSeconds(10))).isTrue();
  }

  @AfterAll
  static void stop() {
    if (kubelet != null) {
      kubelet.close();
    }
    if (admin != null) {
      admin.close();
    }
    if (controlPlane != null) {
      controlPlane.close();
    }
  }

  static KubernetesClient client(String user, String... groups) {
    return new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(controlPlane.componentKubeconfig(user, List.of(groups))))
        .build();
  }

  static Pod pod(String name, String node, boolean mirror) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withAnnotations(mirror ? Map.of(NodeRestriction.MIRROR_ANNOTATION, "hash") : Map.of())
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .addNewContainer()
        .withName("c")
        .withImage("busybox")
        .endContainer()
        .endSpec()
        .build();
  }

  private static String forbidden(Runnable call) {
    try {
      call.run();
    } catch (KubernetesClientException e) {
      assertThat(e.getCode()).isEqualTo(403);
      return e.getStatus().getMessage();
    }
    throw new AssertionError("expected 403 Forbidden");
  }

  @Test
  void kubeletCreatesOnlyMirrorPodsOfItsNode() {
    assertThat(
            forbidden(
                () ->
                    kubelet
                        .pods()
                        .inNamespace("default")
                        .resource(pod("plain", "node-a", false))
                        .create()))
        .isEqualTo(
            "pods \"plain\" is forbidden: pod does not have \"kubernetes.io/config.mirror\""
                + " annotation, node \"node-a\" can only create mirror pods");
    assertThat(
            forbidden(
                () ->
                    kubelet
                        .pods()
                        .inNamespace("default")
                        .resource(pod("elsewhere", "node-b", true))
                        .create()))
        .isEqualTo(
            "pods \"elsewhere\" is forbidden: node \"node-a\" can only create pods with"
                + " spec.nodeName set to itself");
    assertThat(
            kubelet.pods().inNamespace("default").resource(pod("mirror", "node-a", true)).create())
        .isNotNull();
    assertThat(admin.pods().inNamespace("default").withName("plain").get()).isNull();
  }

  @Test
  void kubeletUpdatesStatusAndDeletesOnlyPodsOfItsNode() {
    Pod own = kubelet.pods().inNamespace("default").withName("on-node-a").get();
    own.setStatus(
        new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running").build());
    assertThat(
            kubelet
                .pods()
                .inNamespace("default")
                .resource(own)
                .updateStatus()
                .getStatus()
                .getPhase())
        .isEqualTo("Running");
    Pod other = kubelet.pods().inNamespace("default").withName("on-node-b").get();
    other.setStatus(
        new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running").build());
    assertThat(
            forbidden(() -> kubelet.pods().inNamespace("default").resource(other).updateStatus()))
        .isEqualTo(
            "pods \"on-node-b\" is forbidden: node \"node-a\" can only update pod status for pods"
                + " with spec.nodeName set to itself");
    assertThat(
            forbidden(() -> kubelet.pods().inNamespace("default").withName("on-node-b").delete()))
        .isEqualTo(
            "pods \"on-node-b\" is forbidden: node \"node-a\" can only delete pods with"
                + " spec.nodeName set to itself");
    assertThat(admin.pods().inNamespace("default").withName("on-node-b").get()).isNotNull();
  }

  @Test
  void kubeletChangesOnlyItsOwnNode() {
    assertThat(
            kubelet
                .nodes()
                .withName("node-a")
                .edit(
                    n -> {
                      n.getMetadata().setLabels(Map.of("zone", "a"));
                      return n;
                    })
                .getMetadata()
                .getLabels())
        .containsEntry("zone", "a");
    assertThat(
            forbidden(
                () ->
                    kubelet
                        .nodes()
                        .withName("node-b")
                        .edit(
                            n -> {
                              n.getMetadata().setLabels(Map.of("zone", "b"));
                              return n;
                            })))
        .isEqualTo(
            "nodes \"node-b\" is forbidden: node \"node-a\" is not allowed to modify node"
                + " \"node-b\"");
  }
}
