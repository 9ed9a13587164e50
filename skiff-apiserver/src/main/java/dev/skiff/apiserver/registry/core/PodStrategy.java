package dev.skiff.apiserver.registry.core;

import dev.skiff.api.validation.FieldError;
import dev.skiff.apiserver.registry.DeletionStrategy;
import dev.skiff.apiserver.registry.Meta;
import dev.skiff.apiserver.registry.ResourceStrategy;
import dev.skiff.apiserver.registry.Traits;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Pods: defaults, QoS class, mostly immutable spec, graceful deletion of bound pods. */
public final class PodStrategy implements ResourceStrategy, DeletionStrategy {
  static final String IMMUTABLE_SPEC =
      "pod updates may not change fields other than `spec.containers[*].image`,"
          + "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only"
          + " additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to"
          + " be set to 1 if it was previously negative)";

  private static final Traits TRAITS = Traits.DEFAULT;

  @Override
  public void applyDefaults(ObjectNode pod) {
    ObjectNode spec = Meta.child(pod, "spec");
    PodTemplates.defaultSpec(spec);
  }

  @Override
  public void prepareForCreate(ObjectNode pod) {
    ObjectNode spec = Meta.child(pod, "spec");
    // a mirror pod (of a kubelet's static pod) runs under no service account
    if (!pod.path("metadata").path("annotations").has("kubernetes.io/config.mirror")) {
      Meta.defaultText(spec, "serviceAccountName", "default");
      Meta.defaultText(spec, "serviceAccount", Meta.text(spec, "serviceAccountName"));
    }
    Meta.defaultInt(spec, "priority", 0);
    Meta.defaultText(spec, "preemptionPolicy", "PreemptLowerPriority");
    ObjectNode status = pod.putObject("status");
    status.put("phase", "Pending");
    status.put("qosClass", qosClass(spec));
  }

  /** BestEffort without requests or limits, Guaranteed when every limit equals its request. */
  static String qosClass(JsonNode spec) {
    boolean any = false;
    boolean guaranteed = true;
    for (String list : List.of("initContainers", "containers")) {
      for (JsonNode container : spec.path(list)) {
        JsonNode resources = container.path("resources");
        JsonNode limits = resources.path("limits");
        JsonNode requests = resources.path("requests");
        if (!limits.isEmpty() || !requests.isEmpty()) {
          any = true;
        }
        for (String name : List.of("cpu", "memory")) {
          String limit = limits.path(name).asString("");
          String request = requests.path(name).asString(limit);
          if (limit.isEmpty() || !limit.equals(request)) {
            guaranteed = false;
          }
        }
      }
    }
    if (!any) {
      return "BestEffort";
    }
    return guaranteed ? "Guaranteed" : "Burstable";
  }

  @Override
  public List<FieldError> validate(ObjectNode pod) {
    return PodTemplates.validateSpec(pod.path("spec"), "spec");
  }

  @Override
  public List<FieldError> validateUpdate(ObjectNode pod, ObjectNode old) {
    List<FieldError> errors = new ArrayList<>(validate(pod));
    ObjectNode mutable = ((ObjectNode) pod.path("spec")).deepCopy();
    JsonNode oldSpec = old.path("spec");
    for (String list : List.of("containers", "initContainers")) {
      JsonNode oldList = oldSpec.path(list);
      int i = 0;
      for (JsonNode c : mutable.path(list)) {
        if (c instanceof ObjectNode container && oldList.has(i)) {
          container.set("image", oldList.get(i).get("image"));
        }
        i++;
      }
    }
    for (String field : List.of("activeDeadlineSeconds", "tolerations")) {
      if (oldSpec.has(field)) {
        mutable.set(field, oldSpec.get(field));
      } else {
        mutable.remove(field);
      }
    }
    if (!mutable.equals(oldSpec)) {
      errors.add(FieldError.forbidden("spec", IMMUTABLE_SPEC));
    }
    return errors;
  }

  @Override
  public Map<String, String> selectableFields(ObjectNode pod) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String field :
        List.of(
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "status.phase",
            "status.podIP",
            "status.nominatedNodeName")) {
      fields.put(field, Meta.textAt(pod, field));
    }
    fields.put(
        "spec.hostNetwork",
        Boolean.toString(pod.path("spec").path("hostNetwork").asBoolean(false)));
    return fields;
  }

  @Override
  public Traits traits() {
    return TRAITS;
  }

  /**
   * Unbound and finished pods go at once; bound pods wait for the kubelet for the requested grace
   * period or their terminationGracePeriodSeconds.
   */
  @Override
  public long gracePeriodSeconds(ObjectNode pod, Long requested) {
    String phase = Meta.textAt(pod, "status.phase");
    if (Meta.textAt(pod, "spec.nodeName").isEmpty()
        || phase.equals("Succeeded")
        || phase.equals("Failed")) {
      return 0;
    }
    long grace =
        requested != null
            ? requested
            : pod.path("spec").path("terminationGracePeriodSeconds").asLong(30);
    return grace < 0 ? 1 : grace;
  }

  @Override
  public boolean returnsDeletedObject() {
    return true;
  }
}
