package dev.skiff.scheduler.cache;

import dev.skiff.scheduler.framework.NodeInfo;
import dev.skiff.scheduler.framework.PodInfo;
import dev.skiff.scheduler.framework.Snapshot;
import io.fabric8.kubernetes.api.model.Node;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Nodes and the pods on them, fed by informers, plus "assumed" pods: pods the scheduler placed
 * whose binding is not yet visible. An assumed pod is confirmed when the informer reports it bound,
 * forgotten if binding fails, and expires if its binding finished but was never confirmed.
 */
public final class SchedulerCache {
  /** How long a pod whose binding finished may stay assumed without being confirmed. */
  public static final Duration ASSUMED_POD_TTL = Duration.ofMinutes(15);

  private final InstantSource clock;
  private final Duration assumedTtl;
  private final Map<String, NodeInfo> nodes = new LinkedHashMap<>();
  private final Map<String, PodState> pods = new HashMap<>();
  private final Set<String> assumed = new HashSet<>();
  private final Set<String> dirty = new HashSet<>();
  private boolean nodeSetChanged = true;

  private static final class PodState {
    PodInfo pod;
    String nodeName;
    Instant deadline;
    boolean bindingFinished;

    PodState(PodInfo pod, String nodeName) {
      this.pod = pod;
      this.nodeName = nodeName;
    }
  }

  public SchedulerCache(InstantSource clock) {
    this(clock, ASSUMED_POD_TTL);
  }

  public SchedulerCache(InstantSource clock, Duration assumedTtl) {
    this.clock = clock;
    this.assumedTtl = assumedTtl;
  }

  public synchronized void addNode(Node node) {
    String name = node.getMetadata().getName();
    NodeInfo info = nodes.get(name);
    if (info == null) {
      info = new NodeInfo();
      nodes.put(name, info);
      nodeSetChanged = true;
    } else if (info.node() == null) {
      nodeSetChanged = true;
    }
    info.setNode(node);
    dirty.add(name);
  }

  public synchronized void updateNode(Node node) {
    addNode(node);
  }

  public synchronized void removeNode(Node node) {
    String name = node.getMetadata().getName();
    NodeInfo info = nodes.get(name);
    if (info == null) {
      return;
    }
    // pods may still point at the node until they are deleted; keep their accounting
    if (info.pods().isEmpty()) {
      nodes.remove(name);
    } else {
      info.clearNode();
    }
    nodeSetChanged = true;
    dirty.remove(name);
  }

  /** Places a pod on a node before its binding is visible. */
  public synchronized void assumePod(PodInfo pod, String nodeName) {
    String key = pod.uid();
    if (pods.containsKey(key)) {
      throw new IllegalStateException("pod " + pod + " is already in the cache");
    }
    PodState state = new PodState(pod, nodeName);
    pods.put(key, state);
    assumed.add(key);
    addToNode(pod, nodeName);
  }

  /** The binding call returned; the assumed pod may now expire if never confirmed. */
  public synchronized void finishBinding(PodInfo pod) {
    PodState state = pods.get(pod.uid());
    if (state != null && assumed.contains(pod.uid())) {
      state.bindingFinished = true;
      state.deadline = clock.instant().plus(assumedTtl);
    }
  }

  /** Undoes {@link #assumePod} after a failed binding. */
  public synchronized void forgetPod(PodInfo pod) {
    String key = pod.uid();
    if (!assumed.contains(key)) {
      return;
    }
    PodState state = pods.remove(key);
    assumed.remove(key);
    removeFromNode(state.pod, state.nodeName);
  }

  /** An assigned pod appeared in the informer: confirms an assumed pod or adds a new one. */
  public synchronized void addPod(PodInfo pod) {
    String key = pod.uid();
    String nodeName = pod.pod().getSpec().getNodeName();
    PodState state = pods.get(key);
    if (state != null && assumed.contains(key)) {
      assumed.remove(key);
      if (!state.nodeName.equals(nodeName)) {
        removeFromNode(state.pod, state.nodeName);
        addToNode(pod, nodeName);
      } else {
        replaceOnNode(state.pod, pod, nodeName);
      }
      state.pod = pod;
      state.nodeName = nodeName;
      return;
    }
    if (state != null) {
      updatePod(pod);
      return;
    }
    pods.put(key, new PodState(pod, nodeName));
    addToNode(pod, nodeName);
  }

  public synchronized void updatePod(PodInfo pod) {
    String key = pod.uid();
    PodState state = pods.get(key);
    if (state == null || assumed.contains(key)) {
      addPod(pod);
      return;
    }
    String nodeName = pod.pod().getSpec().getNodeName();
    if (!state.nodeName.equals(nodeName)) {
      removeFromNode(state.pod, state.nodeName);
      addToNode(pod, nodeName);
    } else {
      replaceOnNode(state.pod, pod, nodeName);
    }
    state.pod = pod;
    state.nodeName = nodeName;
  }

  public synchronized void removePod(PodInfo pod) {
    PodState state = pods.remove(pod.uid());
    assumed.remove(pod.uid());
    if (state != null) {
      removeFromNode(state.pod, state.nodeName);
    }
  }

  public synchronized boolean isAssumed(String uid) {
    return assumed.contains(uid);
  }

  /** Whether the cache knows the pod (assumed or confirmed). */
  public synchronized boolean contains(String uid) {
    return pods.containsKey(uid);
  }

  /** Drops assumed pods whose binding finished longer than the TTL ago; returns them. */
  public synchronized List<PodInfo> cleanupExpiredAssumedPods() {
    Instant now = clock.instant();
    List<PodInfo> expired = new ArrayList<>();
    Iterator<String> it = assumed.iterator();
    while (it.hasNext()) {
      String key = it.next();
      PodState state = pods.get(key);
      if (state.bindingFinished && now.isAfter(state.deadline)) {
        it.remove();
        pods.remove(key);
        removeFromNode(state.pod, state.nodeName);
        expired.add(state.pod);
      }
    }
    return expired;
  }

  /** The number of nodes (with a Node object). */
  public synchronized int nodeCount() {
    int n = 0;
    for (NodeInfo info : nodes.values()) {
      if (info.node() != null) {
        n++;
      }
    }
    return n;
  }

  /** Brings {@code snapshot} up to date, copying only the node infos that changed. */
  public synchronized void updateSnapshot(Snapshot snapshot) {
    List<NodeInfo> changed = new ArrayList<>(dirty.size());
    for (String name : dirty) {
      NodeInfo info = nodes.get(name);
      if (info != null && info.node() != null) {
        changed.add(info.copy());
      }
    }
    List<String> order = null;
    if (nodeSetChanged) {
      order = new ArrayList<>(nodes.size());
      for (NodeInfo info : nodes.values()) {
        if (info.node() != null) {
          order.add(info.name());
        }
      }
    }
    snapshot.update(changed, order);
    dirty.clear();
    nodeSetChanged = false;
  }

  private void addToNode(PodInfo pod, String nodeName) {
    NodeInfo info = nodes.computeIfAbsent(nodeName, n -> new NodeInfo());
    info.addPod(pod);
    dirty.add(nodeName);
  }

  private void removeFromNode(PodInfo pod, String nodeName) {
    NodeInfo info = nodes.get(nodeName);
    if (info == null) {
      return;
    }
    info.removePod(pod);
    dirty.add(nodeName);
    if (info.node() == null && info.pods().isEmpty()) {
      nodes.remove(nodeName);
      dirty.remove(nodeName);
    }
  }

  private void replaceOnNode(PodInfo oldPod, PodInfo newPod, String nodeName) {
    removeFromNode(oldPod, nodeName);
    addToNode(newPod, nodeName);
  }
}
