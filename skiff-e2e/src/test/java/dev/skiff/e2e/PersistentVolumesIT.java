package dev.skiff.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.controllers.ControllerManager;
import dev.skiff.controllers.ControllerManagerOptions;
import dev.skiff.kubelet.sim.SimNodeOptions;
import dev.skiff.kubelet.sim.SimulatedNodes;
import dev.skiff.scheduler.Scheduler;
import dev.skiff.scheduler.SchedulerConfiguration;
import dev.skiff.testing.SkiffCluster;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
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
 * Claims, volumes and pods together in one process: the API server, the real scheduler (its
 * VolumeBinding plugin), the persistentvolume-binder with the local-path provisioner, and three
 * simulated nodes. A static volume pinned to a node draws its pod there; a local-path claim waits
 * for its pod, gets a volume on the pod's node and goes away with its volume.
 */
class PersistentVolumesIT {
  @RegisterExtension static final SkiffCluster cluster = SkiffCluster.memory();
  private static final String NS = "volumes";
  private static final Path STORAGE = Path.of("/var/lib/skiff/storage");
  private static final Duration WAIT = Duration.ofSeconds(45);

  private static Scheduler scheduler;
  private static ControllerManager controllers;
  private static SimulatedNodes nodes;

  @BeforeAll
  static void start() throws InterruptedException {
    KubernetesClient client = cluster.client();
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
    // what `skiff server` makes at start unless --disable local-storage
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
    nodes = SimulatedNodes.start(cluster.newClient(), SimNodeOptions.of(3));
    assertThat(nodes.awaitRegistered(WAIT)).isTrue();
    scheduler =
        new Scheduler(cluster.newClient(), SchedulerConfiguration.defaults(), Clock.systemUTC());
    scheduler.start();
    controllers =
        new ControllerManager(
            cluster.newClient(),
            ControllerManagerOptions.defaults()
                .withLeaderElect(false, "volumes-it")
                .withControllers(
                    List.of("persistentvolume-binder", "pvc-protection", "pv-protection"))
                .withLocalStoragePath(STORAGE),
            Clock.systemUTC());
    controllers.start();
  }

  @AfterAll
  static void stop() {
    if (controllers != null) {
      controllers.close();
    }
    if (scheduler != null) {
      scheduler.close();
    }
    if (nodes != null) {
      nodes.close();
    }
  }

  @Test
  void staticVolumePinnedToANodeBindsAndItsPodRunsThere() {
    KubernetesClient client = cluster.client();
    client
        .persistentVolumes()
        .resource(
            new PersistentVolumeBuilder()
                .withNewMetadata()
                .withName("disk-on-sim-1")
                .endMetadata()
                .withNewSpec()
                .withCapacity(Map.of("storage", new Quantity("10Gi")))
                .withAccessModes("ReadWriteOnce")
                .withStorageClassName("")
                .withPersistentVolumeReclaimPolicy("Retain")
                .withNewHostPath()
                .withPath("/srv/disk")
                .endHostPath()
                .withNewNodeAffinity()
                .withNewRequired()
                .addNewNodeSelectorTerm()
                .addNewMatchExpression()
                .withKey("kubernetes.io/hostname")
                .withOperator("In")
                .withValues("sim-1")
                .endMatchExpression()
                .endNodeSelectorTerm()
                .endRequired()
                .endNodeAffinity()
                .endSpec()
                .build())
        .create();
    createClaim("static", "");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> assertThat(claim("static").getSpec().getVolumeName()).isEqualTo("disk-on-sim-1"));
    createPod("static-user", "static");

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              Pod pod = pod("static-user");
              assertThat(pod.getSpec().getNodeName()).isEqualTo("sim-1");
              assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
            });
    assertThat(claim("static").getStatus().getPhase()).isEqualTo("Bound");

    deletePod("static-user");
    client.persistentVolumeClaims().inNamespace(NS).withName("static").delete();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> assertThat(volume("disk-on-sim-1").getStatus().getPhase()).isEqualTo("Released"));
  }

  @Test
  void localPathClaimIsProvisionedOnItsPodsNodeAndDeletedWithTheClaim() {
    KubernetesClient client = cluster.client();
    createClaim("cache", null);
    String uid = claim("cache").getMetadata().getUid();
    assertThat(claim("cache").getSpec().getStorageClassName()).isEqualTo("local-path");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(client.v1().events().inNamespace(NS).list().getItems())
                    .anyMatch(
                        e ->
                            "cache".equals(e.getInvolvedObject().getName())
                                && "WaitForFirstConsumer".equals(e.getReason())));
    assertThat(claim("cache").getStatus().getPhase()).isEqualTo("Pending");
    assertThat(volume("pvc-" + uid)).isNull();

    createPod("cache-user", "cache");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              Pod pod = pod("cache-user");
              assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
              assertThat(claim("cache").getStatus().getPhase()).isEqualTo("Bound");
            });
    String node = pod("cache-user").getSpec().getNodeName();
    PersistentVolumeClaim claim = claim("cache");
    assertThat(claim.getSpec().getVolumeName()).isEqualTo("pvc-" + uid);
    assertThat(claim.getMetadata().getAnnotations())
        .containsEntry("volume.kubernetes.io/selected-node", node);
    PersistentVolume volume = volume("pvc-" + uid);
    assertThat(volume.getSpec().getHostPath().getPath())
        .isEqualTo(STORAGE.resolve("pvc-" + uid + "_" + NS + "_cache").toString());
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
        .containsExactly(node);

    deletePod("cache-user");
    client.persistentVolumeClaims().inNamespace(NS).withName("cache").delete();
    await().atMost(WAIT).untilAsserted(() -> assertThat(volume("pvc-" + uid)).isNull());
  }

  private static void createClaim(String name, String storageClass) {
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
                .withRequests(Map.of("storage", new Quantity("1Gi")))
                .endResources()
                .endSpec()
                .build())
        .create();
  }

  private static void createPod(String name, String claim) {
    cluster
        .client()
        .pods()
        .inNamespace(NS)
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("app")
                .withImage("registry.local/app:1")
                .addNewVolumeMount()
                .withName("data")
                .withMountPath("/data")
                .endVolumeMount()
                .endContainer()
                .addNewVolume()
                .withName("data")
                .withNewPersistentVolumeClaim()
                .withClaimName(claim)
                .endPersistentVolumeClaim()
                .endVolume()
                .endSpec()
                .build())
        .create();
  }

  private static void deletePod(String name) {
    cluster.client().pods().inNamespace(NS).withName(name).withGracePeriod(0).delete();
  }

  private static Pod pod(String name) {
    return cluster.client().pods().inNamespace(NS).withName(name).get();
  }

  private static PersistentVolumeClaim claim(String name) {
    return cluster.client().persistentVolumeClaims().inNamespace(NS).withName(name).get();
  }

  private static PersistentVolume volume(String name) {
    return cluster.client().persistentVolumes().withName(name).get();
  }
}
