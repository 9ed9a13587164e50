package dev.skiff.apiserver.authz;

import dev.skiff.apiserver.http.ApiException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Makes the stored default ClusterRoles and ClusterRoleBindings match {@link BootstrapPolicy} at
 * start, as kube-apiserver's RBAC post-start hook does: missing objects are created; existing ones
 * whose {@code rbac.authorization.kubernetes.io/autoupdate} annotation is not "false" get the
 * missing rules, subjects, labels and annotations added (nothing a user added is removed).
 */
public final class PolicyReconciler {
  private static final Logger log = LoggerFactory.getLogger(PolicyReconciler.class);
  static final String RBAC = "/apis/rbac.authorization.k8s.io/v1/";

  private final Loopback api;

  public PolicyReconciler(Loopback api) {
    this.api = api;
  }

  public void reconcile() {
    for (ObjectNode role : BootstrapPolicy.clusterRoles()) {
      reconcile("clusterroles", role, this::mergeRole);
    }
    for (ObjectNode binding : BootstrapPolicy.clusterRoleBindings()) {
      reconcile("clusterrolebindings", binding, this::mergeBinding);
    }
  }

  private interface Merge {
    boolean into(ObjectNode existing, ObjectNode wanted);
  }

  private void reconcile(String resource, ObjectNode wanted, Merge merge) {
    String name = wanted.path("metadata").path("name").asString();
    String path = RBAC + resource + "/" + name;
    for (int attempt = 0; attempt < 5; attempt++) {
      Optional<ObjectNode> existing = api.get(path);
      try {
        if (existing.isEmpty()) {
          api.create(RBAC + resource, wanted);
          log.debug("event=rbac_default_created resource={} name={}", resource, name);
          return;
        }
        ObjectNode current = existing.get();
        String autoupdate =
            current
                .path("metadata")
                .path("annotations")
                .path(BootstrapPolicy.AUTOUPDATE)
                .asString("");
        if (autoupdate.equals("false")) {
          return;
        }
        boolean changed = mergeMetadata(current, wanted);
        changed |= merge.into(current, wanted);
        if (changed) {
          api.update(path, current);
          log.info("event=rbac_default_reconciled resource={} name={}", resource, name);
        }
        return;
      } catch (ApiException e) {
        if (e.code() != 409) {
          throw e;
        }
      }
    }
    throw ApiException.internalError("could not reconcile " + resource + " " + name);
  }

  private static boolean mergeMetadata(ObjectNode current, ObjectNode wanted) {
    boolean changed = false;
    ObjectNode metadata = (ObjectNode) current.path("metadata");
    for (String field : List.of("labels", "annotations")) {
      ObjectNode have = metadata.get(field) instanceof ObjectNode o ? o : metadata.putObject(field);
      for (Map.Entry<String, JsonNode> entry : wanted.path("metadata").path(field).properties()) {
        if (!have.has(entry.getKey())) {
          have.set(entry.getKey(), entry.getValue());
          changed = true;
        }
      }
    }
    return changed;
  }

  private boolean mergeRole(ObjectNode current, ObjectNode wanted) {
    boolean changed = false;
    if (wanted.has("aggregationRule")) {
      changed |= addMissing(current, "aggregationRule", wanted);
      ArrayNode have = arrayAt((ObjectNode) current.get("aggregationRule"), "clusterRoleSelectors");
      for (JsonNode selector : wanted.path("aggregationRule").path("clusterRoleSelectors")) {
        if (!contains(have, selector)) {
          have.add(selector);
          changed = true;
        }
      }
      return changed;
    }
    List<PolicyRule> have = PolicyRule.listFromJson(current.path("rules"));
    ArrayNode rules = arrayAt(current, "rules");
    for (PolicyRule rule : PolicyRule.listFromJson(wanted.path("rules"))) {
      if (!covered(have, rule)) {
        rules.add(rule.toJson());
        changed = true;
      }
    }
    return changed;
  }

  private boolean mergeBinding(ObjectNode current, ObjectNode wanted) {
    boolean changed = false;
    ArrayNode subjects = arrayAt(current, "subjects");
    for (JsonNode subject : wanted.path("subjects")) {
      if (!contains(subjects, subject)) {
        subjects.add(subject);
        changed = true;
      }
    }
    return changed;
  }

  private static boolean addMissing(ObjectNode current, String field, ObjectNode wanted) {
    if (current.get(field) instanceof ObjectNode) {
      return false;
    }
    current.set(field, wanted.get(field).deepCopy());
    return true;
  }

  private static ArrayNode arrayAt(ObjectNode parent, String field) {
    return parent.get(field) instanceof ArrayNode array ? array : parent.putArray(field);
  }

  private static boolean contains(ArrayNode array, JsonNode value) {
    for (Iterator<JsonNode> it = array.iterator(); it.hasNext(); ) {
      if (it.next().equals(value)) {
        return true;
      }
    }
    return false;
  }

  private static boolean covered(List<PolicyRule> have, PolicyRule rule) {
    return new ArrayList<>(have).contains(rule)
        || RuleCoverage.covers(have, List.of(rule)).isEmpty();
  }
}
