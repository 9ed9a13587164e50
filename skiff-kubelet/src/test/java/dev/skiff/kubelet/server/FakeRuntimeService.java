package dev.skiff.kubelet.server;

import dev.skiff.kubelet.cri.CriClient;
import dev.skiff.kubelet.cri.CriLabels;
import dev.skiff.kubelet.cri.v1.AttachRequest;
import dev.skiff.kubelet.cri.v1.AttachResponse;
import dev.skiff.kubelet.cri.v1.Container;
import dev.skiff.kubelet.cri.v1.ContainerMetadata;
import dev.skiff.kubelet.cri.v1.ContainerState;
import dev.skiff.kubelet.cri.v1.ContainerStats;
import dev.skiff.kubelet.cri.v1.ContainerStatus;
import dev.skiff.kubelet.cri.v1.ContainerStatusRequest;
import dev.skiff.kubelet.cri.v1.ContainerStatusResponse;
import dev.skiff.kubelet.cri.v1.ExecRequest;
import dev.skiff.kubelet.cri.v1.ExecResponse;
import dev.skiff.kubelet.cri.v1.ListContainerStatsRequest;
import dev.skiff.kubelet.cri.v1.ListContainerStatsResponse;
import dev.skiff.kubelet.cri.v1.ListContainersRequest;
import dev.skiff.kubelet.cri.v1.ListContainersResponse;
import dev.skiff.kubelet.cri.v1.ListPodSandboxRequest;
import dev.skiff.kubelet.cri.v1.ListPodSandboxResponse;
import dev.skiff.kubelet.cri.v1.PodSandbox;
import dev.skiff.kubelet.cri.v1.PodSandboxState;
import dev.skiff.kubelet.cri.v1.PortForwardRequest;
import dev.skiff.kubelet.cri.v1.PortForwardResponse;
import dev.skiff.kubelet.cri.v1.ReopenContainerLogRequest;
import dev.skiff.kubelet.cri.v1.ReopenContainerLogResponse;
import dev.skiff.kubelet.cri.v1.RuntimeServiceGrpc;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** An in-memory CRI runtime service: containers, their log paths, stats and streaming URLs. */
final class FakeRuntimeService extends RuntimeServiceGrpc.RuntimeServiceImplBase
    implements AutoCloseable {
  final Map<String, ContainerStatus> statuses = new ConcurrentHashMap<>();
  final Map<String, Container> containers = new ConcurrentHashMap<>();
  final List<PodSandbox> sandboxes = new CopyOnWriteArrayList<>();
  final List<ContainerStats> stats = new CopyOnWriteArrayList<>();
  final List<String> reopened = new CopyOnWriteArrayList<>();
  final List<Object> streamingRequests = new CopyOnWriteArrayList<>();
  volatile String streamingUrl = "http://127.0.0.1:1/none";

  private final Server server;
  final CriClient client;

  FakeRuntimeService() throws IOException {
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor().addService(this).build().start();
    client = CriClient.over(InProcessChannelBuilder.forName(name).directExecutor().build(), "fake");
  }

  /** Adds a container attempt of a pod; its CRI log file is {@code logPath}. */
  void addContainer(
      String id,
      String namespace,
      String pod,
      String name,
      int restartCount,
      boolean running,
      Path logPath) {
    Map<String, String> labels =
        Map.of(
            CriLabels.POD_NAMESPACE, namespace,
            CriLabels.POD_NAME, pod,
            CriLabels.POD_UID, pod + "-uid",
            CriLabels.CONTAINER_NAME, name);
    ContainerState state =
        running ? ContainerState.CONTAINER_RUNNING : ContainerState.CONTAINER_EXITED;
    containers.put(
        id,
        Container.newBuilder()
            .setId(id)
            .setPodSandboxId(pod + "-sandbox")
            .setMetadata(ContainerMetadata.newBuilder().setName(name).setAttempt(restartCount))
            .setState(state)
            .setCreatedAt(1_700_000_000_000_000_000L + restartCount)
            .putAllLabels(labels)
            .putAnnotations(CriLabels.RESTART_COUNT, Integer.toString(restartCount))
            .build());
    statuses.put(
        id,
        ContainerStatus.newBuilder()
            .setId(id)
            .setState(state)
            .putAllLabels(labels)
            .setLogPath(logPath == null ? "" : logPath.toString())
            .build());
  }

  void setRunning(String id, boolean running) {
    ContainerState state =
        running ? ContainerState.CONTAINER_RUNNING : ContainerState.CONTAINER_EXITED;
    containers.computeIfPresent(id, (k, c) -> c.toBuilder().setState(state).build());
    statuses.computeIfPresent(id, (k, s) -> s.toBuilder().setState(state).build());
  }

  void addSandbox(String namespace, String pod) {
    sandboxes.add(
        PodSandbox.newBuilder()
            .setId(pod + "-sandbox")
            .setState(PodSandboxState.SANDBOX_READY)
            .putLabels(CriLabels.POD_NAMESPACE, namespace)
            .putLabels(CriLabels.POD_NAME, pod)
            .build());
  }

  @Override
  public void listContainers(
      ListContainersRequest request, StreamObserver<ListContainersResponse> response) {
    var filter = request.getFilter();
    List<Container> matching =
        containers.values().stream()
            .filter(
                c ->
                    filter.getLabelSelectorMap().entrySet().stream()
                        .allMatch(e -> e.getValue().equals(c.getLabelsMap().get(e.getKey()))))
            .filter(c -> !filter.hasState() || c.getState() == filter.getState().getState())
            .toList();
    response.onNext(ListContainersResponse.newBuilder().addAllContainers(matching).build());
    response.onCompleted();
  }

  @Override
  public void containerStatus(
      ContainerStatusRequest request, StreamObserver<ContainerStatusResponse> response) {
    ContainerStatus status = statuses.get(request.getContainerId());
    if (status == null) {
      response.onError(Status.NOT_FOUND.withDescription("no such container").asRuntimeException());
      return;
    }
    response.onNext(ContainerStatusResponse.newBuilder().setStatus(status).build());
    response.onCompleted();
  }

  @Override
  public void reopenContainerLog(
      ReopenContainerLogRequest request, StreamObserver<ReopenContainerLogResponse> response) {
    reopened.add(request.getContainerId());
    ContainerStatus status = statuses.get(request.getContainerId());
    try {
      Files.createFile(Path.of(status.getLogPath()));
    } catch (IOException e) {
      response.onError(Status.INTERNAL.withDescription(e.toString()).asRuntimeException());
      return;
    }
    response.onNext(ReopenContainerLogResponse.getDefaultInstance());
    response.onCompleted();
  }

  @Override
  public void exec(ExecRequest request, StreamObserver<ExecResponse> response) {
    streamingRequests.add(request);
    response.onNext(ExecResponse.newBuilder().setUrl(streamingUrl).build());
    response.onCompleted();
  }

  @Override
  public void attach(AttachRequest request, StreamObserver<AttachResponse> response) {
    streamingRequests.add(request);
    response.onNext(AttachResponse.newBuilder().setUrl(streamingUrl).build());
    response.onCompleted();
  }

  @Override
  public void portForward(
      PortForwardRequest request, StreamObserver<PortForwardResponse> response) {
    streamingRequests.add(request);
    response.onNext(PortForwardResponse.newBuilder().setUrl(streamingUrl).build());
    response.onCompleted();
  }

  @Override
  public void listPodSandbox(
      ListPodSandboxRequest request, StreamObserver<ListPodSandboxResponse> response) {
    var filter = request.getFilter();
    List<PodSandbox> matching =
        sandboxes.stream()
            .filter(
                s ->
                    filter.getLabelSelectorMap().entrySet().stream()
                        .allMatch(e -> e.getValue().equals(s.getLabelsMap().get(e.getKey()))))
            .toList();
    response.onNext(ListPodSandboxResponse.newBuilder().addAllItems(matching).build());
    response.onCompleted();
  }

  @Override
  public void listContainerStats(
      ListContainerStatsRequest request, StreamObserver<ListContainerStatsResponse> response) {
    response.onNext(ListContainerStatsResponse.newBuilder().addAllStats(stats).build());
    response.onCompleted();
  }

  @Override
  public void close() {
    client.close();
    server.shutdownNow();
  }
}
