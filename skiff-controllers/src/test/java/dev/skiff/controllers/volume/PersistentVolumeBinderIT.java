package dev.skiff.controllers.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.controllers.ControllerManager;
import dev.skiff.controllers.ControllerManagerOptions;
import dev.skiff.controllers.volume.protection.ProtectionControllers;
import dev.skiff.testing.SkiffCluster;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The persistentvolume-binder against a real API server (the test plays the scheduler's part of
 * choosing a node): static volumes bind and are released, local-path claims wait for their first
 * consumer, get a volume on the chosen node, and the volume goes with the claim.
 */
class PersistentVolumeBinderIT {
  @RegisterExtension static final SkiffCluster cluster = SkiffCluster.memory();
  private static final String NS = "pv-test";
  private static final Path STORAGE = Path.of("/var/lib/skiff-test/storage");
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static ControllerManager manager;

  @BeforeAll
  static void start() {
    KubernetesClient client = cluster.client();
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
    client
        .storage()
        .v1()
        .storageClasses()
        .resource(
            new StorageClassBuilder()
                .withNewMetadata()
                .withName("local-path")
                .withAnnotations(Map.of("storageclass.kubernetes.io/is-default-class", "true"))
                .endMetadata()
                .withProvisioner("rancher.io/local-path")
                .withVolumeBindingMode("WaitForFirstConsumer")
                .withReclaimPolicy("Delete")
                .build())
        .create();
    client
        .nodes()
        .resource(
            new NodeBuilder()
                .withNewMetadata()
                .withName("node-a")
                .withLabels(Map.of("kubernetes.io/hostname", "node-a"))
                .endMetadata()
                .build())
        .create();
    manager =
        new ControllerManager(
            client,
            ControllerManagerOptions.defaults()
                .withLeaderElect(false, "test")
                .withControllers(
                    List.of(
                        VolumeControllers.BINDER,
                        ProtectionControllers.PVC_PROTECTION,
                        ProtectionControllers.PV_PROTECTION))
                .withLocalStoragePath(STORAGE),
            Clock.systemUTC());
    manager.start();
  }

  @AfterAll
  static void stop() {
    manager.close();
  }

  @Test
  void staticVolumeBindsToAClassLessClaimAndIsReleasedWithItsRetainPolicy() {
    KubernetesClient client = cluster.client();
    client
        .persistentVolumes()
        .resource(
            new PersistentVolumeBuilder()
                .withNewMetadata()
                .withName("static-5g")
                .endMetadata()
                .withNewSpec()
                .withCapacity(Map.of("storage", new Quantity("5Gi")))
                .withAccessModes("ReadWriteOnce")
                .withStorageClassName("")
                .withPersistentVolumeReclaimPolicy("Retain")
                .withNewHostPath()
                .withPath("/srv/static-5g")
                .endHostPath()
                .endSpec()
                .build())
        .create();
    createClaim("static-claim", "1Gi", "");

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              PersistentVolumeClaim claim = claim("static-claim");
              assertThat(claim.getStatus().getPhase()).isEqualTo("Bound");
              assertThat(claim.getSpec().getVolumeName()).isEqualTo("static-5g");
              assertThat(claim.getStatus().getCapacity())
                  .containsEntry("storage", new Quantity("5Gi"));
              assertThat(volume("static-5g").getStatus().getPhase()).isEqualTo("Bound");
            });
    assertThat(claim("static-claim").getMetadata().getAnnotations())
        .containsEntry("pv.kubernetes.io/bind-completed", "yes")
        .containsEntry("pv.kubernetes.io/bound-by-controller", "yes");

    client.persistentVolumeClaims().inNamespace(NS).withName("static-claim").delete();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> assertThat(volume("static-5g").getStatus().getPhase()).isEqualTo("Released"));
  }

  @Test
  void localPathClaimWaitsForItsConsumerThenGetsAVolumeOnTheChosenNodeThatGoesWithIt() {
    KubernetesClient client = cluster.client();
    createClaim("data", "2Gi", null);
    PersistentVolumeClaim created = claim("data");
    // the DefaultStorageClass admission plugin named the default class
    assertThat(created.getSpec().getStorageClassName()).isEqualTo("local-path");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(reasons("data"))
                    .contains(
                        "WaitForFirstConsumer: waiting for first consumer to be created before"
                            + " binding"));
    assertThat(claim("data").getStatus().getPhase()).isEqualTo("Pending");
    assertThat(client.persistentVolumes().list().getItems())
        .noneMatch(v -> v.getMetadata().getName().equals("pvc-" + created.getMetadata().getUid()));

    // what the scheduler's VolumeBinding plugin does once a pod using the claim has a node
    client
        .persistentVolumeClaims()
        .inNamespace(NS)
        .withName("data")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"metadata\":{\"annotations\":{\"volume.kubernetes.io/selected-node\":\"node-a\"}}}");

    String volumeName = "pvc-" + created.getMetadata().getUid();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              PersistentVolumeClaim claim = claim("data");
              assertThat(claim.getStatus().getPhase()).isEqualTo("Bound");
              assertThat(claim.getSpec().getVolumeName()).isEqualTo(volumeName);
            });
    PersistentVolume volume = volume(volumeName);
    assertThat(volume.getStatus().getPhase()).isEqualTo("Bound");
    assertThat(volume.getSpec().getHostPath().getPath())
        .isEqualTo(STORAGE.resolve(volumeName + "_" + NS + "_data").toString());
    assertThat(volume.getSpec().getCapacity()).containsEntry("storage", new Quantity("2Gi"));
    assertThat(volume.getSpec().getPersistentVolumeReclaimPolicy()).isEqualTo("Delete");
    assertThat(
            volume
                .getSpec()
                .getNodeAffinity()
                .getRequired()
                .getNodeSelectorTerms()
                .getFirst()
                .getMatchExpressions()
                .getFirst()
                .getValues())
        .containsExactly("node-a");
    assertThat(claim("data").getMetadata().getAnnotations())
        .containsEntry("volume.kubernetes.io/storage-provisioner", "rancher.io/local-path");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(reasons("data"))
                    .contains(
                        "ProvisioningSucceeded: Successfully provisioned volume " + volumeName));

    client.persistentVolumeClaims().inNamespace(NS).withName("data").delete();
    await().atMost(WAIT).untilAsserted(() -> assertThat(volume(volumeName)).isNull());
  }

  private static void createClaim(String name, String size, String storageClass) {
    cluster
        .client()
        .persistentVolumeClaims()
        .inNamespace(NS)
        .resource(
            new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withStorageClassName(storageClass)
                .withNewResources()
                .withRequests(Map.of("storage", new Quantity(size)))
                .endResources()
                .endSpec()
                .build())
        .create();
  }

  private static PersistentVolumeClaim claim(String name) {
    return cluster.client().persistentVolumeClaims().inNamespace(NS).withName(name).get();
  }

  private static PersistentVolume volume(String name) {
    return cluster.client().persistentVolumes().withName(name).get();
  }

  private static List<String> reasons(String claim) {
    return cluster.client().v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> claim.equals(e.getInvolvedObject().getName()))
        .map((Event e) -> e.getReason() + ": " + e.getMessage())
        .toList();
  }
}
