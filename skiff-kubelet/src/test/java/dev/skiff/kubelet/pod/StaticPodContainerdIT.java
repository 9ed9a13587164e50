package dev.skiff.kubelet.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.client.events.EventRecorder;
import dev.skiff.kubelet.Kubelet;
import dev.skiff.kubelet.KubeletOptions;
import dev.skiff.kubelet.cri.CriClient;
import dev.skiff.kubelet.cri.CriLabels;
import dev.skiff.kubelet.cri.v1.ListContainersRequest;
import dev.skiff.kubelet.image.BusyboxImage;
import dev.skiff.kubelet.image.ImageImporter;
import dev.skiff.kubelet.network.HostCommands;
import dev.skiff.kubelet.network.TestNamespaces;
import dev.skiff.kubelet.runtime.ContainerdOptions;
import dev.skiff.kubelet.runtime.ContainerdSupervisor;
import dev.skiff.testing.SkiffCluster;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Static pods end to end on one node: the assembled {@link Kubelet} against the in-process API
 * server and a real containerd in a network namespace, running a pod from a manifest file with its
 * mirror pod in the API (made again when deleted, replaced when the manifest changes, deleted with
 * the manifest).
 */
class StaticPodContainerdIT {
  @RegisterExtension static final SkiffCluster cluster = SkiffCluster.memory();

  private static final String NODE = "static-it";
  private static final String MIRROR = "web-" + NODE;

  private final TestNamespaces namespaces = new TestNamespaces();
  private Path dataDir;
  private Path manifests;
  private ContainerdSupervisor containerd;
  private CriClient cri;
  private Kubelet kubelet;
  private KubernetesClient client;

  @BeforeEach
  void start() throws Exception {
    client = cluster.client();
    client
        .nodes()
        .resource(new NodeBuilder().withNewMetadata().withName(NODE).endMetadata().build())
        .create();
    dataDir = Files.createTempDirectory("skiff-static-");
    manifests = Files.createDirectories(dataDir.resolve("agent/pod-manifests"));
    HostCommands netns = namespaces.create("static");
    ContainerdOptions options = ContainerdOptions.defaults(dataDir).withNetns(netns.netns());
    containerd = new ContainerdSupervisor(options).start();
    String socket = options.socket().toString();
    ImageImporter images = new ImageImporter();
    images.ensurePauseImage(socket);
    images.importArchive(BusyboxImage.write(dataDir.resolve("busybox.tar")).file(), socket);
    cri = CriClient.connect(containerd.endpoint());
    ProbeRelay relay = new ProbeRelay();
    kubelet =
        new Kubelet(
            cluster.newClient(),
            NODE,
            cri,
            new PodSyncContainerdIT.HostNetworkConfig(dataDir),
            new PodTestFakes.FakeProbes(),
            new PodTestFakes.FakeHooks(),
            EventRecorder.NONE,
            new Fabric8PodApi(client),
            KubeletOptions.defaults(List.of("10.0.0.1"), relay).withPodManifestPath(manifests));
    kubelet.start();
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (kubelet != null) {
        kubelet.close();
      }
      if (cri != null) {
        cri.close();
      }
    } finally {
      try {
        if (containerd != null) {
          containerd.close();
        }
      } finally {
        namespaces.close();
        new ProcessBuilder("rm", "-rf", dataDir.toString()).start().waitFor();
      }
    }
  }

  private void writeManifest(String script) throws Exception {
    Path tmp = manifests.resolve(".web.yaml.tmp");
    Files.writeString(
        tmp,
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
          labels: {tier: static}
        spec:
          hostNetwork: true
          terminationGracePeriodSeconds: 2
          containers:
          - name: app
            image: %s
            imagePullPolicy: Never
            command: ["sh", "-c", "%s"]
        """
            .formatted(BusyboxImage.REFERENCE, script));
    Files.move(
        tmp, manifests.resolve("web.yaml"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  private Pod mirror() {
    return client.pods().inNamespace("default").withName(MIRROR).get();
  }

  /** The running container's id in the mirror pod's status, or null. */
  private String runningContainer(Pod mirror) {
    if (mirror == null
        || mirror.getStatus() == null
        || !"Running".equals(mirror.getStatus().getPhase())
        || mirror.getStatus().getContainerStatuses() == null
        || mirror.getStatus().getContainerStatuses().isEmpty()) {
      return null;
    }
    ContainerStatus app = mirror.getStatus().getContainerStatuses().getFirst();
    return app.getState().getRunning() == null ? null : app.getContainerID();
  }

  private List<String> runtimeContainers() {
    return cri
        .runtime()
        .listContainers(ListContainersRequest.getDefaultInstance())
        .getContainersList()
        .stream()
        .filter(c -> c.getState() == dev.skiff.kubelet.cri.v1.ContainerState.CONTAINER_RUNNING)
        .map(c -> c.getLabelsOrDefault(CriLabels.POD_UID, ""))
        .toList();
  }

  @Test
  void staticPodRunsWithAMirrorPodThatFollowsItsManifest() throws Exception {
    writeManifest("sleep 3600");

    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> runningContainer(mirror()) != null);
    Pod mirror = mirror();
    String staticUid = mirror.getMetadata().getAnnotations().get("kubernetes.io/config.hash");
    assertThat(mirror.getMetadata().getAnnotations())
        .containsEntry("kubernetes.io/config.source", "file")
        .containsEntry("kubernetes.io/config.mirror", staticUid)
        .containsKey("kubernetes.io/config.seen");
    assertThat(mirror.getMetadata().getUid()).isNotEqualTo(staticUid);
    assertThat(mirror.getMetadata().getLabels()).containsEntry("tier", "static");
    assertThat(mirror.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getKind()).isEqualTo("Node");
              assertThat(o.getName()).isEqualTo(NODE);
              assertThat(o.getUid())
                  .isEqualTo(client.nodes().withName(NODE).get().getMetadata().getUid());
            });
    assertThat(mirror.getSpec().getNodeName()).isEqualTo(NODE);
    assertThat(runtimeContainers()).containsExactly(staticUid);
    assertThat(kubelet.pods()).extracting(p -> p.getMetadata().getUid()).containsExactly(staticUid);
    String container = runningContainer(mirror);

    // deleting the mirror pod does not stop the static pod: the mirror is made again
    client.pods().inNamespace("default").withName(MIRROR).delete();
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              Pod again = mirror();
              return again != null
                  && !again.getMetadata().getUid().equals(mirror.getMetadata().getUid())
                  && container.equals(runningContainer(again));
            });

    // a changed manifest is a new pod: the old one stops, a new one and its mirror replace it
    writeManifest("sleep 3601");
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              Pod replaced = mirror();
              String running = runningContainer(replaced);
              return running != null
                  && !running.equals(container)
                  && !staticUid.equals(
                      replaced.getMetadata().getAnnotations().get("kubernetes.io/config.mirror"));
            });
    String newUid = mirror().getMetadata().getAnnotations().get("kubernetes.io/config.hash");
    await().atMost(Duration.ofSeconds(20)).until(() -> runtimeContainers().equals(List.of(newUid)));

    // the manifest gone: the pod stops and its mirror is deleted
    Files.delete(manifests.resolve("web.yaml"));
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> mirror() == null && runtimeContainers().isEmpty());
  }
}
