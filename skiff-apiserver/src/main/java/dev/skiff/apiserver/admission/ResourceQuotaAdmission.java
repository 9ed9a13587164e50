package dev.skiff.apiserver.admission;

import dev.skiff.api.quantity.Quantity;
import dev.skiff.apiserver.authz.Forbidden;
import dev.skiff.apiserver.authz.Loopback;
import dev.skiff.apiserver.http.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Kubernetes' ResourceQuota admission: a create is admitted only if, for every ResourceQuota of the
 * namespace that limits what the object uses, {@code status.used} plus the object's usage stays
 * within {@code spec.hard}; the quota's {@code status.used} is then raised with a compare-and-swap
 * update, so concurrent creates can never together pass the limit. Deletes give the usage back.
 * Object counts ({@code pods}, {@code services}, {@code configmaps}, {@code secrets}, {@code
 * persistentvolumeclaims}, {@code replicationcontrollers}, {@code resourcequotas}, {@code
 * count/<resource>[.<group>]}) and pod compute resources ({@code requests.cpu}, {@code cpu}, {@code
 * requests.memory}, {@code memory}, {@code limits.cpu}, {@code limits.memory}) are counted.
 */
public final class ResourceQuotaAdmission implements AdmissionPlugin {
  private static final Set<String> LEGACY_COUNTS =
      Set.of(
          "pods",
          "services",
          "configmaps",
          "secrets",
          "persistentvolumeclaims",
          "replicationcontrollers",
          "resourcequotas");
  private static final int MAX_ATTEMPTS = 32;

  private final Loopback api;
  private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

  public ResourceQuotaAdmission(Loopback api) {
    this.api = api;
  }

  @Override
  public String name() {
    return "ResourceQuota";
  }

  /** What one object uses, by quota resource name. */
  static Map<String, Quantity> usage(String group, String resource, ObjectNode object) {
    Map<String, Quantity> usage = new TreeMap<>();
    Quantity one = Quantity.of(1, Quantity.Format.DECIMAL_SI);
    usage.put(group.isEmpty() ? "count/" + resource : "count/" + resource + "." + group, one);
    if (group.isEmpty() && LEGACY_COUNTS.contains(resource)) {
      usage.put(resource, one);
    }
    if (group.isEmpty() && resource.equals("pods") && object != null) {
      String phase = object.path("status").path("phase").asString("");
      if (phase.equals("Succeeded") || phase.equals("Failed")) {
        usage.clear();
        return usage;
      }
      for (String kind : List.of("requests", "limits")) {
        for (String name : List.of("cpu", "memory")) {
          Quantity total = Quantity.ZERO;
          for (JsonNode container : object.path("spec").path("containers")) {
            JsonNode value = container.path("resources").path(kind).path(name);
            if (!value.isMissingNode() && !value.isNull()) {
              total = total.add(Quantity.fromJson(value));
            }
          }
          usage.put(kind + "." + name, total);
          if (kind.equals("requests")) {
            usage.put(name, total);
          }
        }
      }
    }
    return usage;
  }

  @Override
  public void validate(AdmissionRequest request) {
    if (request.namespace().isEmpty()
        || request.operation() == AdmissionRequest.Operation.UPDATE
        || !request.subresource().isEmpty()) {
      return;
    }
    boolean create = request.operation() == AdmissionRequest.Operation.CREATE;
    if (!create && request.old().path("metadata").has("deletionTimestamp")) {
      return; // a graceful deletion gave the usage back when it started
    }
    Map<String, Quantity> usage =
        usage(request.group(), request.resource(), create ? request.object() : request.old());
    if (usage.isEmpty()) {
      return;
    }
    ReentrantLock lock = locks.computeIfAbsent(request.namespace(), n -> new ReentrantLock());
    lock.lock();
    try {
      for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        if (apply(request, usage, create)) {
          return;
        }
      }
      throw ApiException.internalError(
          "could not update the resource quotas of namespace " + request.namespace());
    } finally {
      lock.unlock();
    }
  }

  /** One pass over the namespace's quotas; false when a quota changed under us (retry). */
  private boolean apply(AdmissionRequest request, Map<String, Quantity> usage, boolean create) {
    String base = "/api/v1/namespaces/" + request.namespace() + "/resourcequotas";
    Optional<ObjectNode> list = api.get(base);
    if (list.isEmpty()) {
      return true;
    }
    List<ObjectNode> updates = new ArrayList<>();
    for (JsonNode item : list.get().path("items")) {
      ObjectNode quota = ((ObjectNode) item).deepCopy();
      JsonNode hard = quota.path("spec").path("hard");
      List<String> covered = new ArrayList<>();
      for (String key : usage.keySet()) {
        if (hard.has(key)) {
          covered.add(key);
        }
      }
      if (covered.isEmpty()) {
        continue;
      }
      ObjectNode status =
          quota.get("status") instanceof ObjectNode s ? s : quota.putObject("status");
      status.set("hard", hard.deepCopy());
      ObjectNode used = status.get("used") instanceof ObjectNode u ? u : status.putObject("used");
      Map<String, Quantity> requested = new TreeMap<>();
      Map<String, Quantity> exceededUsed = new TreeMap<>();
      Map<String, Quantity> exceededHard = new TreeMap<>();
      for (String key : covered) {
        Quantity current = used.has(key) ? Quantity.fromJson(used.get(key)) : Quantity.ZERO;
        Quantity next = create ? current.add(usage.get(key)) : current.subtract(usage.get(key));
        if (next.signum() < 0) {
          next = Quantity.ZERO;
        }
        Quantity limit = Quantity.fromJson(hard.get(key));
        if (create && next.compareTo(limit) > 0) {
          requested.put(key, usage.get(key));
          exceededUsed.put(key, current);
          exceededHard.put(key, limit);
        }
        used.put(key, next.toString());
      }
      if (!exceededHard.isEmpty()) {
        throw Forbidden.error(
            request.group(),
            request.resource(),
            request.name(),
            "exceeded quota: "
                + quota.path("metadata").path("name").asString()
                + ", requested: "
                + print(requested)
                + ", used: "
                + print(exceededUsed)
                + ", limited: "
                + print(exceededHard));
      }
      updates.add(quota);
    }
    if (request.dryRun()) {
      return true;
    }
    for (ObjectNode quota : updates) {
      try {
        api.update(base + "/" + quota.path("metadata").path("name").asString() + "/status", quota);
      } catch (ApiException e) {
        if (e.code() == 409) {
          return false;
        }
        throw e;
      }
    }
    return true;
  }

  private static String print(Map<String, Quantity> values) {
    List<String> parts = new ArrayList<>();
    values.forEach((k, v) -> parts.add(k + "=" + v));
    return String.join(",", parts);
  }
}
