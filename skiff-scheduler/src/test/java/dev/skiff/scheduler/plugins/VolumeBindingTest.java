package dev.skiff.scheduler.plugins;

import static dev.skiff.scheduler.testing.Objects.node;
import static dev.skiff.scheduler.testing.Objects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.scheduler.framework.CycleState;
import dev.skiff.scheduler.framework.Listers;
import dev.skiff.scheduler.framework.MapLister;
import dev.skiff.scheduler.framework.NodeInfo;
import dev.skiff.scheduler.framework.PluginStatus;
import dev.skiff.scheduler.framework.PodInfo;
import dev.skiff.scheduler.testing.FakeHandle;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class VolumeBindingTest {
  static StorageClass storageClass(String name, String mode, String provisioner) {
    return new StorageClassBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withVolumeBindingMode(mode)
        .withProvisioner(provisioner)
        .build();
  }

  static PersistentVolumeClaim claim(String name, String storageClass, String volumeName) {
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("default")
        .endMetadata()
        .withNewSpec()
        .withStorageClassName(storageClass)
        .withVolumeName(volumeName)
        .withAccessModes("ReadWriteOnce")
        .withNewResources()
        .addToRequests("storage", new Quantity("1Gi"))
        .endResources()
        .endSpec()
        .build();
  }

  static PersistentVolume localVolume(String name, String storageClass, String hostname) {
    return new PersistentVolumeBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withStorageClassName(storageClass)
        .withAccessModes("ReadWriteOnce")
        .withCapacity(Map.of("storage", new Quantity("5Gi")))
        .withNewNodeAffinity()
        .withNewRequired()
        .addNewNodeSelectorTerm()
        .withMatchExpressions(
            new NodeSelectorRequirementBuilder()
                .withKey("kubernetes.io/hostname")
                .withOperator("In")
                .withValues(hostname)
                .build())
        .endNodeSelectorTerm()
        .endRequired()
        .endNodeAffinity()
        .endSpec()
        .build();
  }

  static Pod using(String claim) {
    return pod("p", null, null)
        .editSpec()
        .addNewVolume()
        .withName("data")
        .withNewPersistentVolumeClaim()
        .withClaimName(claim)
        .endPersistentVolumeClaim()
        .endVolume()
        .endSpec()
        .build();
  }

  record Case(String name, String claim, Map<String, PluginStatus.Code> expected, String reason) {}

  static Stream<Case> cases() {
    PluginStatus.Code ok = PluginStatus.Code.SUCCESS;
    PluginStatus.Code never = PluginStatus.Code.UNSCHEDULABLE_AND_UNRESOLVABLE;
    return Stream.of(
        new Case(
            "bound claim follows its local volume",
            "bound",
            Map.of("a", ok, "b", never),
            "node(s) had volume node affinity conflict"),
        new Case(
            "wait-for-first-consumer with a static volume on a",
            "static",
            Map.of("a", ok, "b", never),
            "node(s) didn't find available persistent volumes to bind"),
        new Case(
            "wait-for-first-consumer with a provisioner fits everywhere",
            "dynamic",
            Map.of("a", ok, "b", ok),
            null),
        new Case(
            "unbound immediate claim waits",
            "immediate",
            Map.of("a", never, "b", never),
            "pod has unbound immediate PersistentVolumeClaims"),
        new Case(
            "missing claim",
            "nope",
            Map.of("a", never, "b", never),
            "persistentvolumeclaim \"nope\" not found"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void filter(Case c) {
    List<NodeInfo> nodes = List.of(NodeInfo.of(node("a")), NodeInfo.of(node("b")));
    FakeHandle handle = new FakeHandle(nodes);
    Listers empty = Listers.empty();
    handle.listers =
        new Listers(
            MapLister.of(
                claim("bound", "local", "pv-bound"),
                claim("static", "local", null),
                claim("dynamic", "fast", null),
                claim("immediate", "slow", null)),
            MapLister.of(
                localVolume("pv-bound", "local", "a"), localVolume("pv-free", "local", "a")),
            MapLister.of(
                storageClass("local", "WaitForFirstConsumer", VolumeBinding.NO_PROVISIONER),
                storageClass("fast", "WaitForFirstConsumer", "csi.example.com"),
                storageClass("slow", "Immediate", "csi.example.com")),
            empty.disruptionBudgets(),
            empty.priorityClasses(),
            empty.namespaces(),
            empty.services(),
            empty.replicationControllers(),
            empty.replicaSets(),
            empty.statefulSets());
    VolumeBinding plugin = new VolumeBinding(handle, Duration.ofSeconds(1));
    PodInfo pod = PodInfo.of(using(c.claim()));
    CycleState state = new CycleState();
    PluginStatus pre = plugin.preFilter(state, pod, nodes).status();
    for (NodeInfo n : nodes) {
      PluginStatus s = pre.isSuccess() ? plugin.filter(state, pod, n) : pre;
      assertThat(s.code()).as(n.name()).isEqualTo(c.expected().get(n.name()));
      if (!s.isSuccess()) {
        assertThat(s.reasons()).containsExactly(c.reason());
      }
    }
  }
}
