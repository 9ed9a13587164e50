package dev.skiff.kubelet.config;

import dev.skiff.kubelet.cri.v1.LinuxContainerResources;
import dev.skiff.kubelet.pod.QosClass;
import dev.skiff.kubelet.volume.DownwardApi;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.Map;

/**
 * Cgroup settings on a cgroups v1 host with the cgroupfs driver, as Kubernetes computes them: the
 * pod's cgroup parent by QoS class ({@code <root>/pod<uid>}, {@code <root>/burstable/pod<uid>},
 * {@code <root>/besteffort/pod<uid>}); a container's cpu shares from its request (2 minimum, 262144
 * maximum), CFS quota from its limit over a 100 ms period, memory limit, and the OOM score
 * adjustment by QoS class.
 */
public final class LinuxResources {
  static final long MIN_SHARES = 2;
  static final long MAX_SHARES = 262144;
  static final long SHARES_PER_CPU = 1024;
  static final long QUOTA_PERIOD = 100000;
  static final long MIN_QUOTA = 1000;
  static final int GUARANTEED_OOM_SCORE_ADJ = -997;
  static final int BEST_EFFORT_OOM_SCORE_ADJ = 1000;
  static final String SYSTEM_NODE_CRITICAL = "system-node-critical";
  static final int SYSTEM_CRITICAL_PRIORITY = 2_000_000_000;

  private LinuxResources() {}

  public static String cgroupParent(Pod pod, String cgroupRoot) {
    String root =
        cgroupRoot.endsWith("/") ? cgroupRoot.substring(0, cgroupRoot.length() - 1) : cgroupRoot;
    String podCgroup = "pod" + pod.getMetadata().getUid();
    return switch (QosClass.of(pod.getSpec())) {
      case QosClass.GUARANTEED -> root + "/" + podCgroup;
      case QosClass.BURSTABLE -> root + "/burstable/" + podCgroup;
      default -> root + "/besteffort/" + podCgroup;
    };
  }

  public static LinuxContainerResources forContainer(
      Pod pod, Container container, long memoryCapacityBytes) {
    Map<String, Quantity> requests = requests(container);
    Map<String, Quantity> limits = limits(container);
    long cpuLimitMilli = DownwardApi.milliValue(limits.get("cpu")).longValueExact();
    long shares;
    if (!requests.containsKey("cpu") && cpuLimitMilli != 0) {
      shares = milliCpuToShares(cpuLimitMilli);
    } else {
      shares = milliCpuToShares(DownwardApi.milliValue(requests.get("cpu")).longValueExact());
    }
    LinuxContainerResources.Builder resources =
        LinuxContainerResources.newBuilder()
            .setCpuShares(shares)
            .setCpuPeriod(QUOTA_PERIOD)
            .setCpuQuota(milliCpuToQuota(cpuLimitMilli, QUOTA_PERIOD));
    long memoryLimit = DownwardApi.value(limits.get("memory"));
    if (memoryLimit != 0) {
      resources.setMemoryLimitInBytes(memoryLimit);
    }
    resources.setOomScoreAdj(oomScoreAdj(pod, container, memoryCapacityBytes));
    return resources.build();
  }

  /**
   * The pod-level resources Kubernetes reports on the sandbox: cpu shares, quota and memory limit
   * from the pod's effective requests and limits ({@link #podTotals}).
   */
  public static LinuxContainerResources forSandbox(Pod pod) {
    Map<String, BigDecimal> requests = podTotals(pod, false);
    Map<String, BigDecimal> limits = podTotals(pod, true);
    long cpuLimitMilli = milli(limits.get("cpu"));
    long shares =
        !requests.containsKey("cpu") && cpuLimitMilli != 0
            ? milliCpuToShares(cpuLimitMilli)
            : milliCpuToShares(milli(requests.get("cpu")));
    LinuxContainerResources.Builder resources =
        LinuxContainerResources.newBuilder()
            .setCpuShares(shares)
            .setCpuPeriod(QUOTA_PERIOD)
            .setCpuQuota(milliCpuToQuota(cpuLimitMilli, QUOTA_PERIOD));
    BigDecimal memory = limits.get("memory");
    if (memory != null && memory.signum() > 0) {
      resources.setMemoryLimitInBytes(memory.setScale(0, RoundingMode.CEILING).longValueExact());
    }
    return resources.build();
  }

  /**
   * A pod's effective requests (or limits) as Kubernetes sums them: the regular containers plus the
   * sidecars (restartable init containers), or the largest init container running beside the
   * sidecars started before it, whichever is larger, per resource.
   */
  static Map<String, BigDecimal> podTotals(Pod pod, boolean limits) {
    Map<String, BigDecimal> totals = new HashMap<>();
    for (Container container : pod.getSpec().getContainers()) {
      add(totals, amounts(container, limits));
    }
    Map<String, BigDecimal> sidecars = new HashMap<>();
    Map<String, BigDecimal> init = new HashMap<>();
    if (pod.getSpec().getInitContainers() != null) {
      for (Container container : pod.getSpec().getInitContainers()) {
        Map<String, BigDecimal> running;
        if ("Always".equals(container.getRestartPolicy())) {
          add(totals, amounts(container, limits));
          add(sidecars, amounts(container, limits));
          running = sidecars;
        } else {
          running = new HashMap<>(amounts(container, limits));
          add(running, sidecars);
        }
        max(init, running);
      }
    }
    max(totals, init);
    return totals;
  }

  private static Map<String, BigDecimal> amounts(Container container, boolean limits) {
    Map<String, BigDecimal> amounts = new HashMap<>();
    (limits ? limits(container) : requests(container))
        .forEach((name, quantity) -> amounts.put(name, quantity.getNumericalAmount()));
    return amounts;
  }

  private static void add(Map<String, BigDecimal> into, Map<String, BigDecimal> amounts) {
    amounts.forEach((name, amount) -> into.merge(name, amount, BigDecimal::add));
  }

  private static void max(Map<String, BigDecimal> into, Map<String, BigDecimal> amounts) {
    amounts.forEach((name, amount) -> into.merge(name, amount, BigDecimal::max));
  }

  private static long milli(BigDecimal amount) {
    return amount == null
        ? 0
        : amount.movePointRight(3).setScale(0, RoundingMode.CEILING).longValueExact();
  }

  static long milliCpuToShares(long milliCpu) {
    if (milliCpu == 0) {
      return MIN_SHARES;
    }
    long shares = milliCpu * SHARES_PER_CPU / 1000;
    return Math.min(MAX_SHARES, Math.max(MIN_SHARES, shares));
  }

  static long milliCpuToQuota(long milliCpu, long period) {
    if (milliCpu == 0) {
      return 0;
    }
    return Math.max(MIN_QUOTA, milliCpu * period / 1000);
  }

  /**
   * Guaranteed and node-critical pods -997, BestEffort 1000; Burstable {@code 1000 - 1000 * request
   * / capacity} kept within [3, 999], and a sidecar no higher than the regular container with the
   * smallest memory request.
   */
  static int oomScoreAdj(Pod pod, Container container, long memoryCapacity) {
    if (isNodeCritical(pod)) {
      return GUARANTEED_OOM_SCORE_ADJ;
    }
    String qos = QosClass.of(pod.getSpec());
    if (qos.equals(QosClass.GUARANTEED)) {
      return GUARANTEED_OOM_SCORE_ADJ;
    }
    if (qos.equals(QosClass.BEST_EFFORT) || memoryCapacity <= 0) {
      return BEST_EFFORT_OOM_SCORE_ADJ;
    }
    long request = DownwardApi.value(requests(container).get("memory"));
    long adjust = 1000 - (1000 * request) / memoryCapacity;
    if (isSidecar(pod, container)) {
      long minRegular = minRegularMemoryRequest(pod);
      if (minRegular != 0) {
        adjust = Math.min(adjust, 1000 - (1000 * minRegular) / memoryCapacity);
      }
    }
    if (adjust < 1000 + GUARANTEED_OOM_SCORE_ADJ) {
      return 1000 + GUARANTEED_OOM_SCORE_ADJ;
    }
    if (adjust == BEST_EFFORT_OOM_SCORE_ADJ) {
      return (int) adjust - 1;
    }
    return (int) adjust;
  }

  private static long minRegularMemoryRequest(Pod pod) {
    long min = 0;
    boolean first = true;
    for (Container regular : pod.getSpec().getContainers()) {
      long request = DownwardApi.value(requests(regular).get("memory"));
      min = first ? request : Math.min(min, request);
      first = false;
    }
    return min;
  }

  private static boolean isSidecar(Pod pod, Container container) {
    return "Always".equals(container.getRestartPolicy())
        && pod.getSpec().getInitContainers() != null
        && pod.getSpec().getInitContainers().stream()
            .anyMatch(init -> init.getName().equals(container.getName()));
  }

  /** A static, mirror or critical-priority pod of the system-node-critical class. */
  static boolean isNodeCritical(Pod pod) {
    if (!SYSTEM_NODE_CRITICAL.equals(pod.getSpec().getPriorityClassName())) {
      return false;
    }
    Map<String, String> annotations =
        pod.getMetadata().getAnnotations() == null ? Map.of() : pod.getMetadata().getAnnotations();
    String source = annotations.get("kubernetes.io/config.source");
    boolean staticPod = source != null && !source.equals("api");
    boolean mirror = annotations.containsKey("kubernetes.io/config.mirror");
    Integer priority = pod.getSpec().getPriority();
    return staticPod || mirror || (priority != null && priority >= SYSTEM_CRITICAL_PRIORITY);
  }

  private static Map<String, Quantity> requests(Container container) {
    return container.getResources() == null || container.getResources().getRequests() == null
        ? Map.of()
        : container.getResources().getRequests();
  }

  private static Map<String, Quantity> limits(Container container) {
    return container.getResources() == null || container.getResources().getLimits() == null
        ? Map.of()
        : container.getResources().getLimits();
  }
}
