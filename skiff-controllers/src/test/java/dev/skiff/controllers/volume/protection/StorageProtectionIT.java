package dev.skiff.controllers.volume.protection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.controllers.ControllerManager;
import dev.skiff.controllers.ControllerManagerOptions;
import dev.skiff.controllers.volume.VolumeControllers;
import dev.skiff.kubelet.sim.SimNodeOptions;
import dev.skiff.kubelet.sim.SimulatedNodes;
import dev.skiff.testing.SkiffCluster;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Storage object in-use protection against a real API server (StorageObjectInUseProtection
 * admission), the binder and both protection controllers, with a simulated node running the pod: a
 * claim used by a running pod and its bound volume stay Terminating until the pod goes.
 */
class StorageProtectionIT {
  @RegisterExtension static final SkiffCluster cluster = SkiffCluster.memory();
  private static final String NS = "protect-test";
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static SimulatedNodes nodes;
  private static ControllerManager manager;

  @BeforeAll
  static void start() throws InterruptedException {
    nodes =
        SimulatedNodes.start(
            cluster.newClient(), SimNodeOptions.of(1), InetAddress.getLoopbackAddress());
    assertThat(nodes.awaitRegistered(WAIT)).isTrue();
    cluster
        .client()
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
    manager =
        new ControllerManager(
            cluster.client(),
            ControllerManagerOptions.defaults()
                .withLeaderElect(false, "test")
                .withControllers(
                    List.of(
                        VolumeControllers.BINDER,
                        ProtectionControllers.PVC_PROTECTION,
                        ProtectionControllers.PV_PROTECTION)),
            Clock.systemUTC());
    manager.start();
  }

  @AfterAll
  static void stop() {
    manager.close();
    nodes.close();
  }

  @Test
  void claimOfARunningPodAndItsBoundVolumeStayUntilThePodIsDeleted() {
    KubernetesClient client = cluster.client();
    client
        .persistentVolumes()
        .resource(
            new PersistentVolumeBuilder()
                .withNewMetadata()
                .withName("protected-pv")
                .endMetadata()
                .withNewSpec()
                .withCapacity(Map.of("storage", new Quantity("1Gi")))
                .withAccessModes("ReadWriteOnce")
                .withStorageClassName("")
                .withPersistentVolumeReclaimPolicy("Retain")
                .withNewHostPath()
                .withPath("/srv/protected")
                .endHostPath()
                .endSpec()
                .build())
        .create();
    client
        .persistentVolumeClaims()
        .inNamespace(NS)
        .resource(
            new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName("data")
                .endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withStorageClassName("")
                .withNewResources()
                .withRequests(Map.of("storage", new Quantity("1Gi")))
                .endResources()
                .endSpec()
                .build())
        .create();
    assertThat(claim().getMetadata().getFinalizers())
        .containsExactly(PvcProtectionController.FINALIZER);
    assertThat(volume().getMetadata().getFinalizers())
        .containsExactly(PvProtectionController.FINALIZER);
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(volume().getStatus().getPhase()).isEqualTo("Bound"));

    client
        .pods()
        .inNamespace(NS)
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName("user")
                .endMetadata()
                .withNewSpec()
                .withNodeName("sim-0")
                .addNewContainer()
                .withName("app")
                .withImage("busybox")
                .endContainer()
                .addNewVolume()
                .withName("data")
                .withNewPersistentVolumeClaim()
                .withClaimName("data")
                .endPersistentVolumeClaim()
                .endVolume()
                .endSpec()
                .build())
        .create();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(
                        client.pods().inNamespace(NS).withName("user").get().getStatus().getPhase())
                    .isEqualTo("Running"));

    client.persistentVolumeClaims().inNamespace(NS).withName("data").delete();
    client.persistentVolumes().withName("protected-pv").delete();
    // the controllers see both deletions and keep the finalizers while the pod runs
    await()
        .during(Duration.ofSeconds(3))
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              PersistentVolumeClaim claim = claim();
              assertThat(claim.getMetadata().getDeletionTimestamp()).isNotNull();
              assertThat(claim.getMetadata().getFinalizers())
                  .containsExactly(PvcProtectionController.FINALIZER);
              PersistentVolume volume = volume();
              assertThat(volume.getMetadata().getDeletionTimestamp()).isNotNull();
              assertThat(volume.getMetadata().getFinalizers())
                  .containsExactly(PvProtectionController.FINALIZER);
              assertThat(volume.getStatus().getPhase()).isEqualTo("Bound");
            });

    client.pods().inNamespace(NS).withName("user").withGracePeriod(0).delete();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(client.persistentVolumeClaims().inNamespace(NS).withName("data").get())
                  .isNull();
              assertThat(client.persistentVolumes().withName("protected-pv").get()).isNull();
            });
  }

  @Test
  void unusedClaimGoesAtOnceAndAVolumeMadeWithoutTheFinalizerGetsIt() {
    KubernetesClient client = cluster.client();
    client
        .persistentVolumeClaims()
        .inNamespace(NS)
        .resource(
            new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName("unused")
                .endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withStorageClassName("")
                .withNewResources()
                .withRequests(Map.of("storage", new Quantity("1Gi")))
                .endResources()
                .endSpec()
                .build())
        .create();
    client.persistentVolumeClaims().inNamespace(NS).withName("unused").delete();
    await()
        .atMost(WAIT)
        .until(
            () -> client.persistentVolumeClaims().inNamespace(NS).withName("unused").get() == null);

    client
        .persistentVolumes()
        .resource(
            new PersistentVolumeBuilder()
                .withNewMetadata()
                .withName("bare-pv")
                .endMetadata()
                .withNewSpec()
                .withCapacity(Map.of("storage", new Quantity("1Gi")))
                .withAccessModes("ReadOnlyMany")
                .withStorageClassName("none")
                .withNewHostPath()
                .withPath("/srv/bare")
                .endHostPath()
                .endSpec()
                .build())
        .create();
    // as if made before the admission plugin: the finalizer taken off, the controller puts it back
    client
        .persistentVolumes()
        .withName("bare-pv")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"finalizers\":null}}");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(
                        client
                            .persistentVolumes()
                            .withName("bare-pv")
                            .get()
                            .getMetadata()
                            .getFinalizers())
                    .containsExactly(PvProtectionController.FINALIZER));
  }

  private static PersistentVolumeClaim claim() {
    return cluster.client().persistentVolumeClaims().inNamespace(NS).withName("data").get();
  }

  private static PersistentVolume volume() {
    return cluster.client().persistentVolumes().withName("protected-pv").get();
  }
}
