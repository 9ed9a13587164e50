package dev.skiff.controllers.resourcequota;

import dev.skiff.api.quantity.Quantity;
import dev.skiff.client.Timestamps;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Service;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Usage of a namespace in ResourceQuota resource names, as Kubernetes' quota evaluators count it:
 * pods (non-terminal only) with their cpu/memory requests and limits (the larger of the sum of the
 * containers and the largest init container, plus overhead), services (with nodeports and
 * loadbalancers), configmaps, secrets, persistentvolumeclaims (with requests.storage), and
 * count/RESOURCE for each of them.
 */
public final class QuotaUsage {
  /** The objects of one namespace. */
  public record Namespace(
      List<Pod> pods,
      List<Service> services,
      int configMaps,
      int secrets,
      List<PersistentVolumeClaim> claims) {}

  private QuotaUsage() {}

  /**
   * The usage of every resource named in {@code hard} that these evaluators know ("0" when none is
   * used); resources they do not know are left out, as Kubernetes leaves out unmatched ones.
   */
  public static Map<String, String> used(Map<String, ?> hard, Namespace objects, Instant now) {
    Map<String, Quantity> all = usage(objects, now);
    Map<String, String> used = new TreeMap<>();
    for (String resource : hard.keySet()) {
      Quantity amount = all.get(resource);
      if (amount != null) {
        used.put(resource, amount.canonical());
      }
    }
    return used;
  }

  static Map<String, Quantity> usage(Namespace objects, Instant now) {
    Map<String, Quantity> usage = new HashMap<>();
    for (String resource : List.of("cpu", "memory", "ephemeral-storage")) {
      usage.put(resource, Quantity.ZERO);
      usage.put("requests." + resource, Quantity.ZERO);
      usage.put("limits." + resource, Quantity.ZERO);
    }
    usage.put("requests.storage", Quantity.ZERO);
    long pods = 0;
    for (Pod pod : objects.pods()) {
      if (!counts(pod, now)) {
        continue;
      }
      pods++;
      for (String kind : List.of("requests", "limits")) {
        for (String resource : List.of("cpu", "memory", "ephemeral-storage")) {
          Quantity amount = podAmount(pod, kind, resource);
          add(usage, kind + "." + resource, amount);
          if (kind.equals("requests")) {
            add(usage, resource, amount);
          }
        }
      }
    }
    count(usage, "pods", pods);
    count(usage, "count/pods", pods);
    long services = objects.services().size();
    count(usage, "services", services);
    count(usage, "count/services", services);
    long nodePorts = 0;
    long loadBalancers = 0;
    for (Service service : objects.services()) {
      String type = service.getSpec() == null ? null : service.getSpec().getType();
      if ("LoadBalancer".equals(type)) {
        loadBalancers++;
      }
      if ("NodePort".equals(type) || "LoadBalancer".equals(type)) {
        nodePorts += service.getSpec().getPorts() == null ? 0 : service.getSpec().getPorts().size();
      }
    }
    count(usage, "services.nodeports", nodePorts);
    count(usage, "services.loadbalancers", loadBalancers);
    count(usage, "configmaps", objects.configMaps());
    count(usage, "count/configmaps", objects.configMaps());
    count(usage, "secrets", objects.secrets());
    count(usage, "count/secrets", objects.secrets());
    long claims = objects.claims().size();
    count(usage, "persistentvolumeclaims", claims);
    count(usage, "count/persistentvolumeclaims", claims);
    for (PersistentVolumeClaim claim : objects.claims()) {
      var requests =
          claim.getSpec() == null || claim.getSpec().getResources() == null
              ? null
              : claim.getSpec().getResources().getRequests();
      if (requests != null && requests.get("storage") != null) {
        add(usage, "requests.storage", Quantity.parse(requests.get("storage").toString()));
      }
    }
    return usage;
  }

  /**
   * Whether a pod is charged: not Succeeded or Failed, and not past the end of its deletion grace
   * period.
   */
  static boolean counts(Pod pod, Instant now) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
      return false;
    }
    String deletion = pod.getMetadata().getDeletionTimestamp();
    Long grace = pod.getMetadata().getDeletionGracePeriodSeconds();
    if (deletion != null && grace != null) {
      Instant at = Timestamps.parse(deletion);
      return at == null || !now.isAfter(at.plusSeconds(grace));
    }
    return true;
  }

  private static Quantity podAmount(Pod pod, String kind, String resource) {
    Quantity sum = Quantity.ZERO;
    for (Container c : orEmpty(pod.getSpec().getContainers())) {
      sum = sum.add(amount(c.getResources(), kind, resource));
    }
    for (Container c : orEmpty(pod.getSpec().getInitContainers())) {
      Quantity init = amount(c.getResources(), kind, resource);
      if (init.compareTo(sum) > 0) {
        sum = init;
      }
    }
    Map<String, io.fabric8.kubernetes.api.model.Quantity> overhead = pod.getSpec().getOverhead();
    if (overhead != null && overhead.get(resource) != null && !sum.isZero()) {
      sum = sum.add(Quantity.parse(overhead.get(resource).toString()));
    }
    return sum;
  }

  private static Quantity amount(ResourceRequirements requirements, String kind, String resource) {
    if (requirements == null) {
      return Quantity.ZERO;
    }
    var map = kind.equals("requests") ? requirements.getRequests() : requirements.getLimits();
    if (map == null || map.get(resource) == null) {
      return Quantity.ZERO;
    }
    return Quantity.parse(map.get(resource).toString());
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }

  private static void add(Map<String, Quantity> usage, String resource, Quantity amount) {
    usage.merge(resource, amount, Quantity::add);
  }

  private static void count(Map<String, Quantity> usage, String resource, long n) {
    usage.put(resource, Quantity.of(n, Quantity.Format.DECIMAL_SI));
  }
}
