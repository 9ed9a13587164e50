package dev.skiff.kubelet.pod;

import dev.skiff.kubelet.cri.CriClient;
import dev.skiff.kubelet.cri.v1.Container;
import dev.skiff.kubelet.cri.v1.ContainerConfig;
import dev.skiff.kubelet.cri.v1.ContainerFilter;
import dev.skiff.kubelet.cri.v1.ContainerState;
import dev.skiff.kubelet.cri.v1.ContainerStatus;
import dev.skiff.kubelet.cri.v1.ContainerStatusRequest;
import dev.skiff.kubelet.cri.v1.ContainerStatusResponse;
import dev.skiff.kubelet.cri.v1.CreateContainerRequest;
import dev.skiff.kubelet.cri.v1.CreateContainerResponse;
import dev.skiff.kubelet.cri.v1.Image;
import dev.skiff.kubelet.cri.v1.ImageServiceGrpc;
import dev.skiff.kubelet.cri.v1.ImageSpec;
import dev.skiff.kubelet.cri.v1.ImageStatusRequest;
import dev.skiff.kubelet.cri.v1.ImageStatusResponse;
import dev.skiff.kubelet.cri.v1.Int64Value;
import dev.skiff.kubelet.cri.v1.ListContainersRequest;
import dev.skiff.kubelet.cri.v1.ListContainersResponse;
import dev.skiff.kubelet.cri.v1.ListPodSandboxRequest;
import dev.skiff.kubelet.cri.v1.ListPodSandboxResponse;
import dev.skiff.kubelet.cri.v1.PodIP;
import dev.skiff.kubelet.cri.v1.PodSandbox;
import dev.skiff.kubelet.cri.v1.PodSandboxConfig;
import dev.skiff.kubelet.cri.v1.PodSandboxFilter;
import dev.skiff.kubelet.cri.v1.PodSandboxNetworkStatus;
import dev.skiff.kubelet.cri.v1.PodSandboxState;
import dev.skiff.kubelet.cri.v1.PodSandboxStatus;
import dev.skiff.kubelet.cri.v1.PodSandboxStatusRequest;
import dev.skiff.kubelet.cri.v1.PodSandboxStatusResponse;
import dev.skiff.kubelet.cri.v1.PullImageRequest;
import dev.skiff.kubelet.cri.v1.PullImageResponse;
import dev.skiff.kubelet.cri.v1.RemoveContainerRequest;
import dev.skiff.kubelet.cri.v1.RemoveContainerResponse;
import dev.skiff.kubelet.cri.v1.RemovePodSandboxRequest;
import dev.skiff.kubelet.cri.v1.RemovePodSandboxResponse;
import dev.skiff.kubelet.cri.v1.RunPodSandboxRequest;
import dev.skiff.kubelet.cri.v1.RunPodSandboxResponse;
import dev.skiff.kubelet.cri.v1.RuntimeServiceGrpc;
import dev.skiff.kubelet.cri.v1.StartContainerRequest;
import dev.skiff.kubelet.cri.v1.StartContainerResponse;
import dev.skiff.kubelet.cri.v1.StopContainerRequest;
import dev.skiff.kubelet.cri.v1.StopContainerResponse;
import dev.skiff.kubelet.cri.v1.StopPodSandboxRequest;
import dev.skiff.kubelet.cri.v1.StopPodSandboxResponse;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory CRI runtime (RuntimeService and ImageService) served over an in-process gRPC
 * channel. Containers run until a test ends them; knobs make a container exit at start with a code,
 * get OOM-killed, or an image be missing or fail to pull.
 */
final class FakeRuntimeService implements AutoCloseable {
  static final String OOM_KILLED = "OOMKilled";

  /** A sandbox as the fake holds it. */
  static final class FakeSandbox {
    final String id;
    final PodSandboxConfig config;
    final Instant createdAt;
    volatile PodSandboxState state = PodSandboxState.SANDBOX_READY;
    final String ip;

    FakeSandbox(String id, PodSandboxConfig config, Instant createdAt, String ip) {
      this.id = id;
      this.config = config;
      this.createdAt = createdAt;
      this.ip = ip;
    }
  }

  /** A container as the fake holds it. */
  static final class FakeContainer {
    final String id;
    final String sandboxId;
    final ContainerConfig config;
    final Instant createdAt;
    volatile ContainerState state = ContainerState.CONTAINER_CREATED;
    volatile Instant startedAt;
    volatile Instant finishedAt;
    volatile int exitCode;
    volatile String reason = "";
    volatile long stopTimeout = -1;

    FakeContainer(String id, String sandboxId, ContainerConfig config, Instant createdAt) {
      this.id = id;
      this.sandboxId = sandboxId;
      this.config = config;
      this.createdAt = createdAt;
    }

    String name() {
      return config.getMetadata().getName();
    }
  }

  private final InstantSource clock;
  private final Server server;
  private final ManagedChannel channel;
  private final AtomicInteger ids = new AtomicInteger();
  private final AtomicInteger createdAtTick = new AtomicInteger();
  final Map<String, FakeSandbox> sandboxes = new ConcurrentHashMap<>();
  final Map<String, FakeContainer> containers = new ConcurrentHashMap<>();
  final Set<String> images = ConcurrentHashMap.newKeySet();
  final Map<String, Status> pullFailures = new ConcurrentHashMap<>();

  /** The user each image's config names: digits become CRI's uid, anything else its username. */
  final Map<String, String> imageUsers = new ConcurrentHashMap<>();

  final Map<String, Integer> exitAtStart = new ConcurrentHashMap<>();
  final Set<String> failSandbox = ConcurrentHashMap.newKeySet();
  final List<String> calls = new CopyOnWriteArrayList<>();
  final List<PullImageRequest> pulls = new CopyOnWriteArrayList<>();

  /** Sandboxes get no IP of their own, as for pods on the host's network. */
  volatile boolean hostNetworkSandboxes;

  FakeRuntimeService(InstantSource clock) {
    this.clock = clock;
    String name = InProcessServerBuilder.generateName();
    try {
      server =
          InProcessServerBuilder.forName(name)
              .directExecutor()
              .addService(new Runtime())
              .addService(new Images())
              .build()
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  CriClient client() {
    return CriClient.over(channel, "inprocess://fake");
  }

  // ---------------------------------------------------------------- knobs

  /** The named container exits with this code right after it starts (a crashing program). */
  void exitAtStart(String containerName, int code) {
    exitAtStart.put(containerName, code);
  }

  /** The running container with this name exits now. */
  void exit(String containerName, int code) {
    FakeContainer c = running(containerName);
    c.exitCode = code;
    c.reason = code == 0 ? "Completed" : "Error";
    c.finishedAt = clock.instant();
    c.state = ContainerState.CONTAINER_EXITED;
  }

  /** The running container with this name is killed by the kernel for its memory limit. */
  void oomKill(String containerName) {
    FakeContainer c = running(containerName);
    c.exitCode = 137;
    c.reason = OOM_KILLED;
    c.finishedAt = clock.instant();
    c.state = ContainerState.CONTAINER_EXITED;
  }

  /** The sandbox of the pod dies (its pause container exited). */
  void killSandbox(String podUid) {
    sandboxes.values().stream()
        .filter(s -> s.config.getMetadata().getUid().equals(podUid))
        .forEach(s -> s.state = PodSandboxState.SANDBOX_NOTREADY);
  }

  FakeContainer running(String containerName) {
    return containers.values().stream()
        .filter(c -> c.name().equals(containerName) && c.state == ContainerState.CONTAINER_RUNNING)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no running container " + containerName));
  }

  List<FakeContainer> attempts(String containerName) {
    return containers.values().stream()
        .filter(c -> c.name().equals(containerName))
        .sorted((a, b) -> a.createdAt.compareTo(b.createdAt))
        .toList();
  }

  @Override
  public void close() {
    channel.shutdownNow();
    server.shutdownNow();
  }

  private Instant now() {
    // distinct creation times keep newest-first ordering stable under a frozen clock
    return clock.instant().plusNanos(createdAtTick.incrementAndGet());
  }

  private static long nanos(Instant t) {
    return t == null ? 0 : t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  private static boolean matches(Map<String, String> selector, Map<String, String> labels) {
    return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }

  private ContainerStatus containerStatusOf(FakeContainer c) {
    return ContainerStatus.newBuilder()
        .setId(c.id)
        .setMetadata(c.config.getMetadata())
        .setState(c.state)
        .setCreatedAt(nanos(c.createdAt))
        .setStartedAt(nanos(c.startedAt))
        .setFinishedAt(nanos(c.finishedAt))
        .setExitCode(c.exitCode)
        .setImage(c.config.getImage())
        .setImageRef("sha256:" + Integer.toHexString(c.config.getImage().getImage().hashCode()))
        .setReason(c.reason)
        .putAllLabels(c.config.getLabelsMap())
        .putAllAnnotations(c.config.getAnnotationsMap())
        .addAllMounts(c.config.getMountsList())
        .setLogPath(c.config.getLogPath())
        .build();
  }

  private final class Runtime extends RuntimeServiceGrpc.RuntimeServiceImplBase {
    @Override
    public void runPodSandbox(
        RunPodSandboxRequest request, StreamObserver<RunPodSandboxResponse> out) {
      calls.add("RunPodSandbox");
      PodSandboxConfig config = request.getConfig();
      if (failSandbox.contains(config.getMetadata().getUid())) {
        out.onError(
            Status.UNKNOWN
                .withDescription("failed to setup network for sandbox")
                .asRuntimeException());
        return;
      }
      int n = ids.incrementAndGet();
      String id = "sandbox-" + n;
      sandboxes.put(
          id, new FakeSandbox(id, config, now(), hostNetworkSandboxes ? "" : "10.88.0." + n));
      out.onNext(RunPodSandboxResponse.newBuilder().setPodSandboxId(id).build());
      out.onCompleted();
    }

    @Override
    public void stopPodSandbox(
        StopPodSandboxRequest request, StreamObserver<StopPodSandboxResponse> out) {
      calls.add("StopPodSandbox");
      FakeSandbox s = sandboxes.get(request.getPodSandboxId());
      if (s != null) {
        s.state = PodSandboxState.SANDBOX_NOTREADY;
        containers.values().stream()
            .filter(c -> c.sandboxId.equals(s.id) && c.state == ContainerState.CONTAINER_RUNNING)
            .forEach(
                c -> {
                  c.state = ContainerState.CONTAINER_EXITED;
                  c.exitCode = 137;
                  c.reason = "Error";
                  c.finishedAt = clock.instant();
                });
      }
      out.onNext(StopPodSandboxResponse.getDefaultInstance());
      out.onCompleted();
    }

    @Override
    public void removePodSandbox(
        RemovePodSandboxRequest request, StreamObserver<RemovePodSandboxResponse> out) {
      calls.add("RemovePodSandbox");
      sandboxes.remove(request.getPodSandboxId());
      containers.values().removeIf(c -> c.sandboxId.equals(request.getPodSandboxId()));
      out.onNext(RemovePodSandboxResponse.getDefaultInstance());
      out.onCompleted();
    }

    @Override
    public void podSandboxStatus(
        PodSandboxStatusRequest request, StreamObserver<PodSandboxStatusResponse> out) {
      FakeSandbox s = sandboxes.get(request.getPodSandboxId());
      if (s == null) {
        out.onError(Status.NOT_FOUND.withDescription("sandbox not found").asRuntimeException());
        return;
      }
      out.onNext(
          PodSandboxStatusResponse.newBuilder()
              .setStatus(
                  PodSandboxStatus.newBuilder()
                      .setId(s.id)
                      .setMetadata(s.config.getMetadata())
                      .setState(s.state)
                      .setCreatedAt(nanos(s.createdAt))
                      .setNetwork(
                          s.ip.isEmpty()
                              ? PodSandboxNetworkStatus.getDefaultInstance()
                              : PodSandboxNetworkStatus.newBuilder()
                                  .setIp(s.ip)
                                  .addAdditionalIps(
                                      PodIP.newBuilder().setIp("fd00::" + s.id.substring(8)))
                                  .build())
                      .putAllLabels(s.config.getLabelsMap()))
              .build());
      out.onCompleted();
    }

    @Override
    public void listPodSandbox(
        ListPodSandboxRequest request, StreamObserver<ListPodSandboxResponse> out) {
      PodSandboxFilter filter = request.getFilter();
      ListPodSandboxResponse.Builder response = ListPodSandboxResponse.newBuilder();
      for (FakeSandbox s : sandboxes.values()) {
        if (!matches(filter.getLabelSelectorMap(), s.config.getLabelsMap())) {
          continue;
        }
        response.addItems(
            PodSandbox.newBuilder()
                .setId(s.id)
                .setMetadata(s.config.getMetadata())
                .setState(s.state)
                .setCreatedAt(nanos(s.createdAt))
                .putAllLabels(s.config.getLabelsMap()));
      }
      out.onNext(response.build());
      out.onCompleted();
    }

    @Override
    public void createContainer(
        CreateContainerRequest request, StreamObserver<CreateContainerResponse> out) {
      calls.add("CreateContainer " + request.getConfig().getMetadata().getName());
      String id = "container-" + ids.incrementAndGet();
      containers.put(
          id, new FakeContainer(id, request.getPodSandboxId(), request.getConfig(), now()));
      out.onNext(CreateContainerResponse.newBuilder().setContainerId(id).build());
      out.onCompleted();
    }

    @Override
    public void startContainer(
        StartContainerRequest request, StreamObserver<StartContainerResponse> out) {
      FakeContainer c = containers.get(request.getContainerId());
      calls.add("StartContainer " + c.name());
      c.startedAt = clock.instant();
      Integer code = exitAtStart.get(c.name());
      if (code != null) {
        c.exitCode = code;
        c.reason = code == 0 ? "Completed" : "Error";
        c.finishedAt = clock.instant();
        c.state = ContainerState.CONTAINER_EXITED;
      } else {
        c.state = ContainerState.CONTAINER_RUNNING;
      }
      out.onNext(StartContainerResponse.getDefaultInstance());
      out.onCompleted();
    }

    @Override
    public void stopContainer(
        StopContainerRequest request, StreamObserver<StopContainerResponse> out) {
      FakeContainer c = containers.get(request.getContainerId());
      if (c == null) {
        out.onError(Status.NOT_FOUND.withDescription("container not found").asRuntimeException());
        return;
      }
      calls.add("StopContainer " + c.name() + " " + request.getTimeout());
      c.stopTimeout = request.getTimeout();
      if (c.state == ContainerState.CONTAINER_RUNNING) {
        c.state = ContainerState.CONTAINER_EXITED;
        c.exitCode = 143;
        c.reason = "Error";
        c.finishedAt = clock.instant();
      }
      out.onNext(StopContainerResponse.getDefaultInstance());
      out.onCompleted();
    }

    @Override
    public void removeContainer(
        RemoveContainerRequest request, StreamObserver<RemoveContainerResponse> out) {
      calls.add("RemoveContainer");
      containers.remove(request.getContainerId());
      out.onNext(RemoveContainerResponse.getDefaultInstance());
      out.onCompleted();
    }

    @Override
    public void listContainers(
        ListContainersRequest request, StreamObserver<ListContainersResponse> out) {
      ContainerFilter filter = request.getFilter();
      ListContainersResponse.Builder response = ListContainersResponse.newBuilder();
      for (FakeContainer c : containers.values()) {
        if (!matches(filter.getLabelSelectorMap(), c.config.getLabelsMap())) {
          continue;
        }
        response.addContainers(
            Container.newBuilder()
                .setId(c.id)
                .setPodSandboxId(c.sandboxId)
                .setMetadata(c.config.getMetadata())
                .setImage(c.config.getImage())
                .setState(c.state)
                .setCreatedAt(nanos(c.createdAt))
                .putAllLabels(c.config.getLabelsMap())
                .putAllAnnotations(c.config.getAnnotationsMap()));
      }
      out.onNext(response.build());
      out.onCompleted();
    }

    @Override
    public void containerStatus(
        ContainerStatusRequest request, StreamObserver<ContainerStatusResponse> out) {
      FakeContainer c = containers.get(request.getContainerId());
      if (c == null) {
        out.onError(Status.NOT_FOUND.withDescription("container not found").asRuntimeException());
        return;
      }
      out.onNext(ContainerStatusResponse.newBuilder().setStatus(containerStatusOf(c)).build());
      out.onCompleted();
    }
  }

  private final class Images extends ImageServiceGrpc.ImageServiceImplBase {
    @Override
    public void imageStatus(ImageStatusRequest request, StreamObserver<ImageStatusResponse> out) {
      String image = request.getImage().getImage();
      ImageStatusResponse.Builder response = ImageStatusResponse.newBuilder();
      if (images.contains(image)) {
        Image.Builder found =
            Image.newBuilder()
                .setId("sha256:" + Integer.toHexString(image.hashCode()))
                .addRepoTags(image)
                .setSize(1234)
                .setSpec(ImageSpec.newBuilder().setImage(image));
        String user = imageUsers.get(image);
        if (user != null && user.matches("\\d+")) {
          found.setUid(Int64Value.newBuilder().setValue(Long.parseLong(user)));
        } else if (user != null) {
          found.setUsername(user);
        }
        response.setImage(found);
      }
      out.onNext(response.build());
      out.onCompleted();
    }

    @Override
    public void pullImage(PullImageRequest request, StreamObserver<PullImageResponse> out) {
      String image = request.getImage().getImage();
      pulls.add(request);
      calls.add("PullImage " + image);
      Status failure = pullFailures.get(image);
      if (failure != null) {
        out.onError(failure.asRuntimeException());
        return;
      }
      images.add(image);
      out.onNext(
          PullImageResponse.newBuilder()
              .setImageRef("sha256:" + Integer.toHexString(image.hashCode()))
              .build());
      out.onCompleted();
    }
  }
}
