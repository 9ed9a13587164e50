package dev.skiff.apiserver.admission;

import dev.skiff.api.Json;
import dev.skiff.apiserver.authz.Forbidden;
import dev.skiff.apiserver.authz.Loopback;
import dev.skiff.apiserver.http.ApiException;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Kubernetes' Priority admission: a new pod's {@code spec.priorityClassName} (or else the global
 * default PriorityClass) is resolved into {@code spec.priority} and {@code spec.preemptionPolicy};
 * an unknown class, or a priority in the spec that disagrees with the class, is refused. The
 * built-in classes {@code system-node-critical} and {@code system-cluster-critical} are created at
 * start by {@link #ensureSystemClasses}.
 */
public final class PriorityAdmission implements AdmissionPlugin {
  static final String PATH = "/apis/scheduling.k8s.io/v1/priorityclasses";
  static final int SYSTEM_CRITICAL = 2_000_000_000;

  private final Loopback api;

  public PriorityAdmission(Loopback api) {
    this.api = api;
  }

  @Override
  public String name() {
    return "Priority";
  }

  /** Creates the system PriorityClasses if they are missing. */
  public static void ensureSystemClasses(Loopback api) {
    create(
        api,
        "system-node-critical",
        SYSTEM_CRITICAL + 1000,
        "Used for system critical pods that must not be moved from their current node.");
    create(
        api,
        "system-cluster-critical",
        SYSTEM_CRITICAL,
        "Used for system critical pods that must run in the cluster, but can be moved to another"
            + " node if necessary.");
  }

  private static void create(Loopback api, String name, int value, String description) {
    if (api.get(PATH + "/" + name).isPresent()) {
      return;
    }
    ObjectNode priorityClass = Json.object();
    priorityClass.put("apiVersion", "scheduling.k8s.io/v1");
    priorityClass.put("kind", "PriorityClass");
    priorityClass.putObject("metadata").put("name", name);
    priorityClass.put("value", value);
    priorityClass.put("description", description);
    try {
      api.create(PATH, priorityClass);
    } catch (ApiException e) {
      if (e.code() != 409) {
        throw e;
      }
    }
  }

  @Override
  public void mutate(AdmissionRequest request) {
    if (!request.isCore("pods")
        || request.operation() != AdmissionRequest.Operation.CREATE
        || !request.subresource().isEmpty()) {
      return;
    }
    ObjectNode spec = (ObjectNode) request.object().path("spec");
    String className = spec.path("priorityClassName").asString("");
    int priority = 0;
    String preemptionPolicy = "PreemptLowerPriority";
    Optional<JsonNode> found;
    if (className.isEmpty()) {
      found = globalDefault();
      if (found.isPresent()) {
        className = found.get().path("metadata").path("name").asString();
        spec.put("priorityClassName", className);
      }
    } else {
      found = api.get(PATH + "/" + className).map(o -> o);
      if (found.isEmpty()) {
        throw Forbidden.error(
            "", "pods", request.name(), "no PriorityClass with name " + className + " was found");
      }
    }
    if (found.isPresent()) {
      priority = found.get().path("value").asInt(0);
      preemptionPolicy = found.get().path("preemptionPolicy").asString(preemptionPolicy);
    }
    // the registry's pod defaulting writes priority 0 before admission runs, so only a non-zero
    // priority that disagrees with the class can be told apart from "not provided"
    int given = spec.path("priority").asInt(0);
    if (given != 0 && given != priority) {
      throw Forbidden.error(
          "",
          "pods",
          request.name(),
          "the integer value of priority ("
              + given
              + ") must not be provided in pod spec; priority admission controller computed "
              + priority
              + " from the given PriorityClass name");
    }
    spec.put("priority", priority);
    // the registry defaults preemptionPolicy before admission too: the class decides
    spec.put("preemptionPolicy", preemptionPolicy);
  }

  private Optional<JsonNode> globalDefault() {
    JsonNode chosen = null;
    for (JsonNode priorityClass :
        api.get(PATH).map(l -> (JsonNode) l.path("items")).orElse(Json.MAPPER.createArrayNode())) {
      if (priorityClass.path("globalDefault").asBoolean(false)
          && (chosen == null
              || priorityClass.path("value").asInt() < chosen.path("value").asInt())) {
        chosen = priorityClass;
      }
    }
    return Optional.ofNullable(chosen);
  }
}
