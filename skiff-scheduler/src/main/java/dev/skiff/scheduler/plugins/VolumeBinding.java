package dev.skiff.scheduler.plugins;

import dev.skiff.scheduler.framework.ClusterEvent;
import dev.skiff.scheduler.framework.CycleState;
import dev.skiff.scheduler.framework.EnqueueExtensions;
import dev.skiff.scheduler.framework.FilterPlugin;
import dev.skiff.scheduler.framework.Handle;
import dev.skiff.scheduler.framework.NodeInfo;
import dev.skiff.scheduler.framework.PluginStatus;
import dev.skiff.scheduler.framework.PodInfo;
import dev.skiff.scheduler.framework.PreBindPlugin;
import dev.skiff.scheduler.framework.PreFilterPlugin;
import dev.skiff.scheduler.framework.PreFilterResult;
import dev.skiff.scheduler.framework.ReservePlugin;
import dev.skiff.scheduler.framework.Resource;
import dev.skiff.scheduler.framework.StateData;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Volume topology: bound claims need their volume's node affinity to match the node; unbound claims
 * of a WaitForFirstConsumer class need an available matching volume reachable from the node or a
 * provisioner; unbound claims of an Immediate class make the pod wait. PreBind pre-binds the chosen
 * volumes (or asks for provisioning on the node) and waits until the claims are bound.
 */
public final class VolumeBinding
    implements PreFilterPlugin, FilterPlugin, ReservePlugin, PreBindPlugin, EnqueueExtensions {
  public static final String NAME = "VolumeBinding";
  static final String REASON_NODE_CONFLICT = "node(s) had volume node affinity conflict";
  static final String REASON_BIND_CONFLICT =
      "node(s) didn't find available persistent volumes to bind";
  static final String REASON_UNBOUND_IMMEDIATE = "pod has unbound immediate PersistentVolumeClaims";
  static final String NO_PROVISIONER = "kubernetes.io/no-provisioner";
  private static final String STATE_KEY = NAME;
  private static final Duration POLL = Duration.ofMillis(100);

  private final Handle handle;
  private final Duration bindTimeout;

  public VolumeBinding(Handle handle, Duration bindTimeout) {
    this.handle = handle;
    this.bindTimeout = bindTimeout;
  }

  /** Claims of the pod by kind, and the decisions made at Reserve. */
  private static final class State implements StateData {
    final List<PersistentVolumeClaim> bound;
    final List<PersistentVolumeClaim> delayed;
    volatile List<PersistentVolume> staticChoices = List.of();
    volatile List<PersistentVolumeClaim> toProvision = List.of();

    State(List<PersistentVolumeClaim> bound, List<PersistentVolumeClaim> delayed) {
      this.bound = bound;
      this.delayed = delayed;
    }

    @Override
    public StateData copy() {
      return this;
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public PreFilterResult preFilter(CycleState state, PodInfo pod, List<NodeInfo> nodes) {
    if (pod.claimNames().isEmpty()) {
      return PreFilterResult.SKIP;
    }
    List<PersistentVolumeClaim> bound = new ArrayList<>();
    List<PersistentVolumeClaim> delayed = new ArrayList<>();
    for (String claimName : pod.claimNames()) {
      PersistentVolumeClaim pvc = handle.listers().claims().get(pod.namespace(), claimName);
      if (pvc == null) {
        return PreFilterResult.of(
            PluginStatus.unresolvable("persistentvolumeclaim \"" + claimName + "\" not found"));
      }
      if (pvc.getMetadata().getDeletionTimestamp() != null) {
        return PreFilterResult.of(
            PluginStatus.unresolvable(
                "persistentvolumeclaim \"" + claimName + "\" is being deleted"));
      }
      String volumeName = pvc.getSpec() == null ? null : pvc.getSpec().getVolumeName();
      if (volumeName != null && !volumeName.isEmpty()) {
        bound.add(pvc);
      } else if (waitForFirstConsumer(pvc)) {
        delayed.add(pvc);
      } else {
        return PreFilterResult.of(PluginStatus.unresolvable(REASON_UNBOUND_IMMEDIATE));
      }
    }
    state.write(STATE_KEY, new State(List.copyOf(bound), List.copyOf(delayed)));
    return PreFilterResult.SUCCESS;
  }

  private StorageClass storageClass(PersistentVolumeClaim pvc) {
    String name = pvc.getSpec() == null ? null : pvc.getSpec().getStorageClassName();
    return name == null || name.isEmpty()
        ? null
        : handle.listers().storageClasses().get(null, name);
  }

  private boolean waitForFirstConsumer(PersistentVolumeClaim pvc) {
    StorageClass sc = storageClass(pvc);
    return sc != null && "WaitForFirstConsumer".equals(sc.getVolumeBindingMode());
  }

  @Override
  public PluginStatus filter(CycleState state, PodInfo pod, NodeInfo node) {
    State s = state.read(STATE_KEY);
    if (s == null) {
      return PluginStatus.SUCCESS;
    }
    for (PersistentVolumeClaim pvc : s.bound) {
      PersistentVolume pv = handle.listers().volumes().get(null, pvc.getSpec().getVolumeName());
      if (pv == null) {
        return PluginStatus.unresolvable(
            "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)");
      }
      if (!reachable(pv, node.node())) {
        return PluginStatus.unresolvable(REASON_NODE_CONFLICT);
      }
    }
    List<PersistentVolume> chosen = new ArrayList<>();
    List<PersistentVolumeClaim> provision = new ArrayList<>();
    return decide(s, node.node(), chosen, provision)
        ? PluginStatus.SUCCESS
        : PluginStatus.unresolvable(REASON_BIND_CONFLICT);
  }

  /** Finds a volume or a provisioner for each delayed claim on {@code node}. */
  private boolean decide(
      State s, Node node, List<PersistentVolume> chosen, List<PersistentVolumeClaim> provision) {
    Set<String> taken = new HashSet<>();
    for (PersistentVolumeClaim pvc : s.delayed) {
      PersistentVolume match = findVolume(pvc, node, taken);
      if (match != null) {
        taken.add(match.getMetadata().getName());
        chosen.add(match);
        continue;
      }
      StorageClass sc = storageClass(pvc);
      if (sc == null || NO_PROVISIONER.equals(sc.getProvisioner())) {
        return false;
      }
      provision.add(pvc);
    }
    return true;
  }

  private PersistentVolume findVolume(PersistentVolumeClaim pvc, Node node, Set<String> taken) {
    long wanted = 0;
    if (pvc.getSpec().getResources() != null
        && pvc.getSpec().getResources().getRequests() != null) {
      Quantity q = pvc.getSpec().getResources().getRequests().get("storage");
      wanted = Resource.amount("storage", q);
    }
    PersistentVolume best = null;
    long bestSize = Long.MAX_VALUE;
    for (PersistentVolume pv : handle.listers().volumes().list(null)) {
      if (taken.contains(pv.getMetadata().getName()) || pv.getSpec() == null) {
        continue;
      }
      if (pv.getSpec().getClaimRef() != null
          || pv.getMetadata().getDeletionTimestamp() != null
          || !Objects.equals(
              pv.getSpec().getStorageClassName(), pvc.getSpec().getStorageClassName())) {
        continue;
      }
      List<String> modes = pvc.getSpec().getAccessModes();
      if (modes != null
          && (pv.getSpec().getAccessModes() == null
              || !pv.getSpec().getAccessModes().containsAll(modes))) {
        continue;
      }
      Map<String, Quantity> capacity = pv.getSpec().getCapacity();
      long size = capacity == null ? 0 : Resource.amount("storage", capacity.get("storage"));
      if (size < wanted || !reachable(pv, node)) {
        continue;
      }
      if (size < bestSize) {
        best = pv;
        bestSize = size;
      }
    }
    return best;
  }

  private static boolean reachable(PersistentVolume pv, Node node) {
    if (pv.getSpec().getNodeAffinity() == null
        || pv.getSpec().getNodeAffinity().getRequired() == null) {
      return true;
    }
    return RequiredNodeAffinity.anyTermMatches(
        pv.getSpec().getNodeAffinity().getRequired().getNodeSelectorTerms(), node);
  }

  @Override
  public PluginStatus reserve(CycleState state, PodInfo pod, String nodeName) {
    State s = state.read(STATE_KEY);
    if (s == null || s.delayed.isEmpty()) {
      return PluginStatus.SUCCESS;
    }
    NodeInfo node = handle.snapshot().get(nodeName);
    List<PersistentVolume> chosen = new ArrayList<>();
    List<PersistentVolumeClaim> provision = new ArrayList<>();
    if (node == null || !decide(s, node.node(), chosen, provision)) {
      return PluginStatus.unschedulable(REASON_BIND_CONFLICT);
    }
    s.staticChoices = List.copyOf(chosen);
    s.toProvision = List.copyOf(provision);
    return PluginStatus.SUCCESS;
  }

  @Override
  public void unreserve(CycleState state, PodInfo pod, String nodeName) {
    State s = state.read(STATE_KEY);
    if (s != null) {
      s.staticChoices = List.of();
      s.toProvision = List.of();
    }
  }

  @Override
  public PluginStatus preBind(CycleState state, PodInfo pod, String nodeName) {
    State s = state.read(STATE_KEY);
    if (s == null || s.delayed.isEmpty()) {
      return PluginStatus.SUCCESS;
    }
    int staticIndex = 0;
    for (PersistentVolumeClaim pvc : s.delayed) {
      if (s.toProvision.contains(pvc)) {
        handle.client().selectNodeForClaim(pvc, nodeName);
      } else {
        handle.client().claimVolume(s.staticChoices.get(staticIndex++), pvc);
      }
    }
    Instant deadline = handle.clock().instant().plus(bindTimeout);
    while (!allBound(s.delayed)) {
      if (handle.clock().instant().isAfter(deadline)) {
        return PluginStatus.error("binding volumes: timed out waiting for the condition");
      }
      try {
        Thread.sleep(POLL);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return PluginStatus.error("binding volumes: interrupted");
      }
    }
    return PluginStatus.SUCCESS;
  }

  private boolean allBound(List<PersistentVolumeClaim> claims) {
    for (PersistentVolumeClaim c : claims) {
      PersistentVolumeClaim current =
          handle.listers().claims().get(c.getMetadata().getNamespace(), c.getMetadata().getName());
      if (current == null
          || current.getSpec() == null
          || current.getSpec().getVolumeName() == null
          || current.getSpec().getVolumeName().isEmpty()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public Set<ClusterEvent> eventsToRegister() {
    return Set.of(
        ClusterEvent.PVC_CHANGE,
        ClusterEvent.PV_CHANGE,
        ClusterEvent.STORAGE_CLASS_CHANGE,
        ClusterEvent.NODE_ADD,
        ClusterEvent.NODE_UPDATE);
  }
}
