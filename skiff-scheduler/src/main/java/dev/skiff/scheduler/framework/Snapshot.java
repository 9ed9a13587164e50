package dev.skiff.scheduler.framework;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A consistent view of the nodes for one scheduling cycle. The cache refreshes it incrementally
 * before each cycle: only node infos that changed are copied.
 */
public final class Snapshot {
  private final Map<String, NodeInfo> byName = new HashMap<>();
  private List<NodeInfo> nodes = List.of();
  private List<NodeInfo> havePodsWithAffinity = List.of();
  private List<NodeInfo> havePodsWithRequiredAntiAffinity = List.of();
  private Map<String, Integer> imageNodeCounts = Map.of();

  /** A snapshot holding exactly {@code nodeInfos} (used as is, not copied). */
  public static Snapshot of(Collection<NodeInfo> nodeInfos) {
    Snapshot s = new Snapshot();
    List<String> order = new ArrayList<>();
    for (NodeInfo n : nodeInfos) {
      order.add(n.name());
    }
    s.update(nodeInfos, order);
    return s;
  }

  /**
   * Replaces changed node infos and, when {@code order} is not null, the node set and its order
   * (names missing from it are dropped).
   */
  public void update(Collection<NodeInfo> changed, List<String> order) {
    boolean affinityChanged = false;
    boolean imagesChanged = order != null;
    for (NodeInfo n : changed) {
      NodeInfo old = byName.put(n.name(), n);
      affinityChanged |= !n.podsWithAffinity().isEmpty();
      if (old != null) {
        affinityChanged |= !old.podsWithAffinity().isEmpty();
        imagesChanged |= old.imageSizes() != n.imageSizes();
      } else {
        imagesChanged = true;
      }
    }
    if (order != null) {
      byName.keySet().retainAll(order);
      List<NodeInfo> list = new ArrayList<>(order.size());
      for (String name : order) {
        NodeInfo n = byName.get(name);
        if (n != null) {
          list.add(n);
        }
      }
      nodes = List.copyOf(list);
      affinityChanged = true;
    } else if (!changed.isEmpty()) {
      List<NodeInfo> list = new ArrayList<>(nodes.size());
      for (NodeInfo n : nodes) {
        list.add(byName.get(n.name()));
      }
      nodes = List.copyOf(list);
    }
    if (affinityChanged) {
      List<NodeInfo> withAffinity = new ArrayList<>();
      List<NodeInfo> withAnti = new ArrayList<>();
      for (NodeInfo n : nodes) {
        if (!n.podsWithAffinity().isEmpty()) {
          withAffinity.add(n);
        }
        if (!n.podsWithRequiredAntiAffinity().isEmpty()) {
          withAnti.add(n);
        }
      }
      havePodsWithAffinity = List.copyOf(withAffinity);
      havePodsWithRequiredAntiAffinity = List.copyOf(withAnti);
    }
    if (imagesChanged) {
      Map<String, Integer> counts = new HashMap<>();
      for (NodeInfo n : nodes) {
        for (String image : n.imageSizes().keySet()) {
          counts.merge(image, 1, Integer::sum);
        }
      }
      imageNodeCounts = Map.copyOf(counts);
    }
  }

  public NodeInfo get(String nodeName) {
    return byName.get(nodeName);
  }

  /** All nodes, in a stable order. */
  public List<NodeInfo> nodes() {
    return nodes;
  }

  public List<NodeInfo> havePodsWithAffinity() {
    return havePodsWithAffinity;
  }

  public List<NodeInfo> havePodsWithRequiredAntiAffinity() {
    return havePodsWithRequiredAntiAffinity;
  }

  /** On how many nodes the (normalized) image is present. */
  public int imageNodeCount(String image) {
    return imageNodeCounts.getOrDefault(image, 0);
  }
}
