package dev.skiff.scheduler.framework;

import io.fabric8.kubernetes.api.model.ContainerImage;
import io.fabric8.kubernetes.api.model.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A node with the aggregates of the pods on it: requested resources, used host ports, pods with
 * affinity terms, claim references and image sizes. Mutable inside the cache; the scheduling cycle
 * reads copies from the {@link Snapshot}.
 */
public final class NodeInfo {
  private Node node;
  private String name;
  private Map<String, String> labels = Map.of();
  private Resource allocatable = new Resource();
  private Map<String, Long> imageSizes = Map.of();
  private final List<PodInfo> pods;
  private final List<PodInfo> podsWithAffinity;
  private final List<PodInfo> podsWithRequiredAntiAffinity;
  private final List<HostPort> usedPorts;
  private final Map<String, Integer> pvcRefCounts;
  private final Resource requested;
  private final Resource nonZeroRequested;

  public NodeInfo() {
    this.pods = new ArrayList<>();
    this.podsWithAffinity = new ArrayList<>(0);
    this.podsWithRequiredAntiAffinity = new ArrayList<>(0);
    this.usedPorts = new ArrayList<>(0);
    this.pvcRefCounts = new HashMap<>(0);
    this.requested = new Resource();
    this.nonZeroRequested = new Resource();
  }

  private NodeInfo(NodeInfo o) {
    this.node = o.node;
    this.name = o.name;
    this.labels = o.labels;
    this.allocatable = o.allocatable;
    this.imageSizes = o.imageSizes;
    this.pods = new ArrayList<>(o.pods);
    this.podsWithAffinity = new ArrayList<>(o.podsWithAffinity);
    this.podsWithRequiredAntiAffinity = new ArrayList<>(o.podsWithRequiredAntiAffinity);
    this.usedPorts = new ArrayList<>(o.usedPorts);
    this.pvcRefCounts = new HashMap<>(o.pvcRefCounts);
    this.requested = o.requested.copy();
    this.nonZeroRequested = o.nonZeroRequested.copy();
  }

  /** A node info for {@code node} holding {@code pods}; convenient for tests and simulations. */
  public static NodeInfo of(Node node, PodInfo... pods) {
    NodeInfo info = new NodeInfo();
    info.setNode(node);
    for (PodInfo p : pods) {
      info.addPod(p);
    }
    return info;
  }

  public NodeInfo copy() {
    return new NodeInfo(this);
  }

  public void setNode(Node node) {
    this.node = node;
    this.name = node.getMetadata().getName();
    Map<String, String> l = node.getMetadata().getLabels();
    this.labels = l == null ? Map.of() : l;
    this.allocatable =
        node.getStatus() == null ? new Resource() : Resource.of(node.getStatus().getAllocatable());
    Map<String, Long> images = new HashMap<>();
    if (node.getStatus() != null && node.getStatus().getImages() != null) {
      for (ContainerImage image : node.getStatus().getImages()) {
        long size = image.getSizeBytes() == null ? 0 : image.getSizeBytes();
        if (image.getNames() != null) {
          for (String n : image.getNames()) {
            images.put(normalizeImageName(n), size);
          }
        }
      }
    }
    this.imageSizes = Map.copyOf(images);
  }

  /** Clears the node (it was deleted while pods still reference it). */
  public void clearNode() {
    this.node = null;
  }

  /** Adds a tag when an image reference has neither tag nor digest, as nodes report it. */
  public static String normalizeImageName(String image) {
    int slash = image.lastIndexOf('/');
    String last = image.substring(slash + 1);
    if (!last.contains(":") && !last.contains("@")) {
      return image + ":latest";
    }
    return image;
  }

  public void addPod(PodInfo pod) {
    pods.add(pod);
    if (pod.hasAffinity()) {
      podsWithAffinity.add(pod);
    }
    if (!pod.requiredAntiAffinityTerms().isEmpty()) {
      podsWithRequiredAntiAffinity.add(pod);
    }
    requested.add(pod.requests());
    nonZeroRequested.milliCpu += pod.nonZeroRequests().milliCpu;
    nonZeroRequested.memory += pod.nonZeroRequests().memory;
    usedPorts.addAll(pod.hostPorts());
    for (String claim : pod.claimNames()) {
      pvcRefCounts.merge(pod.namespace() + "/" + claim, 1, Integer::sum);
    }
  }

  /** Removes the pod with the same uid; returns false when it was not on this node. */
  public boolean removePod(PodInfo pod) {
    int index = indexOf(pods, pod.uid());
    if (index < 0) {
      return false;
    }
    PodInfo stored = pods.remove(index);
    int i = indexOf(podsWithAffinity, stored.uid());
    if (i >= 0) {
      podsWithAffinity.remove(i);
    }
    i = indexOf(podsWithRequiredAntiAffinity, stored.uid());
    if (i >= 0) {
      podsWithRequiredAntiAffinity.remove(i);
    }
    requested.subtract(stored.requests());
    nonZeroRequested.milliCpu -= stored.nonZeroRequests().milliCpu;
    nonZeroRequested.memory -= stored.nonZeroRequests().memory;
    for (HostPort p : stored.hostPorts()) {
      usedPorts.remove(p);
    }
    for (String claim : stored.claimNames()) {
      pvcRefCounts.computeIfPresent(
          stored.namespace() + "/" + claim, (k, v) -> v <= 1 ? null : v - 1);
    }
    return true;
  }

  private static int indexOf(List<PodInfo> list, String uid) {
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i).uid().equals(uid)) {
        return i;
      }
    }
    return -1;
  }

  public Node node() {
    return node;
  }

  public String name() {
    return name;
  }

  public Map<String, String> labels() {
    return labels;
  }

  public Resource allocatable() {
    return allocatable;
  }

  /** Sum of the effective requests of the pods on the node. */
  public Resource requested() {
    return requested;
  }

  /** Sum of cpu and memory requests with defaults for containers that name none. */
  public Resource nonZeroRequested() {
    return nonZeroRequested;
  }

  public List<PodInfo> pods() {
    return pods;
  }

  public List<PodInfo> podsWithAffinity() {
    return podsWithAffinity;
  }

  public List<PodInfo> podsWithRequiredAntiAffinity() {
    return podsWithRequiredAntiAffinity;
  }

  public List<HostPort> usedPorts() {
    return usedPorts;
  }

  /** How many pods on the node use the claim {@code namespace/name}. */
  public int pvcRefCount(String namespaceAndName) {
    return pvcRefCounts.getOrDefault(namespaceAndName, 0);
  }

  /** Image sizes by normalized name. */
  public Map<String, Long> imageSizes() {
    return imageSizes;
  }

  @Override
  public String toString() {
    return "NodeInfo{" + name + ", pods=" + pods.size() + ", requested=" + requested + "}";
  }
}
