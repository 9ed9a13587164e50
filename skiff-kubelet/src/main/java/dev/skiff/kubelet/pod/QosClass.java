package dev.skiff.kubelet.pod;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A pod's quality-of-service class as Kubernetes computes it from the cpu and memory requests and
 * limits of all its containers (init containers included): BestEffort when none is set, Guaranteed
 * when every container limits both cpu and memory and the summed requests equal the summed limits,
 * Burstable otherwise. A request left out defaults to its limit, as the API server's defaulting
 * does.
 */
public final class QosClass {
  public static final String GUARANTEED = "Guaranteed";
  public static final String BURSTABLE = "Burstable";
  public static final String BEST_EFFORT = "BestEffort";

  private static final List<String> COMPUTE = List.of("cpu", "memory");

  private QosClass() {}

  public static String of(PodSpec spec) {
    List<Container> containers = new ArrayList<>();
    if (spec.getInitContainers() != null) {
      containers.addAll(spec.getInitContainers());
    }
    if (spec.getContainers() != null) {
      containers.addAll(spec.getContainers());
    }
    Map<String, BigDecimal> requests = new HashMap<>();
    Map<String, BigDecimal> limits = new HashMap<>();
    boolean guaranteed = true;
    for (Container container : containers) {
      Map<String, Quantity> containerRequests =
          container.getResources() == null || container.getResources().getRequests() == null
              ? Map.of()
              : container.getResources().getRequests();
      Map<String, Quantity> containerLimits =
          container.getResources() == null || container.getResources().getLimits() == null
              ? Map.of()
              : container.getResources().getLimits();
      int limitsFound = 0;
      for (String resource : COMPUTE) {
        Quantity limit = containerLimits.get(resource);
        Quantity request = containerRequests.getOrDefault(resource, limit);
        if (request != null && request.getNumericalAmount().signum() > 0) {
          requests.merge(resource, request.getNumericalAmount(), BigDecimal::add);
        }
        if (limit != null && limit.getNumericalAmount().signum() > 0) {
          limits.merge(resource, limit.getNumericalAmount(), BigDecimal::add);
          limitsFound++;
        }
      }
      if (limitsFound < COMPUTE.size()) {
        guaranteed = false;
      }
    }
    if (requests.isEmpty() && limits.isEmpty()) {
      return BEST_EFFORT;
    }
    if (guaranteed && requests.keySet().equals(limits.keySet())) {
      for (Map.Entry<String, BigDecimal> request : requests.entrySet()) {
        if (request.getValue().compareTo(limits.get(request.getKey())) != 0) {
          return BURSTABLE;
        }
      }
      return GUARANTEED;
    }
    return BURSTABLE;
  }
}
