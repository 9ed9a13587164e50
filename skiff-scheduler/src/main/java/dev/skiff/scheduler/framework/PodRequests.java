package dev.skiff.scheduler.framework;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;

/**
 * The resources a pod asks for, computed as Kubernetes does: regular containers and sidecars
 * (restartable init containers) add up; each ordinary init container runs alone beside the sidecars
 * started before it, so the pod needs the maximum of the two; the pod overhead comes on top.
 */
public final class PodRequests {
  /** Assumed for a container without a cpu request when spreading load (scoring only). */
  public static final long DEFAULT_MILLI_CPU_REQUEST = 100;

  /** Assumed for a container without a memory request when spreading load (scoring only). */
  public static final long DEFAULT_MEMORY_REQUEST = 200L * 1024 * 1024;

  private PodRequests() {}

  /** The pod's effective requests. */
  public static Resource of(Pod pod) {
    return compute(pod, false);
  }

  /**
   * The effective requests where a container without a cpu or memory request counts the default
   * one: the load figure used by scoring.
   */
  public static Resource nonZero(Pod pod) {
    return compute(pod, true);
  }

  private static Resource compute(Pod pod, boolean nonZero) {
    PodSpec spec = pod.getSpec();
    Resource total = new Resource();
    if (spec == null) {
      return total;
    }
    for (Container c : list(spec.getContainers())) {
      total.add(containerRequests(c, nonZero));
    }
    Resource sidecars = new Resource();
    Resource initMax = new Resource();
    for (Container c : list(spec.getInitContainers())) {
      Resource req = containerRequests(c, nonZero);
      if ("Always".equals(c.getRestartPolicy())) {
        total.add(req);
        sidecars.add(req);
        initMax.setMaxOf(sidecars);
      } else {
        req.add(sidecars);
        initMax.setMaxOf(req);
      }
    }
    total.setMaxOf(initMax);
    if (spec.getOverhead() != null) {
      total.add(Resource.of(spec.getOverhead()));
    }
    return total;
  }

  private static Resource containerRequests(Container c, boolean nonZero) {
    Map<String, Quantity> requests =
        c.getResources() == null ? null : c.getResources().getRequests();
    Resource r = Resource.of(requests);
    if (nonZero) {
      if (requests == null || !requests.containsKey(Resource.CPU)) {
        r.milliCpu = DEFAULT_MILLI_CPU_REQUEST;
      }
      if (requests == null || !requests.containsKey(Resource.MEMORY)) {
        r.memory = DEFAULT_MEMORY_REQUEST;
      }
    }
    return r;
  }

  private static <T> List<T> list(List<T> l) {
    return l == null ? List.of() : l;
  }
}
