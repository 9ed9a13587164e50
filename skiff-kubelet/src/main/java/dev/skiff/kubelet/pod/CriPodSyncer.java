package dev.skiff.kubelet.pod;

import dev.skiff.client.Timestamps;
import dev.skiff.client.events.EventRecorder;
import dev.skiff.kubelet.config.SecurityContexts;
import dev.skiff.kubelet.cri.ContainerIds;
import dev.skiff.kubelet.cri.CriClient;
import dev.skiff.kubelet.cri.CriLabels;
import dev.skiff.kubelet.cri.v1.ContainerConfig;
import dev.skiff.kubelet.cri.v1.ContainerMetadata;
import dev.skiff.kubelet.cri.v1.CreateContainerRequest;
import dev.skiff.kubelet.cri.v1.PodSandboxConfig;
import dev.skiff.kubelet.cri.v1.RemoveContainerRequest;
import dev.skiff.kubelet.cri.v1.RemovePodSandboxRequest;
import dev.skiff.kubelet.cri.v1.RunPodSandboxRequest;
import dev.skiff.kubelet.cri.v1.StartContainerRequest;
import dev.skiff.kubelet.cri.v1.StopContainerRequest;
import dev.skiff.kubelet.cri.v1.StopPodSandboxRequest;
import dev.skiff.kubelet.pod.ContainerRuntimeStatus.Running;
import dev.skiff.kubelet.pod.ContainerRuntimeStatus.Terminated;
import dev.skiff.kubelet.pod.ContainerRuntimeStatus.Waiting;
import dev.skiff.kubelet.pod.RuntimePod.RuntimeContainer;
import dev.skiff.kubelet.pod.RuntimePod.Sandbox;
import dev.skiff.kubelet.prober.ProbeManager;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet's pod sync against a CRI runtime: computes {@link PodActions} from the spec and what
 * the runtime holds, carries them out (sandbox, volumes, images, init containers, sidecars,
 * containers, kills), and writes the pod's status when it changed. Also the target of liveness
 * failures, which it turns into a kill on the pod's next sync.
 */
public final class CriPodSyncer implements PodSyncer, ContainerProbes.LivenessFailures {
  private static final Logger LOG = LoggerFactory.getLogger(CriPodSyncer.class);
  private static final Set<String> KUBELET_CONDITIONS =
      Set.of(
          PodStatusGenerator.POD_READY_TO_START_CONTAINERS,
          PodStatusGenerator.INITIALIZED,
          PodStatusGenerator.READY,
          PodStatusGenerator.CONTAINERS_READY,
          PodStatusGenerator.POD_SCHEDULED);
  private static final long MINIMUM_GRACE_SECONDS = 2;
  private static final String DEFAULT_TERMINATION_MESSAGE_PATH = "/dev/termination-log";
  static final String EVICTED = "Evicted";
  static final String DISRUPTION_TARGET = "DisruptionTarget";
  static final String DEADLINE_EXCEEDED = "DeadlineExceeded";
  static final String DEADLINE_EXCEEDED_MESSAGE =
      "Pod was active on the node longer than the specified deadline";

  /** Everything the syncer needs besides the pod. */
  public record Dependencies(
      CriClient cri,
      PodRuntimeConfig config,
      ContainerProbes probes,
      ContainerHooks hooks,
      EventRecorder events,
      PodApi api,
      PullSecrets secrets,
      InstantSource clock,
      List<String> hostIps,
      String runtimeName,
      Duration imagePullTimeout) {
    public Dependencies {
      hostIps = List.copyOf(hostIps);
    }
  }

  /** What the syncer remembers about a pod between syncs. */
  private static final class PodState {
    final Map<String, Waiting> reasons = new ConcurrentHashMap<>();
    final Map<String, String> livenessKills = new ConcurrentHashMap<>();
    volatile PodStatus lastWritten;
    volatile String failureReason;
    volatile String failureMessage;
    volatile String evictionMessage;
  }

  private final Dependencies deps;
  private final CriClient cri;
  private final CriPods pods;
  private final Backoff crashBackoff;
  private final ImagePuller images;
  private final Consumer<String> wake;
  private final Map<String, PodState> states = new ConcurrentHashMap<>();

  /**
   * @param wake asks the pod's worker to sync (after a liveness failure)
   */
  public CriPodSyncer(Dependencies deps, Consumer<String> wake) {
    this.deps = deps;
    this.cri = deps.cri();
    this.pods = new CriPods(deps.cri());
    this.crashBackoff = Backoff.kubelet(deps.clock());
    this.images =
        new ImagePuller(
            deps.cri(),
            deps.secrets(),
            deps.events(),
            deps.clock(),
            Backoff.kubelet(deps.clock()),
            deps.imagePullTimeout());
    this.wake = wake;
  }

  /**
   * Evicts a pod for node pressure: its worker stops its containers at once and writes phase
   * Failed, reason Evicted, the message, and a DisruptionTarget condition.
   */
  public void evict(String podUid, String message) {
    state(podUid).evictionMessage = message;
    wake.accept(podUid);
  }

  @Override
  public void restart(String podUid, String containerName, String containerId, String message) {
    // probes name containers as statuses do; the runtime state has bare ids
    state(podUid).livenessKills.put(ContainerIds.bare(containerId), message);
    wake.accept(podUid);
  }

  // ---------------------------------------------------------------- SYNCING

  @Override
  public SyncResult syncPod(Pod pod) {
    String uid = pod.getMetadata().getUid();
    PodState st = state(uid);
    if (isTerminal(pod.getStatus()) || isTerminal(st.lastWritten)) {
      return new SyncResult(true, null);
    }
    RuntimePod runtime = pods.inspect(uid);
    if (st.evictionMessage != null) {
      st.failureReason = EVICTED;
      st.failureMessage = st.evictionMessage;
      killPod(pod, runtime, Duration.ZERO);
      writeStatus(pod, pods.inspect(uid), st, true);
      return new SyncResult(true, null);
    }
    if (activeDeadline(pod, st).filter(d -> !deps.clock().instant().isBefore(d)).isPresent()) {
      st.failureReason = DEADLINE_EXCEEDED;
      st.failureMessage = DEADLINE_EXCEEDED_MESSAGE;
      deps.events().event(pod, EventRecorder.NORMAL, DEADLINE_EXCEEDED, DEADLINE_EXCEEDED_MESSAGE);
      killPod(pod, runtime, PodWorkers.gracePeriod(pod));
      writeStatus(pod, pods.inspect(uid), st, true);
      return new SyncResult(true, null);
    }
    // a kill asked for a container that has stopped since is moot
    st.livenessKills
        .keySet()
        .removeIf(
            id -> runtime.containers().stream().noneMatch(c -> c.running() && c.id().equals(id)));
    PodActions actions =
        PodActions.compute(
            pod,
            runtime,
            crashBackoff,
            c -> c.running() && deps.probes().started(uid, c.name(), c.id()),
            Map.copyOf(st.livenessKills));
    Duration grace = PodWorkers.gracePeriod(pod);

    if (actions.killPod()) {
      if (actions.createSandbox()) {
        deps.events()
            .event(
                pod,
                EventRecorder.NORMAL,
                "SandboxChanged",
                "Pod sandbox changed, it will be killed and re-created.");
      }
      killPod(pod, runtime, grace);
    }
    for (PodActions.Kill kill : actions.kill()) {
      st.livenessKills.remove(kill.containerId());
      Container spec = containerSpec(pod, kill.name());
      killContainer(
          pod,
          spec,
          kill.containerId(),
          kill.message(),
          spec == null ? grace : ProbeManager.killGracePeriod(spec, kill.message(), grace),
          podIp(runtime));
    }
    actions
        .backOff()
        .forEach(
            (name, waiting) -> {
              st.reasons.put(name, waiting);
              deps.events()
                  .event(
                      pod,
                      EventRecorder.WARNING,
                      "BackOff",
                      "Back-off restarting failed container "
                          + name
                          + " in pod "
                          + PodActions.podDescription(pod));
            });

    if (!actions.podFinished()) {
      startWork(pod, runtime, actions, st);
    }

    RuntimePod after = pods.inspect(uid);
    if (removeDeadAttempts(after)) {
      after = pods.inspect(uid);
    }
    PodStatus status = writeStatus(pod, after, st, false);
    deps.probes().sync(pod, runtimeStatus(pod, after, st));
    boolean finished = isTerminal(status);
    return new SyncResult(finished, finished ? null : resyncAfter(pod, after, st));
  }

  private void startWork(Pod pod, RuntimePod runtime, PodActions actions, PodState st) {
    try {
      deps.config().setUpVolumes(pod);
    } catch (PodConfigException e) {
      deps.events().event(pod, EventRecorder.WARNING, e.reason(), e.getMessage());
      return;
    }
    String sandboxId = actions.sandboxId();
    int attempt =
        actions.createSandbox()
            ? actions.sandboxAttempt()
            : runtime.latestSandbox().map(Sandbox::attempt).orElse(0);
    PodSandboxConfig sandboxConfig;
    try {
      sandboxConfig = withPodLabels(pod, deps.config().sandboxConfig(pod, attempt));
    } catch (PodConfigException e) {
      deps.events()
          .event(
              pod,
              EventRecorder.WARNING,
              "FailedCreatePodSandBox",
              "Failed to create pod sandbox: " + e.getMessage());
      return;
    }
    String podIp = podIp(runtime);
    if (actions.createSandbox()) {
      try {
        sandboxId =
            cri.runtime()
                .runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(sandboxConfig).build())
                .getPodSandboxId();
      } catch (RuntimeException e) {
        deps.events()
            .event(
                pod,
                EventRecorder.WARNING,
                "FailedCreatePodSandBox",
                "Failed to create pod sandbox: " + CriErrors.describe(e));
        return;
      }
      podIp = podIp(pods.inspect(pod.getMetadata().getUid()));
    }
    for (PodActions.Start start : actions.start()) {
      boolean started = startContainer(pod, start, sandboxId, sandboxConfig, podIp, st);
      if (!started && start.init()) {
        break;
      }
    }
  }

  private boolean startContainer(
      Pod pod,
      PodActions.Start start,
      String sandboxId,
      PodSandboxConfig sandboxConfig,
      String podIp,
      PodState st) {
    Container c = start.container();
    String name = c.getName();
    try {
      String imageRef = images.ensureImage(pod, c, sandboxConfig);
      verifyRunAsNonRoot(pod, c);
      ContainerConfig config;
      try {
        config = deps.config().containerConfig(pod, c, sandboxConfig, podIp, start.restartCount());
      } catch (PodConfigException e) {
        throw new ContainerStartException(e.reason(), e.getMessage());
      }
      config = withKubeletMetadata(pod, c, config, start.restartCount());
      if (start.lastFinishedAt() != null) {
        crashBackoff.next(start.backoffKey(), start.lastFinishedAt());
      }
      String id;
      try {
        id =
            cri.runtime()
                .createContainer(
                    CreateContainerRequest.newBuilder()
                        .setPodSandboxId(sandboxId)
                        .setConfig(config)
                        .setSandboxConfig(sandboxConfig)
                        .build())
                .getContainerId();
      } catch (RuntimeException e) {
        throw new ContainerStartException("CreateContainerError", CriErrors.describe(e));
      }
      deps.events().event(pod, EventRecorder.NORMAL, "Created", "Created container " + name);
      try {
        cri.runtime().startContainer(StartContainerRequest.newBuilder().setContainerId(id).build());
      } catch (RuntimeException e) {
        throw new ContainerStartException("RunContainerError", CriErrors.describe(e));
      }
      deps.events().event(pod, EventRecorder.NORMAL, "Started", "Started container " + name);
      st.reasons.remove(name);
      LOG.debug(
          "container started pod={} container={} id={} image={}",
          pod.getMetadata().getName(),
          name,
          id,
          imageRef);
      try {
        deps.hooks().postStart(pod, c, id, podIp);
      } catch (PodConfigException e) {
        deps.events().event(pod, EventRecorder.WARNING, e.reason(), e.getMessage());
        killContainer(pod, c, id, e.reason(), PodWorkers.gracePeriod(pod), podIp);
        return false;
      }
      return true;
    } catch (ContainerStartException e) {
      st.reasons.put(name, new Waiting(e.reason(), e.getMessage()));
      boolean imageError =
          e.reason().equals(ImagePuller.ERR_IMAGE_PULL)
              || e.reason().equals(ImagePuller.IMAGE_PULL_BACK_OFF)
              || e.reason().equals(ImagePuller.ERR_IMAGE_NEVER_PULL);
      deps.events()
          .event(
              pod,
              EventRecorder.WARNING,
              "Failed",
              "Error: " + (imageError ? e.reason() : e.getMessage()));
      return false;
    }
  }

  /**
   * Refuses to create a container that must not run as root when its image's user is root or cannot
   * be told apart from root (a user name); asks the runtime only when runAsNonRoot is set.
   */
  private void verifyRunAsNonRoot(Pod pod, Container c) throws ContainerStartException {
    if (!SecurityContexts.runAsNonRoot(pod, c)) {
      return;
    }
    ImagePuller.ImageUser user = images.imageUser(c.getImage());
    try {
      SecurityContexts.verifyRunAsNonRoot(pod, c, user.uid(), user.username());
    } catch (PodConfigException e) {
      throw new ContainerStartException(e.reason(), e.getMessage());
    }
  }

  /** The labels the kubelet finds its sandboxes by, whatever the config put there. */
  private static PodSandboxConfig withPodLabels(Pod pod, PodSandboxConfig config) {
    return config.toBuilder()
        .putLabels(CriLabels.POD_UID, pod.getMetadata().getUid())
        .putLabels(CriLabels.POD_NAME, pod.getMetadata().getName())
        .putLabels(CriLabels.POD_NAMESPACE, pod.getMetadata().getNamespace())
        .build();
  }

  /**
   * The labels and annotations the kubelet reads back from the runtime (restartCount, hash ...).
   */
  private static ContainerConfig withKubeletMetadata(
      Pod pod, Container c, ContainerConfig config, int restartCount) {
    String path =
        c.getTerminationMessagePath() == null || c.getTerminationMessagePath().isEmpty()
            ? DEFAULT_TERMINATION_MESSAGE_PATH
            : c.getTerminationMessagePath();
    String policy =
        c.getTerminationMessagePolicy() == null ? "File" : c.getTerminationMessagePolicy();
    ContainerConfig.Builder b = config.toBuilder();
    b.setMetadata(ContainerMetadata.newBuilder().setName(c.getName()).setAttempt(restartCount));
    b.putLabels(CriLabels.POD_UID, pod.getMetadata().getUid())
        .putLabels(CriLabels.POD_NAME, pod.getMetadata().getName())
        .putLabels(CriLabels.POD_NAMESPACE, pod.getMetadata().getNamespace())
        .putLabels(CriLabels.CONTAINER_NAME, c.getName())
        .putAnnotations(CriLabels.RESTART_COUNT, Integer.toString(restartCount))
        .putAnnotations(CriLabels.CONTAINER_HASH, PodActions.containerHash(c))
        .putAnnotations(CriLabels.TERMINATION_MESSAGE_PATH, path)
        .putAnnotations(CriLabels.TERMINATION_MESSAGE_POLICY, policy)
        .putAnnotations(
            CriLabels.TERMINATION_GRACE_PERIOD,
            Long.toString(PodWorkers.gracePeriod(pod).toSeconds()));
    return b.build();
  }

  /**
   * Removes exited attempts of a container beyond the newest two (the current one and the one its
   * lastState reports), and sandboxes that are stopped and hold no container any more, so a
   * container in CrashLoopBackOff does not pile up dead containers.
   */
  private boolean removeDeadAttempts(RuntimePod runtime) {
    boolean removed = false;
    Map<String, Integer> seen = new HashMap<>();
    for (RuntimeContainer c : runtime.containers()) {
      int n = seen.merge(c.name(), 1, Integer::sum);
      if (n > 2 && c.exited()) {
        removeContainer(c.id());
        removed = true;
      }
    }
    Set<String> withContainers = new HashSet<>();
    runtime.containers().forEach(c -> withContainers.add(c.sandboxId()));
    for (Sandbox s : runtime.sandboxes().stream().skip(1).toList()) {
      if (!s.ready() && !withContainers.contains(s.id())) {
        try {
          cri.runtime()
              .removePodSandbox(
                  RemovePodSandboxRequest.newBuilder().setPodSandboxId(s.id()).build());
          removed = true;
        } catch (RuntimeException e) {
          if (!CriErrors.isNotFound(e)) {
            throw e;
          }
        }
      }
    }
    return removed;
  }

  private void removeContainer(String id) {
    try {
      cri.runtime().removeContainer(RemoveContainerRequest.newBuilder().setContainerId(id).build());
    } catch (RuntimeException e) {
      if (!CriErrors.isNotFound(e)) {
        throw e;
      }
    }
  }

  // ------------------------------------------------------------ TERMINATING

  @Override
  public void terminatePod(Pod pod, Duration gracePeriod) {
    String uid = pod.getMetadata().getUid();
    RuntimePod runtime = pods.inspect(uid);
    killPod(pod, runtime, gracePeriod);
    deps.probes().removePod(uid);
    writeStatus(pod, pods.inspect(uid), state(uid), true);
  }

  /**
   * Stops every running container (regular ones together, then sidecars in reverse order, each
   * after its preStop hook within the grace period) and then the sandboxes.
   */
  private void killPod(Pod pod, RuntimePod runtime, Duration grace) {
    Instant deadline = deps.clock().instant().plus(grace);
    String podIp = podIp(runtime);
    List<RuntimeContainer> regular = new ArrayList<>();
    List<RuntimeContainer> sidecars = new ArrayList<>();
    List<String> sidecarOrder = new ArrayList<>();
    if (pod.getSpec().getInitContainers() != null) {
      pod.getSpec().getInitContainers().stream()
          .filter(PodStatusGenerator::isSidecar)
          .forEach(c -> sidecarOrder.add(c.getName()));
    }
    for (RuntimeContainer c : runtime.containers()) {
      if (!c.running() && c.state() != RuntimePod.State.CREATED) {
        continue;
      }
      (sidecarOrder.contains(c.name()) ? sidecars : regular).add(c);
    }
    sidecars.sort(
        (a, b) -> Integer.compare(sidecarOrder.indexOf(b.name()), sidecarOrder.indexOf(a.name())));
    try (ExecutorService parallel = Executors.newVirtualThreadPerTaskExecutor()) {
      for (RuntimeContainer c : regular) {
        parallel.submit(() -> killBefore(pod, c, deadline, podIp));
      }
    }
    for (RuntimeContainer c : sidecars) {
      killBefore(pod, c, deadline, podIp);
    }
    for (Sandbox s : runtime.sandboxes()) {
      if (!s.ready()) {
        continue;
      }
      try {
        cri.runtime()
            .stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(s.id()).build());
      } catch (RuntimeException e) {
        if (!CriErrors.isNotFound(e)) {
          throw e;
        }
      }
    }
  }

  private void killBefore(Pod pod, RuntimeContainer c, Instant deadline, String podIp) {
    Duration remaining = Duration.between(deps.clock().instant(), deadline);
    killContainer(
        pod,
        containerSpec(pod, c.name()),
        c.id(),
        "Stopping container " + c.name(),
        remaining.isNegative() ? Duration.ZERO : remaining,
        podIp);
  }

  private void killContainer(
      Pod pod, Container spec, String id, String message, Duration grace, String podIp) {
    String name = spec == null ? id : spec.getName();
    deps.events().event(pod, EventRecorder.NORMAL, "Killing", message);
    Instant start = deps.clock().instant();
    if (spec != null) {
      deps.hooks().preStop(pod, spec, id, podIp, grace);
    }
    long seconds =
        Math.max(
            MINIMUM_GRACE_SECONDS,
            grace.minus(Duration.between(start, deps.clock().instant())).toSeconds());
    try {
      cri.runtime(seconds + CriClient.DEFAULT_TIMEOUT_SECONDS)
          .stopContainer(
              StopContainerRequest.newBuilder().setContainerId(id).setTimeout(seconds).build());
    } catch (RuntimeException e) {
      if (!CriErrors.isNotFound(e)) {
        LOG.warn(
            "stop container failed pod={} container={} error={}",
            pod.getMetadata().getName(),
            name,
            CriErrors.describe(e));
        throw e;
      }
    }
  }

  // ------------------------------------------------------------- TERMINATED

  @Override
  public void terminatedPod(Pod pod, boolean remove, boolean goneFromApi) {
    String uid = pod.getMetadata().getUid();
    deps.probes().removePod(uid);
    if (remove) {
      removeFromRuntime(pods.inspect(uid));
    }
    deps.config().tearDown(uid);
    if (remove) {
      crashBackoff.removeAll(uid + "/");
      states.remove(uid);
      if (!goneFromApi) {
        deps.api()
            .confirmDeletion(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), uid);
      }
    }
  }

  @Override
  public void removeOrphan(String podUid) {
    RuntimePod runtime = pods.inspect(podUid);
    for (RuntimeContainer c : runtime.containers()) {
      if (c.running() || c.state() == RuntimePod.State.CREATED) {
        try {
          cri.runtime(MINIMUM_GRACE_SECONDS + CriClient.DEFAULT_TIMEOUT_SECONDS)
              .stopContainer(
                  StopContainerRequest.newBuilder()
                      .setContainerId(c.id())
                      .setTimeout(MINIMUM_GRACE_SECONDS)
                      .build());
        } catch (RuntimeException e) {
          if (!CriErrors.isNotFound(e)) {
            throw e;
          }
        }
      }
    }
    removeFromRuntime(runtime);
    deps.probes().removePod(podUid);
    deps.config().tearDown(podUid);
    crashBackoff.removeAll(podUid + "/");
    states.remove(podUid);
  }

  private void removeFromRuntime(RuntimePod runtime) {
    for (RuntimeContainer c : runtime.containers()) {
      removeContainer(c.id());
    }
    for (Sandbox s : runtime.sandboxes()) {
      try {
        cri.runtime()
            .stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(s.id()).build());
        cri.runtime()
            .removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(s.id()).build());
      } catch (RuntimeException e) {
        if (!CriErrors.isNotFound(e)) {
          throw e;
        }
      }
    }
  }

  // ----------------------------------------------------------------- STATUS

  /** The runtime's view of the pod in the kubelet's status vocabulary. */
  PodRuntimeStatus runtimeStatus(Pod pod, RuntimePod runtime, PodState st) {
    Optional<Sandbox> sandbox = runtime.latestSandbox();
    boolean sandboxReady = sandbox.map(Sandbox::ready).orElse(false);
    List<String> podIps = sandbox.filter(Sandbox::ready).map(Sandbox::podIps).orElse(List.of());
    if (sandboxReady && podIps.isEmpty() && Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) {
      // a pod on the host's network has the host's addresses
      podIps = deps.hostIps();
    }
    Map<String, ContainerRuntimeStatus> containers = new HashMap<>();
    List<Container> all = new ArrayList<>();
    boolean hasInit = pod.getSpec().getInitContainers() != null;
    if (hasInit) {
      all.addAll(pod.getSpec().getInitContainers());
    }
    all.addAll(pod.getSpec().getContainers());
    for (Container c : all) {
      boolean init = hasInit && pod.getSpec().getInitContainers().contains(c);
      ContainerRuntimeStatus s = containerStatus(pod, c, init, runtime, st);
      if (s != null) {
        containers.put(c.getName(), s);
      }
    }
    return new PodRuntimeStatus(sandboxReady, podIps, deps.hostIps(), containers);
  }

  private ContainerRuntimeStatus containerStatus(
      Pod pod, Container c, boolean init, RuntimePod runtime, PodState st) {
    String uid = pod.getMetadata().getUid();
    List<RuntimeContainer> attempts = runtime.attempts(c.getName());
    Waiting cached = st.reasons.get(c.getName());
    if (attempts.isEmpty()) {
      return cached == null
          ? null
          : new ContainerRuntimeStatus(
              c.getName(), null, c.getImage(), null, cached, false, false, 0, null);
    }
    RuntimeContainer latest = attempts.getFirst();
    Terminated lastTerminated =
        attempts.size() > 1 && attempts.get(1).exited()
            ? terminated(attempts.get(1), deps.runtimeName())
            : null;
    ContainerRuntimeStatus.State state =
        switch (latest.state()) {
          case RUNNING -> new Running(latest.startedAt());
          case EXITED -> terminated(latest, deps.runtimeName());
          case CREATED -> new Waiting("ContainerCreating", null);
          case UNKNOWN ->
              new Waiting("ContainerStatusUnknown", "The container could not be located");
        };
    if (cached != null && !latest.running() && willRestart(pod, c, init, latest)) {
      if (state instanceof Terminated t) {
        lastTerminated = t;
      }
      state = cached;
    }
    boolean running = latest.running();
    boolean started = running && deps.probes().started(uid, c.getName(), latest.id());
    // an init container that finished well counts as ready, as the kubelet's prober manager says
    boolean ready =
        running
            ? deps.probes().ready(uid, c.getName(), latest.id())
            : init && !PodStatusGenerator.isSidecar(c) && latest.exited() && latest.exitCode() == 0;
    return new ContainerRuntimeStatus(
        c.getName(),
        ContainerIds.qualified(deps.runtimeName(), latest.id()),
        latest.image() == null || latest.image().isEmpty() ? c.getImage() : latest.image(),
        latest.imageRef(),
        state,
        ready,
        started,
        latest.restartCount(),
        lastTerminated);
  }

  private static Terminated terminated(RuntimeContainer c, String runtimeName) {
    String reason =
        c.reason() == null || c.reason().isEmpty()
            ? Terminated.reasonFor(c.exitCode())
            : c.reason();
    String message = c.message() == null || c.message().isEmpty() ? null : c.message();
    return new Terminated(
        c.exitCode(),
        reason,
        message,
        c.startedAt(),
        c.finishedAt(),
        ContainerIds.qualified(runtimeName, c.id()));
  }

  private static boolean willRestart(Pod pod, Container c, boolean init, RuntimeContainer latest) {
    if (!latest.exited() || PodStatusGenerator.isSidecar(c)) {
      return true;
    }
    String policy = PodStatusGenerator.restartPolicy(pod.getSpec());
    if (init) {
      return latest.exitCode() != 0 && !"Never".equals(policy);
    }
    return switch (policy) {
      case "Never" -> false;
      case "OnFailure" -> latest.exitCode() != 0;
      default -> true;
    };
  }

  /**
   * Generates the pod's status and writes it when it differs from what was last written. A pod that
   * is being terminated gets a terminal phase (Succeeded when every container exited 0).
   */
  private PodStatus writeStatus(Pod pod, RuntimePod runtime, PodState st, boolean terminal) {
    if (isTerminal(pod.getStatus())) {
      // a terminal phase is final: a restarted kubelet that lost the containers keeps it
      return pod.getStatus();
    }
    PodRuntimeStatus rs = runtimeStatus(pod, runtime, st);
    Pod base = new PodBuilder(pod).withStatus(previousStatus(pod, st.lastWritten)).build();
    PodStatus status = PodStatusGenerator.generate(base, rs, deps.clock().instant());
    PodStatus previous = st.lastWritten != null ? st.lastWritten : pod.getStatus();
    if (status.getPodIP() == null && previous != null && previous.getPodIP() != null) {
      // a stopped sandbox has no address any more; the pod keeps the one it had
      status.setPodIP(previous.getPodIP());
      status.setPodIPs(previous.getPodIPs());
    }
    if (terminal && st.failureReason != null) {
      status.setPhase(PodStatusGenerator.FAILED);
      status.setReason(st.failureReason);
      status.setMessage(st.failureMessage);
      if (st.evictionMessage != null) {
        List<PodCondition> conditions = new ArrayList<>();
        if (status.getConditions() != null) {
          status.getConditions().stream()
              .filter(c -> !DISRUPTION_TARGET.equals(c.getType()))
              .forEach(conditions::add);
        }
        PodCondition disruption = new PodCondition();
        disruption.setType(DISRUPTION_TARGET);
        disruption.setStatus("True");
        disruption.setReason("TerminationByKubelet");
        disruption.setMessage(st.evictionMessage);
        disruption.setLastTransitionTime(Timestamps.time(deps.clock().instant()));
        conditions.add(disruption);
        status.setConditions(conditions);
      }
    } else if (terminal && !isTerminal(status)) {
      boolean allSucceeded =
          pod.getSpec().getContainers().stream()
              .allMatch(
                  c -> {
                    ContainerRuntimeStatus s = rs.containers().get(c.getName());
                    return s != null && s.succeeded();
                  });
      status.setPhase(allSucceeded ? PodStatusGenerator.SUCCEEDED : PodStatusGenerator.FAILED);
    }
    if (status.equals(st.lastWritten)) {
      return status;
    }
    try {
      deps.api().patchStatus(pod, status);
      st.lastWritten = status;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404 || e.getCode() == 409) {
        // the pod is gone or replaced: its worker learns it from the informer
        st.lastWritten = status;
        return status;
      }
      throw e;
    }
    return status;
  }

  /**
   * The status to merge into: what this kubelet last wrote (the informer's copy may lag), with the
   * conditions others own taken from the API's copy.
   */
  private static PodStatus previousStatus(Pod pod, PodStatus lastWritten) {
    PodStatus api = pod.getStatus() == null ? new PodStatus() : pod.getStatus();
    if (lastWritten == null) {
      return api;
    }
    List<PodCondition> conditions = new ArrayList<>();
    if (api.getConditions() != null) {
      api.getConditions().stream()
          .filter(c -> !KUBELET_CONDITIONS.contains(c.getType()))
          .forEach(conditions::add);
    }
    if (lastWritten.getConditions() != null) {
      lastWritten.getConditions().stream()
          .filter(c -> KUBELET_CONDITIONS.contains(c.getType()))
          .forEach(conditions::add);
    }
    PodStatus merged = new PodStatus();
    merged.setConditions(conditions);
    merged.setStartTime(lastWritten.getStartTime());
    merged.setQosClass(lastWritten.getQosClass());
    return merged;
  }

  private Duration resyncAfter(Pod pod, RuntimePod runtime, PodState st) {
    Instant now = deps.clock().instant();
    Instant next = null;
    Map<String, Container> byName = new LinkedHashMap<>();
    if (pod.getSpec().getInitContainers() != null) {
      pod.getSpec().getInitContainers().forEach(c -> byName.put(c.getName(), c));
    }
    pod.getSpec().getContainers().forEach(c -> byName.put(c.getName(), c));
    for (Map.Entry<String, Waiting> e : st.reasons.entrySet()) {
      Container c = byName.get(e.getKey());
      if (c == null) {
        continue;
      }
      Instant at =
          switch (e.getValue().reason()) {
            case PodActions.CRASH_LOOP_BACK_OFF ->
                runtime
                    .latest(c.getName())
                    .filter(RuntimeContainer::exited)
                    .map(r -> crashBackoff.retryAt(PodActions.backoffKey(pod, c), r.finishedAt()))
                    .orElse(now);
            case ImagePuller.ERR_IMAGE_PULL, ImagePuller.IMAGE_PULL_BACK_OFF ->
                images.retryAt(pod, c.getImage());
            default -> now.plusSeconds(5);
          };
      if (next == null || at.isBefore(next)) {
        next = at;
      }
    }
    Optional<Instant> deadline = activeDeadline(pod, st);
    if (deadline.isPresent() && (next == null || deadline.get().isBefore(next))) {
      next = deadline.get();
    }
    if (next == null) {
      return null;
    }
    Duration d = Duration.between(now, next);
    return d.compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100) : d;
  }

  // ---------------------------------------------------------------- helpers

  /** When the pod's activeDeadlineSeconds, counted from its startTime, runs out. */
  private static Optional<Instant> activeDeadline(Pod pod, PodState st) {
    Long seconds = pod.getSpec().getActiveDeadlineSeconds();
    if (seconds == null) {
      return Optional.empty();
    }
    String start =
        st.lastWritten != null && st.lastWritten.getStartTime() != null
            ? st.lastWritten.getStartTime()
            : pod.getStatus() == null ? null : pod.getStatus().getStartTime();
    if (start == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(start).plusSeconds(seconds));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private PodState state(String uid) {
    return states.computeIfAbsent(uid, u -> new PodState());
  }

  private static boolean isTerminal(PodStatus status) {
    return status != null
        && (PodStatusGenerator.SUCCEEDED.equals(status.getPhase())
            || PodStatusGenerator.FAILED.equals(status.getPhase()));
  }

  private static String podIp(RuntimePod runtime) {
    return runtime
        .latestSandbox()
        .filter(Sandbox::ready)
        .flatMap(s -> s.podIps().stream().findFirst())
        .orElse("");
  }

  private static Container containerSpec(Pod pod, String name) {
    if (pod.getSpec().getInitContainers() != null) {
      for (Container c : pod.getSpec().getInitContainers()) {
        if (c.getName().equals(name)) {
          return c;
        }
      }
    }
    for (Container c : pod.getSpec().getContainers()) {
      if (c.getName().equals(name)) {
        return c;
      }
    }
    return null;
  }
}
