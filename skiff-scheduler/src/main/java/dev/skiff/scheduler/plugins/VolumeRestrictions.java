package dev.skiff.scheduler.plugins;

import dev.skiff.scheduler.framework.ClusterEvent;
import dev.skiff.scheduler.framework.CycleState;
import dev.skiff.scheduler.framework.EnqueueExtensions;
import dev.skiff.scheduler.framework.FilterPlugin;
import dev.skiff.scheduler.framework.Handle;
import dev.skiff.scheduler.framework.NodeInfo;
import dev.skiff.scheduler.framework.PluginStatus;
import dev.skiff.scheduler.framework.PodInfo;
import dev.skiff.scheduler.framework.PreFilterPlugin;
import dev.skiff.scheduler.framework.PreFilterResult;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A ReadWriteOncePod claim may be used by one pod in the cluster; GCE persistent disks and AWS EBS
 * volumes cannot be mounted by two pods on one node (unless both mount a GCE disk read-only).
 */
public final class VolumeRestrictions implements PreFilterPlugin, FilterPlugin, EnqueueExtensions {
  public static final String NAME = "VolumeRestrictions";
  static final String REASON_DISK_CONFLICT = "node(s) had no available disk";
  static final String REASON_RWOP =
      "node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode";

  private final Handle handle;

  public VolumeRestrictions(Handle handle) {
    this.handle = handle;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public PreFilterResult preFilter(CycleState state, PodInfo pod, List<NodeInfo> nodes) {
    List<Volume> volumes = pod.pod().getSpec().getVolumes();
    boolean needsFilter = false;
    if (volumes != null) {
      for (Volume v : volumes) {
        needsFilter |= v.getGcePersistentDisk() != null || v.getAwsElasticBlockStore() != null;
      }
    }
    for (String claimName : pod.claimNames()) {
      PersistentVolumeClaim pvc = handle.listers().claims().get(pod.namespace(), claimName);
      if (pvc == null
          || pvc.getSpec() == null
          || pvc.getSpec().getAccessModes() == null
          || !pvc.getSpec().getAccessModes().contains("ReadWriteOncePod")) {
        continue;
      }
      String key = pod.namespace() + "/" + claimName;
      for (NodeInfo node : nodes) {
        if (node.pvcRefCount(key) > 0) {
          return PreFilterResult.of(PluginStatus.unresolvable(REASON_RWOP));
        }
      }
    }
    return needsFilter ? PreFilterResult.SUCCESS : PreFilterResult.SKIP;
  }

  @Override
  public PluginStatus filter(CycleState state, PodInfo pod, NodeInfo node) {
    List<Volume> volumes = pod.pod().getSpec().getVolumes();
    if (volumes == null) {
      return PluginStatus.SUCCESS;
    }
    for (Volume v : volumes) {
      for (PodInfo existing : node.pods()) {
        List<Volume> others = existing.pod().getSpec().getVolumes();
        if (others == null) {
          continue;
        }
        for (Volume o : others) {
          if (conflict(v, o)) {
            return PluginStatus.unschedulable(REASON_DISK_CONFLICT);
          }
        }
      }
    }
    return PluginStatus.SUCCESS;
  }

  static boolean conflict(Volume v, Volume o) {
    if (v.getGcePersistentDisk() != null && o.getGcePersistentDisk() != null) {
      var a = v.getGcePersistentDisk();
      var b = o.getGcePersistentDisk();
      return Objects.equals(a.getPdName(), b.getPdName())
          && !(Boolean.TRUE.equals(a.getReadOnly()) && Boolean.TRUE.equals(b.getReadOnly()));
    }
    if (v.getAwsElasticBlockStore() != null && o.getAwsElasticBlockStore() != null) {
      return Objects.equals(
          v.getAwsElasticBlockStore().getVolumeID(), o.getAwsElasticBlockStore().getVolumeID());
    }
    return false;
  }

  @Override
  public Set<ClusterEvent> eventsToRegister() {
    return Set.of(ClusterEvent.ASSIGNED_POD_DELETE, ClusterEvent.PVC_CHANGE);
  }
}
