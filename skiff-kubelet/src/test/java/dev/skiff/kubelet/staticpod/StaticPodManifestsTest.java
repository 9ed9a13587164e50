package dev.skiff.kubelet.staticpod;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaticPodManifestsTest {
  @TempDir Path dir;

  static final String WEB =
      """
      apiVersion: v1
      kind: Pod
      metadata:
        name: web
        labels: {app: web}
      spec:
        containers:
        - name: web
          image: busybox:1
      """;

  @Test
  void podGetsTheFileSourceDefaults() throws IOException {
    Files.writeString(dir.resolve("web.yaml"), WEB);

    List<Pod> pods = StaticPodManifests.read(dir, "Node-1");

    assertThat(pods).hasSize(1);
    Pod pod = pods.getFirst();
    assertThat(pod.getMetadata().getName()).isEqualTo("web-node-1");
    assertThat(pod.getMetadata().getNamespace()).isEqualTo("default");
    assertThat(pod.getMetadata().getUid()).matches("[0-9a-f]{32}");
    assertThat(pod.getMetadata().getAnnotations())
        .containsEntry("kubernetes.io/config.source", "file")
        .containsEntry("kubernetes.io/config.hash", pod.getMetadata().getUid());
    assertThat(pod.getMetadata().getLabels()).containsEntry("app", "web");
    assertThat(pod.getSpec().getNodeName()).isEqualTo("Node-1");
    assertThat(pod.getSpec().getTolerations())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.getOperator()).isEqualTo("Exists");
              assertThat(t.getEffect()).isEqualTo("NoExecute");
            });
    assertThat(pod.getStatus().getPhase()).isEqualTo("Pending");
    assertThat(StaticPodManifests.isStaticPod(pod)).isTrue();
    assertThat(StaticPodManifests.isMirrorPod(pod)).isFalse();
  }

  @Test
  void uidIsStableForTheSameManifestAndChangesWithItsContentNodeOrFile() throws IOException {
    Files.writeString(dir.resolve("web.yaml"), WEB);
    String uid = StaticPodManifests.read(dir, "n1").getFirst().getMetadata().getUid();

    assertThat(StaticPodManifests.read(dir, "n1").getFirst().getMetadata().getUid()).isEqualTo(uid);
    assertThat(StaticPodManifests.read(dir, "n2").getFirst().getMetadata().getUid())
        .isNotEqualTo(uid);

    Files.writeString(dir.resolve("web.yaml"), WEB.replace("busybox:1", "busybox:2"));
    assertThat(StaticPodManifests.read(dir, "n1").getFirst().getMetadata().getUid())
        .isNotEqualTo(uid);

    Files.move(dir.resolve("web.yaml"), dir.resolve("other.yaml"));
    Files.writeString(dir.resolve("other.yaml"), WEB);
    assertThat(StaticPodManifests.read(dir, "n1").getFirst().getMetadata().getUid())
        .isNotEqualTo(uid);
  }

  @Test
  void manyDocumentsJsonHiddenFilesAndInvalidDocuments() throws IOException {
    Files.writeString(
        dir.resolve("a.yaml"),
        WEB
            + "---\n"
            + WEB.replace("name: web\n  labels", "name: db\n  namespace: kube-system\n  labels")
            + "---\napiVersion: v1\nkind: Service\nmetadata: {name: svc}\n"
            + "---\napiVersion: v1\nkind: Pod\nmetadata: {name: empty}\nspec: {containers: []}\n");
    Files.writeString(
        dir.resolve("b.json"),
        """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"cache"},
         "spec":{"containers":[{"name":"c","image":"busybox:1"}]}}
        """);
    Files.writeString(dir.resolve("c.yaml"), WEB); // a duplicate name: skipped
    Files.writeString(dir.resolve(".hidden.yaml"), WEB.replace("name: web\n", "name: hid\n"));
    Files.writeString(dir.resolve("d.yaml"), "not: [valid");

    List<Pod> pods = StaticPodManifests.read(dir, "n1");

    assertThat(pods)
        .extracting(p -> p.getMetadata().getNamespace() + "/" + p.getMetadata().getName())
        .containsExactly("default/web-n1", "kube-system/db-n1", "default/cache-n1");
  }

  @Test
  void missingPathHasNoPods() {
    assertThat(StaticPodManifests.read(dir.resolve("absent"), "n1")).isEmpty();
  }
}
