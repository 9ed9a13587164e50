package dev.skiff.kubelet.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.testing.SkiffCluster;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pod's local-path volume on this machine: the kubelet makes its directory (DirectoryOrCreate)
 * and removes it once the volume is gone from the API server and no pod uses it.
 */
class LocalPathVolumesIT {
  @RegisterExtension static final SkiffCluster cluster = SkiffCluster.memory();

  @TempDir Path tmp;

  @Test
  void directoryOfALocalPathVolumeIsMadeOnMountAndRemovedAfterTheVolumeIsDeleted()
      throws Exception {
    KubernetesClient client = cluster.client();
    PodVolumes volumes =
        new PodVolumes(
            tmp.resolve("agent").resolve("pods"),
            client,
            Map.of("memory", new Quantity("1Gi")),
            new ServiceAccountTokens(client),
            new Mounts(),
            InstantSource.system());
    String pvName = "pvc-" + UUID.randomUUID();
    Path dir = tmp.resolve("storage").resolve(pvName + "_default_data");
    client
        .persistentVolumes()
        .resource(
            new PersistentVolumeBuilder()
                .withNewMetadata()
                .withName(pvName)
                .addToAnnotations("pv.kubernetes.io/provisioned-by", "rancher.io/local-path")
                .endMetadata()
                .withNewSpec()
                .addToCapacity("storage", new Quantity("1Gi"))
                .withAccessModes("ReadWriteOnce")
                .withPersistentVolumeReclaimPolicy("Delete")
                .withNewHostPath()
                .withPath(dir.toString())
                .withType("DirectoryOrCreate")
                .endHostPath()
                .endSpec()
                .build())
        .create();
    PersistentVolumeClaim claim =
        client
            .persistentVolumeClaims()
            .inNamespace("default")
            .resource(
                new PersistentVolumeClaimBuilder()
                    .withNewMetadata()
                    .withName("data")
                    .endMetadata()
                    .withNewSpec()
                    .withAccessModes("ReadWriteOnce")
                    .withStorageClassName("")
                    .withVolumeName(pvName)
                    .withNewResources()
                    .addToRequests("storage", new Quantity("1Gi"))
                    .endResources()
                    .endSpec()
                    .build())
            .create();
    client
        .persistentVolumeClaims()
        .inNamespace("default")
        .resource(
            new PersistentVolumeClaimBuilder(claim)
                .withNewStatus()
                .withPhase("Bound")
                .endStatus()
                .build())
        .updateStatus();
    String uid = UUID.randomUUID().toString();
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("writer")
            .withNamespace("default")
            .withUid(uid)
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("app")
            .endContainer()
            .addNewVolume()
            .withName("data")
            .withNewPersistentVolumeClaim()
            .withClaimName("data")
            .endPersistentVolumeClaim()
            .endVolume()
            .endSpec()
            .build();

    assertThat(volumes.setUp(pod).get("data").hostPath()).isEqualTo(dir);
    assertThat(dir).isDirectory();
    Files.writeString(dir.resolve("state"), "kept until the volume goes");

    // the pod goes first, while its volume still exists
    volumes.tearDown(uid);

    // the binder deletes the volume with its claim (reclaim policy Delete)
    client.persistentVolumeClaims().inNamespace("default").withName("data").delete();
    client.persistentVolumes().withName(pvName).delete();
    // no pv-protection controller runs here: play its part once the volume is being deleted
    client
        .persistentVolumes()
        .withName(pvName)
        .edit(
            pv ->
                new PersistentVolumeBuilder(pv)
                    .editMetadata()
                    .withFinalizers()
                    .endMetadata()
                    .build());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> client.persistentVolumes().withName(pvName).get() == null);
    // the next pod removal on the node sweeps: the volume is gone, so is its directory
    volumes.tearDown(UUID.randomUUID().toString());
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(dir).doesNotExist());
  }
}
