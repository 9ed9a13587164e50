package dev.skiff.scheduler.plugins;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;

/**
 * A pod's hard node constraints: spec.nodeSelector and requiredDuringScheduling node affinity
 * (terms are ORed; an empty term matches nothing; expressions and fields of a term are ANDed).
 */
record RequiredNodeAffinity(Map<String, String> nodeSelector, List<NodeSelectorTerm> terms) {

  static RequiredNodeAffinity of(Pod pod) {
    Map<String, String> selector = pod.getSpec().getNodeSelector();
    List<NodeSelectorTerm> terms = null;
    if (pod.getSpec().getAffinity() != null
        && pod.getSpec().getAffinity().getNodeAffinity() != null) {
      NodeSelector required =
          pod.getSpec()
              .getAffinity()
              .getNodeAffinity()
              .getRequiredDuringSchedulingIgnoredDuringExecution();
      if (required != null) {
        terms =
            required.getNodeSelectorTerms() == null ? List.of() : required.getNodeSelectorTerms();
      }
    }
    return new RequiredNodeAffinity(selector == null ? Map.of() : selector, terms);
  }

  boolean matches(Node node) {
    Map<String, String> labels = node.getMetadata().getLabels();
    labels = labels == null ? Map.of() : labels;
    for (Map.Entry<String, String> e : nodeSelector.entrySet()) {
      if (!e.getValue().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    return terms == null || anyTermMatches(terms, node);
  }

  static boolean anyTermMatches(List<NodeSelectorTerm> terms, Node node) {
    for (NodeSelectorTerm term : terms) {
      if (termMatches(term, node)) {
        return true;
      }
    }
    return false;
  }

  static boolean termMatches(NodeSelectorTerm term, Node node) {
    List<NodeSelectorRequirement> exprs = nullToEmpty(term.getMatchExpressions());
    List<NodeSelectorRequirement> fields = nullToEmpty(term.getMatchFields());
    if (exprs.isEmpty() && fields.isEmpty()) {
      return false;
    }
    Map<String, String> labels = node.getMetadata().getLabels();
    labels = labels == null ? Map.of() : labels;
    for (NodeSelectorRequirement r : exprs) {
      if (!requirementMatches(r, labels.get(r.getKey()), labels.containsKey(r.getKey()))) {
        return false;
      }
    }
    for (NodeSelectorRequirement r : fields) {
      if (!"metadata.name".equals(r.getKey())) {
        return false;
      }
      if (!requirementMatches(r, node.getMetadata().getName(), true)) {
        return false;
      }
    }
    return true;
  }

  static boolean requirementMatches(NodeSelectorRequirement r, String value, boolean present) {
    List<String> values = nullToEmpty(r.getValues());
    return switch (r.getOperator()) {
      case "In" -> present && values.contains(value);
      case "NotIn" -> !present || !values.contains(value);
      case "Exists" -> present;
      case "DoesNotExist" -> !present;
      case "Gt", "Lt" -> {
        if (!present || values.size() != 1) {
          yield false;
        }
        try {
          long have = Long.parseLong(value);
          long want = Long.parseLong(values.get(0));
          yield r.getOperator().equals("Gt") ? have > want : have < want;
        } catch (NumberFormatException e) {
          yield false;
        }
      }
      default -> false;
    };
  }

  private static <T> List<T> nullToEmpty(List<T> l) {
    return l == null ? List.of() : l;
  }
}
