package dev.skiff.apiserver.rest;

import dev.skiff.api.selector.LabelSelector;
import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.registry.DeleteOptions;
import dev.skiff.apiserver.registry.GenericRegistry;
import dev.skiff.apiserver.registry.Meta;
import dev.skiff.apiserver.registry.UpdateMode;
import dev.skiff.apiserver.registry.WriteOptions;
import dev.skiff.apiserver.watch.CachedObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The pods/eviction decision, with Kubernetes' semantics: a pod that is terminal, pending or
 * already terminating is deleted without looking at budgets; otherwise the one PodDisruptionBudget
 * selecting the pod must allow a disruption, which the eviction consumes (disruptionsAllowed
 * decremented and the pod recorded in status.disruptedPods, by a compare-and-swap status update)
 * before the pod is deleted.
 */
final class PodEviction {
  /** Kubernetes' bound on status.disruptedPods entries the controller has not yet confirmed. */
  static final int MAX_DISRUPTED_PODS = 2000;

  static final String VIOLATION =
      "Cannot evict pod as it would violate the pod's disruption budget.";

  private static final int CONFLICT_RETRIES = 10;

  private final GenericRegistry pods;
  private final GenericRegistry budgets;

  PodEviction(GenericRegistry pods, GenericRegistry budgets) {
    this.pods = pods;
    this.budgets = budgets;
  }

  /** Evicts pod {@code name}: checks and consumes the budget, then deletes with {@code delete}. */
  void evict(String namespace, String name, DeleteOptions delete, WriteOptions write) {
    ObjectNode pod = pods.get(namespace, name);
    if (canIgnoreBudget(pod)) {
      deletePod(namespace, name, delete, write);
      return;
    }
    List<ObjectNode> selecting = budgetsSelecting(pod);
    if (selecting.size() > 1) {
      throw ApiException.internalError(
          "This pod has more than one PodDisruptionBudget, which the eviction subresource does"
              + " not support.");
    }
    if (selecting.isEmpty()) {
      deletePod(namespace, name, delete, write);
      return;
    }
    ObjectNode budget = selecting.get(0);
    if (!ready(pod) && unhealthyMayGo(budget)) {
      deletePod(namespace, name, withPodVersion(delete, pod), write);
      return;
    }
    consume(namespace, Meta.name(budget), name, delete.dryRun(), write);
    deletePod(namespace, name, delete, write);
  }

  /**
   * Marks the pod with the DisruptionTarget condition (reason EvictionByEvictionAPI), unless the
   * delete's preconditions already fail, then deletes it; a resourceVersion precondition moves to
   * the version the condition wrote.
   */
  private void deletePod(String namespace, String name, DeleteOptions delete, WriteOptions write) {
    DeleteOptions options = delete;
    if (!delete.dryRun()) {
      boolean[] marked = {false};
      var result =
          pods.patch(
              namespace,
              name,
              pod -> {
                marked[0] = preconditionsHold(pod, delete) && markDisruptionTarget(pod, pods.now());
                return pod;
              },
              UpdateMode.STATUS,
              new WriteOptions(false, write.fieldManager(), "v1", "status"));
      if (marked[0] && delete.resourceVersion() != null) {
        options =
            new DeleteOptions(
                delete.gracePeriodSeconds(),
                delete.uid(),
                Meta.resourceVersion(result.object()),
                delete.propagationPolicy(),
                false);
      }
    }
    pods.delete(namespace, name, options);
  }

  private static boolean preconditionsHold(ObjectNode pod, DeleteOptions delete) {
    return (delete.uid() == null || delete.uid().equals(Meta.uid(pod)))
        && (delete.resourceVersion() == null
            || delete.resourceVersion().equals(Meta.resourceVersion(pod)));
  }

  /** Sets DisruptionTarget=True; false when the pod already has it as wanted. */
  static boolean markDisruptionTarget(ObjectNode pod, String now) {
    ObjectNode status = Meta.child(pod, "status");
    ArrayNode conditions =
        status.get("conditions") instanceof ArrayNode array ? array : status.putArray("conditions");
    ObjectNode condition = null;
    for (JsonNode c : conditions) {
      if ("DisruptionTarget".equals(c.path("type").asString()) && c instanceof ObjectNode o) {
        condition = o;
      }
    }
    if (condition != null
        && "True".equals(condition.path("status").asString())
        && "EvictionByEvictionAPI".equals(condition.path("reason").asString())) {
      return false;
    }
    if (condition == null) {
      condition = conditions.addObject();
      condition.put("type", "DisruptionTarget");
    }
    if (!"True".equals(condition.path("status").asString())) {
      condition.put("lastTransitionTime", now);
    }
    condition.put("status", "True");
    condition.put("reason", "EvictionByEvictionAPI");
    condition.put("message", "Eviction API: evicting");
    return true;
  }

  /** Terminal, pending and terminating pods are deleted without a budget check. */
  static boolean canIgnoreBudget(ObjectNode pod) {
    String phase = Meta.textAt(pod, "status.phase");
    return phase.equals("Succeeded")
        || phase.equals("Failed")
        || phase.equals("Pending")
        || Meta.deleting(pod);
  }

  static boolean ready(JsonNode pod) {
    for (JsonNode condition : pod.path("status").path("conditions")) {
      if ("Ready".equals(condition.path("type").asString())) {
        return "True".equals(condition.path("status").asString());
      }
    }
    return false;
  }

  /**
   * An unready pod is not protected when the budget says AlwaysAllow, or (IfHealthyBudget, the
   * default) when the budget is currently satisfied.
   */
  static boolean unhealthyMayGo(ObjectNode budget) {
    if ("AlwaysAllow".equals(Meta.textAt(budget, "spec.unhealthyPodEvictionPolicy"))) {
      return true;
    }
    JsonNode status = budget.path("status");
    long desired = status.path("desiredHealthy").asLong(0);
    return status.path("currentHealthy").asLong(0) >= desired && desired > 0;
  }

  /** An unready pod is deleted only if it has not changed since the decision. */
  private static DeleteOptions withPodVersion(DeleteOptions delete, ObjectNode pod) {
    if (delete.uid() != null || delete.resourceVersion() != null) {
      return delete;
    }
    return new DeleteOptions(
        delete.gracePeriodSeconds(),
        null,
        Meta.resourceVersion(pod),
        delete.propagationPolicy(),
        delete.dryRun());
  }

  private static final Duration CACHE_FRESHNESS_WAIT = Duration.ofSeconds(5);

  private List<ObjectNode> budgetsSelecting(ObjectNode pod) {
    String namespace = Meta.namespace(pod);
    var labels = Meta.labels(pod);
    List<ObjectNode> out = new ArrayList<>();
    // read the budgets as consistently as a list at resourceVersion "": after this server's writes
    budgets.cache().waitFor(0, CACHE_FRESHNESS_WAIT);
    var page = budgets.cache().list(budgets.type().keyPrefix(namespace), object -> true, null, 0);
    for (CachedObject cached : page.items()) {
      LabelSelector selector;
      try {
        selector = LabelSelector.fromJson(cached.object().path("spec").get("selector"));
      } catch (IllegalArgumentException e) {
        continue;
      }
      if (selector.matches(labels)) {
        out.add(cached.object());
      }
    }
    return out;
  }

  /**
   * Checks the budget as stored now and takes one disruption from it by a status update conditional
   * on the resourceVersion read; a conflict re-reads and re-checks.
   */
  private void consume(
      String namespace, String budgetName, String podName, boolean dryRun, WriteOptions write) {
    for (int attempt = 1; ; attempt++) {
      ObjectNode budget = budgets.get(namespace, budgetName);
      ObjectNode updated = decremented(budget, podName, budgets.now());
      if (dryRun) {
        return;
      }
      try {
        budgets.update(namespace, budgetName, updated, UpdateMode.STATUS, write);
        return;
      } catch (ApiException e) {
        if (e.code() != 409 || attempt >= CONFLICT_RETRIES) {
          throw e;
        }
      }
    }
  }

  /**
   * The budget with one disruption taken for {@code podName}, or the Kubernetes error when none may
   * be taken. The copy keeps the read resourceVersion, so storing it is a compare-and-swap.
   */
  static ObjectNode decremented(ObjectNode budget, String podName, String now) {
    String name = Meta.name(budget);
    JsonNode status = budget.path("status");
    long generation = budget.path("metadata").path("generation").asLong(0);
    if (status.path("observedGeneration").asLong(0) < generation) {
      throw tooManyRequests(
          "The disruption budget " + name + " is still being processed by the server.");
    }
    long allowed = status.path("disruptionsAllowed").asLong(0);
    if (allowed < 0) {
      throw forbidden(name, "pdb disruptions allowed is negative");
    }
    if (status.path("disruptedPods").size() > MAX_DISRUPTED_PODS) {
      throw forbidden(
          name, "DisruptedPods map too big - too many evictions not confirmed by PDB controller");
    }
    if (allowed == 0) {
      throw tooManyRequests(
          "The disruption budget "
              + name
              + " needs "
              + status.path("desiredHealthy").asLong(0)
              + " healthy pods and has "
              + status.path("currentHealthy").asLong(0)
              + " currently");
    }
    ObjectNode copy = budget.deepCopy();
    ObjectNode newStatus = Meta.child(copy, "status");
    newStatus.put("disruptionsAllowed", allowed - 1);
    if (allowed - 1 == 0) {
      setInsufficient(newStatus, generation, now);
    }
    Meta.child(newStatus, "disruptedPods").put(podName, now);
    return copy;
  }

  private static void setInsufficient(ObjectNode status, long generation, String now) {
    ArrayNode conditions =
        status.get("conditions") instanceof ArrayNode array ? array : status.putArray("conditions");
    ObjectNode condition = null;
    for (JsonNode c : conditions) {
      if ("DisruptionAllowed".equals(c.path("type").asString()) && c instanceof ObjectNode o) {
        condition = o;
      }
    }
    if (condition == null) {
      condition = conditions.addObject();
      condition.put("type", "DisruptionAllowed");
    }
    if (!"False".equals(condition.path("status").asString())) {
      condition.put("lastTransitionTime", now);
    }
    condition.put("status", "False");
    condition.put("reason", "InsufficientPods");
    condition.put("message", "");
    condition.put("observedGeneration", generation);
  }

  private static ApiException tooManyRequests(String cause) {
    return new ApiException(
        429,
        "TooManyRequests",
        VIOLATION,
        new ApiException.Details(
            null,
            null,
            null,
            List.of(new ApiException.Cause("DisruptionBudget", cause, null)),
            null));
  }

  private static ApiException forbidden(String budget, String why) {
    return new ApiException(
        403,
        "Forbidden",
        "poddisruptionbudgets.policy \"" + budget + "\" is forbidden: " + why,
        new ApiException.Details(budget, "policy", "poddisruptionbudgets", null, null));
  }
}
