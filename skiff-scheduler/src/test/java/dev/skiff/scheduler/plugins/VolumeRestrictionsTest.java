package dev.skiff.scheduler.plugins;

import static dev.skiff.scheduler.testing.Objects.node;
import static dev.skiff.scheduler.testing.Objects.onNode;
import static dev.skiff.scheduler.testing.Objects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.scheduler.framework.CycleState;
import dev.skiff.scheduler.framework.Listers;
import dev.skiff.scheduler.framework.MapLister;
import dev.skiff.scheduler.framework.NodeInfo;
import dev.skiff.scheduler.framework.PluginStatus;
import dev.skiff.scheduler.framework.PodInfo;
import dev.skiff.scheduler.testing.FakeHandle;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import org.junit.jupiter.api.Test;

class VolumeRestrictionsTest {
  static Pod withClaim(String name, String claim) {
    return pod(name, null, null)
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

  static Pod withDisk(String name, String pdName, boolean readOnly) {
    return pod(name, null, null)
        .editSpec()
        .addNewVolume()
        .withName("disk")
        .withNewGcePersistentDisk()
        .withPdName(pdName)
        .withReadOnly(readOnly)
        .endGcePersistentDisk()
        .endVolume()
        .endSpec()
        .build();
  }

  FakeHandle handle(NodeInfo... nodes) {
    FakeHandle h = new FakeHandle(List.of(nodes));
    Listers e = Listers.empty();
    h.listers =
        new Listers(
            MapLister.of(
                new PersistentVolumeClaimBuilder()
                    .withNewMetadata()
                    .withName("solo")
                    .withNamespace("default")
                    .endMetadata()
                    .withNewSpec()
                    .withAccessModes("ReadWriteOncePod")
                    .endSpec()
                    .build()),
            e.volumes(),
            e.storageClasses(),
            e.disruptionBudgets(),
            e.priorityClasses(),
            e.namespaces(),
            e.services(),
            e.replicationControllers(),
            e.replicaSets(),
            e.statefulSets());
    return h;
  }

  @Test
  void aReadWriteOncePodClaimInUseIsUnresolvable() {
    NodeInfo n1 = NodeInfo.of(node("n1"), PodInfo.of(onNode(withClaim("owner", "solo"), "n1")));
    NodeInfo n2 = NodeInfo.of(node("n2"));
    VolumeRestrictions plugin = new VolumeRestrictions(handle(n1, n2));
    PluginStatus s =
        plugin
            .preFilter(new CycleState(), PodInfo.of(withClaim("second", "solo")), List.of(n1, n2))
            .status();
    assertThat(s.code()).isEqualTo(PluginStatus.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
    assertThat(s.reasons()).containsExactly(VolumeRestrictions.REASON_RWOP);
  }

  @Test
  void aGcePersistentDiskMountsOncePerNodeUnlessReadOnly() {
    NodeInfo n1 = NodeInfo.of(node("n1"), PodInfo.of(onNode(withDisk("a", "pd-1", true), "n1")));
    VolumeRestrictions plugin = new VolumeRestrictions(handle(n1));
    CycleState state = new CycleState();
    PodInfo writer = PodInfo.of(withDisk("b", "pd-1", false));
    assertThat(plugin.preFilter(state, writer, List.of(n1)).status().isSuccess()).isTrue();
    assertThat(plugin.filter(state, writer, n1).reasons())
        .containsExactly("node(s) had no available disk");
    assertThat(plugin.filter(state, PodInfo.of(withDisk("c", "pd-1", true)), n1).isSuccess())
        .isTrue();
    assertThat(plugin.filter(state, PodInfo.of(withDisk("d", "pd-2", false)), n1).isSuccess())
        .isTrue();
  }
}
