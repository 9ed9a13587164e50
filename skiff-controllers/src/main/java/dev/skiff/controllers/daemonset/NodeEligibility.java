package dev.skiff.controllers.daemonset;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Whether a DaemonSet pod should run on a node: its nodeSelector and required node affinity match,
 * and the node's NoSchedule/NoExecute taints are tolerated (with the tolerations Kubernetes adds to
 * every DaemonSet pod). A pod already there may keep running while only NoSchedule taints are not
 * tolerated.
 */
public final class NodeEligibility {
  public static final String NOT_READY = "node.kubernetes.io/not-ready";
  public static final String UNREACHABLE = "node.kubernetes.io/unreachable";
  public static final String DISK_PRESSURE = "node.kubernetes.io/disk-pressure";
  public static final String MEMORY_PRESSURE = "node.kubernetes.io/memory-pressure";
  public static final String PID_PRESSURE = "node.kubernetes.io/pid-pressure";
  public static final String UNSCHEDULABLE = "node.kubernetes.io/unschedulable";
  public static final String NETWORK_UNAVAILABLE = "node.kubernetes.io/network-unavailable";

  /** The answer for one node. */
  public record Decision(boolean shouldRun, boolean shouldContinueRunning) {}

  private NodeEligibility() {}

  public static Decision decide(PodSpec spec, Node node) {
    if (!matchesSelector(spec.getNodeSelector(), labels(node))
        || !matchesAffinity(spec.getAffinity(), node)) {
      return new Decision(false, false);
    }
    List<Toleration> tolerations = withDefaultTolerations(spec);
    boolean schedulable = true;
    boolean keepRunning = true;
    List<Taint> taints =
        node.getSpec() == null || node.getSpec().getTaints() == null
            ? List.of()
            : node.getSpec().getTaints();
    for (Taint taint : taints) {
      String effect = taint.getEffect();
      if (!"NoSchedule".equals(effect) && !"NoExecute".equals(effect)) {
        continue;
      }
      if (tolerations.stream().anyMatch(t -> tolerates(t, taint))) {
        continue;
      }
      schedulable = false;
      if ("NoExecute".equals(effect)) {
        keepRunning = false;
      }
    }
    return new Decision(schedulable, keepRunning);
  }

  /** The pod's tolerations plus the defaults Kubernetes adds to DaemonSet pods. */
  public static List<Toleration> withDefaultTolerations(PodSpec spec) {
    List<Toleration> all =
        spec.getTolerations() == null ? new ArrayList<>() : new ArrayList<>(spec.getTolerations());
    addIfMissing(all, NOT_READY, "NoExecute");
    addIfMissing(all, UNREACHABLE, "NoExecute");
    addIfMissing(all, DISK_PRESSURE, "NoSchedule");
    addIfMissing(all, MEMORY_PRESSURE, "NoSchedule");
    addIfMissing(all, PID_PRESSURE, "NoSchedule");
    addIfMissing(all, UNSCHEDULABLE, "NoSchedule");
    if (Boolean.TRUE.equals(spec.getHostNetwork())) {
      addIfMissing(all, NETWORK_UNAVAILABLE, "NoSchedule");
    }
    return all;
  }

  private static void addIfMissing(List<Toleration> tolerations, String key, String effect) {
    boolean present =
        tolerations.stream()
            .anyMatch(t -> key.equals(t.getKey()) && Objects.equals(effect, t.getEffect()));
    if (!present) {
      Toleration toleration = new Toleration();
      toleration.setKey(key);
      toleration.setOperator("Exists");
      toleration.setEffect(effect);
      tolerations.add(toleration);
    }
  }

  static boolean tolerates(Toleration toleration, Taint taint) {
    if (toleration.getEffect() != null
        && !toleration.getEffect().isEmpty()
        && !toleration.getEffect().equals(taint.getEffect())) {
      return false;
    }
    String key = toleration.getKey();
    String operator = toleration.getOperator() == null ? "Equal" : toleration.getOperator();
    if (key == null || key.isEmpty()) {
      return "Exists".equals(operator);
    }
    if (!key.equals(taint.getKey())) {
      return false;
    }
    if ("Exists".equals(operator)) {
      return true;
    }
    return Objects.equals(
        toleration.getValue() == null ? "" : toleration.getValue(),
        taint.getValue() == null ? "" : taint.getValue());
  }

  private static Map<String, String> labels(Node node) {
    return node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
  }

  static boolean matchesSelector(Map<String, String> selector, Map<String, String> labels) {
    if (selector == null) {
      return true;
    }
    return selector.entrySet().stream()
        .allMatch(e -> Objects.equals(labels.get(e.getKey()), e.getValue()));
  }

  static boolean matchesAffinity(Affinity affinity, Node node) {
    if (affinity == null
        || affinity.getNodeAffinity() == null
        || affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() == null) {
      return true;
    }
    NodeSelector required =
        affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
    if (required.getNodeSelectorTerms() == null) {
      return false;
    }
    // terms are ORed; an empty term matches nothing
    for (NodeSelectorTerm term : required.getNodeSelectorTerms()) {
      if (matchesTerm(term, node)) {
        return true;
      }
    }
    return false;
  }

  private static boolean matchesTerm(NodeSelectorTerm term, Node node) {
    List<NodeSelectorRequirement> expressions =
        term.getMatchExpressions() == null ? List.of() : term.getMatchExpressions();
    List<NodeSelectorRequirement> fields =
        term.getMatchFields() == null ? List.of() : term.getMatchFields();
    if (expressions.isEmpty() && fields.isEmpty()) {
      return false;
    }
    Map<String, String> labels = labels(node);
    for (NodeSelectorRequirement requirement : expressions) {
      if (!matches(requirement, labels.get(requirement.getKey()))) {
        return false;
      }
    }
    for (NodeSelectorRequirement requirement : fields) {
      if (!"metadata.name".equals(requirement.getKey())
          || !matches(requirement, node.getMetadata().getName())) {
        return false;
      }
    }
    return true;
  }

  private static boolean matches(NodeSelectorRequirement requirement, String value) {
    List<String> values = requirement.getValues() == null ? List.of() : requirement.getValues();
    return switch (requirement.getOperator()) {
      case "In" -> value != null && values.contains(value);
      case "NotIn" -> value == null || !values.contains(value);
      case "Exists" -> value != null;
      case "DoesNotExist" -> value == null;
      case "Gt", "Lt" -> {
        if (value == null || values.size() != 1) {
          yield false;
        }
        try {
          long actual = Long.parseLong(value);
          long bound = Long.parseLong(values.get(0));
          yield "Gt".equals(requirement.getOperator()) ? actual > bound : actual < bound;
        } catch (NumberFormatException e) {
          yield false;
        }
      }
      default -> false;
    };
  }
}
