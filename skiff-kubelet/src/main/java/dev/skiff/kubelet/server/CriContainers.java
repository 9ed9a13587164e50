package dev.skiff.kubelet.server;

import dev.skiff.kubelet.cri.CriClient;
import dev.skiff.kubelet.cri.CriLabels;
import dev.skiff.kubelet.cri.v1.Container;
import dev.skiff.kubelet.cri.v1.ContainerFilter;
import dev.skiff.kubelet.cri.v1.ContainerState;
import dev.skiff.kubelet.cri.v1.ContainerStateValue;
import dev.skiff.kubelet.cri.v1.ContainerStatus;
import dev.skiff.kubelet.cri.v1.ContainerStatusRequest;
import dev.skiff.kubelet.cri.v1.ListContainersRequest;
import dev.skiff.kubelet.cri.v1.ListPodSandboxRequest;
import dev.skiff.kubelet.cri.v1.PodSandbox;
import dev.skiff.kubelet.cri.v1.PodSandboxFilter;
import dev.skiff.kubelet.cri.v1.PodSandboxState;
import dev.skiff.kubelet.cri.v1.PodSandboxStateValue;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Finds a pod's containers and sandbox in the runtime by the kubelet's CRI labels. */
final class CriContainers {
  private final CriClient cri;

  CriContainers(CriClient cri) {
    this.cri = cri;
  }

  /** The attempts of one container, newest (highest restart count) first. */
  List<Container> attempts(String namespace, String pod, String container) {
    ContainerFilter filter =
        ContainerFilter.newBuilder()
            .putAllLabelSelector(
                Map.of(
                    CriLabels.POD_NAMESPACE, namespace,
                    CriLabels.POD_NAME, pod,
                    CriLabels.CONTAINER_NAME, container))
            .build();
    return cri
        .runtime()
        .listContainers(ListContainersRequest.newBuilder().setFilter(filter).build())
        .getContainersList()
        .stream()
        .sorted(
            Comparator.comparingInt(CriContainers::restartCount)
                .thenComparingLong(Container::getCreatedAt)
                .reversed())
        .toList();
  }

  /** Every running container of this runtime. */
  List<Container> running() {
    ContainerFilter filter =
        ContainerFilter.newBuilder()
            .setState(ContainerStateValue.newBuilder().setState(ContainerState.CONTAINER_RUNNING))
            .build();
    return cri.runtime()
        .listContainers(ListContainersRequest.newBuilder().setFilter(filter).build())
        .getContainersList();
  }

  Optional<ContainerStatus> status(String containerId) {
    try {
      return Optional.of(
          cri.runtime()
              .containerStatus(
                  ContainerStatusRequest.newBuilder().setContainerId(containerId).build())
              .getStatus());
    } catch (io.grpc.StatusRuntimeException e) {
      if (e.getStatus().getCode() == io.grpc.Status.Code.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  boolean isRunning(String containerId) {
    return status(containerId)
        .map(s -> s.getState() == ContainerState.CONTAINER_RUNNING)
        .orElse(false);
  }

  /** The ready sandbox of a pod, if any. */
  Optional<PodSandbox> readySandbox(String namespace, String pod) {
    PodSandboxFilter filter =
        PodSandboxFilter.newBuilder()
            .putAllLabelSelector(
                Map.of(CriLabels.POD_NAMESPACE, namespace, CriLabels.POD_NAME, pod))
            .setState(PodSandboxStateValue.newBuilder().setState(PodSandboxState.SANDBOX_READY))
            .build();
    return cri
        .runtime()
        .listPodSandbox(ListPodSandboxRequest.newBuilder().setFilter(filter).build())
        .getItemsList()
        .stream()
        .max(Comparator.comparingLong(PodSandbox::getCreatedAt));
  }

  static int restartCount(Container container) {
    try {
      return Integer.parseInt(container.getAnnotationsOrDefault(CriLabels.RESTART_COUNT, "0"));
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
