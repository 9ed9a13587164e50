package dev.skiff.scheduler.plugins;

import dev.skiff.scheduler.framework.NodeInfo;
import dev.skiff.scheduler.framework.PodInfo;
import dev.skiff.scheduler.framework.Resource;

/** What a node would have requested and can allocate per scored resource if the pod landed. */
final class ResourceAllocation {
  private ResourceAllocation() {}

  /**
   * Fills {@code requested} and {@code allocatable} for each resource. With {@code nonZero}, cpu
   * and memory count default requests for containers that name none. An extended resource the pod
   * does not request is left out (both zero).
   */
  static void compute(
      NodeInfo node,
      PodInfo pod,
      ResourceSpec[] resources,
      boolean nonZero,
      long[] requested,
      long[] allocatable) {
    for (int i = 0; i < resources.length; i++) {
      String r = resources[i].name();
      long podRequest;
      long nodeRequested;
      switch (r) {
        case Resource.CPU -> {
          podRequest = nonZero ? pod.nonZeroRequests().milliCpu : pod.requests().milliCpu;
          nodeRequested = nonZero ? node.nonZeroRequested().milliCpu : node.requested().milliCpu;
        }
        case Resource.MEMORY -> {
          podRequest = nonZero ? pod.nonZeroRequests().memory : pod.requests().memory;
          nodeRequested = nonZero ? node.nonZeroRequested().memory : node.requested().memory;
        }
        default -> {
          podRequest = pod.requests().get(r);
          nodeRequested = node.requested().get(r);
        }
      }
      boolean scalar =
          !r.equals(Resource.CPU)
              && !r.equals(Resource.MEMORY)
              && !r.equals(Resource.EPHEMERAL_STORAGE);
      if (scalar && podRequest == 0) {
        requested[i] = 0;
        allocatable[i] = 0;
        continue;
      }
      requested[i] = nodeRequested + podRequest;
      allocatable[i] = node.allocatable().get(r);
    }
  }
}
