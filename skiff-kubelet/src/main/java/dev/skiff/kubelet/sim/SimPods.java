package dev.skiff.kubelet.sim;

import dev.skiff.client.Timestamps;
import dev.skiff.kubelet.pod.ContainerRuntimeStatus;
import dev.skiff.kubelet.pod.ContainerRuntimeStatus.Running;
import dev.skiff.kubelet.pod.ContainerRuntimeStatus.Terminated;
import dev.skiff.kubelet.pod.PodRuntimeStatus;
import dev.skiff.kubelet.pod.PodStatusGenerator;
import dev.skiff.kubelet.pod.PodUsage;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The simulated container runtime: pods bound to a simulated node run nothing, yet report what a
 * kubelet would. A pod starts at once (init containers completed, sidecars and containers running
 * and ready, an IP from its node's range); one whose run time elapses (the {@code
 * sim.skiff.io/run-seconds} annotation, else the default for restartPolicy Never/OnFailure) exits
 * with {@code sim.skiff.io/exit-code} (default 0) and then ends Succeeded or Failed, or restarts as
 * its restartPolicy says; a pod marked for deletion is deleted for good once its grace period ends.
 *
 * <p>{@link #sync(Pod, Instant)} decides, the caller acts; safe to call from several threads for
 * different pods.
 */
public final class SimPods {
  public static final String RUN_SECONDS_ANNOTATION = "sim.skiff.io/run-seconds";
  public static final String EXIT_CODE_ANNOTATION = "sim.skiff.io/exit-code";

  private final Function<String, SimNode> nodes;
  private final Duration defaultRunTime;
  private final Map<String, SimPodState> states = new ConcurrentHashMap<>();
  private final Map<String, PodUsage> usage = new ConcurrentHashMap<>();

  /**
   * @param nodes the simulated node of a name, or null for a node that is not ours
   * @param defaultRunTime run time of Never/OnFailure pods without annotation; null for forever
   */
  public SimPods(Function<String, SimNode> nodes, Duration defaultRunTime) {
    this.nodes = nodes;
    this.defaultRunTime = defaultRunTime;
  }

  /** Whether the pod is bound to one of our nodes. */
  public boolean owns(Pod pod) {
    return pod.getSpec() != null
        && pod.getSpec().getNodeName() != null
        && nodes.apply(pod.getSpec().getNodeName()) != null;
  }

  public SimPodAction sync(Pod pod, Instant now) {
    if (!owns(pod)) {
      return new SimPodAction.None();
    }
    SimNode node = nodes.apply(pod.getSpec().getNodeName());
    String uid = pod.getMetadata().getUid();
    String namespace = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    PodUsage.fromAnnotations(pod.getMetadata().getAnnotations())
        .ifPresentOrElse(
            u -> usage.put(namespace + "/" + name, u), () -> usage.remove(namespace + "/" + name));
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    boolean terminal =
        PodStatusGenerator.SUCCEEDED.equals(phase) || PodStatusGenerator.FAILED.equals(phase);

    if (pod.getMetadata().getDeletionTimestamp() != null) {
      Instant deadline = Timestamps.parse(pod.getMetadata().getDeletionTimestamp());
      if (terminal || !now.isBefore(deadline)) {
        forget(uid);
        return new SimPodAction.ConfirmDeletion(namespace, name, uid);
      }
      return new SimPodAction.WakeAt(deadline);
    }
    if (terminal) {
      SimPodState state = states.get(uid);
      if (state != null) {
        state.releaseIp();
      }
      return new SimPodAction.None();
    }

    SimPodState state = states.computeIfAbsent(uid, u -> start(pod, node, now));
    if (state.ip == null) {
      // the node's range is full: try again later, as a kubelet retries sandbox creation
      states.remove(uid);
      return new SimPodAction.WakeAt(now.plusSeconds(5));
    }
    boolean finished = state.advance(now);
    String version = finished ? "terminated" : "running-" + state.restarts;
    Instant wakeAt = finished ? null : state.finishAt;
    if (version.equals(state.written)) {
      return wakeAt == null ? new SimPodAction.None() : new SimPodAction.WakeAt(wakeAt);
    }
    PodRuntimeStatus runtime = state.runtimeStatus(pod, finished);
    return new SimPodAction.WriteStatus(
        pod, PodStatusGenerator.generate(pod, runtime, now), version, wakeAt);
  }

  /** Records that the status of {@code version} reached the API server. */
  public void written(String uid, String version) {
    SimPodState state = states.get(uid);
    if (state != null) {
      state.written = version;
    }
  }

  /** Drops what is known about a pod that is gone, freeing its IP. */
  public void forget(String uid) {
    SimPodState state = states.remove(uid);
    if (state != null) {
      state.releaseIp();
    }
  }

  /** The usage a running pod declares through its annotations. */
  public Optional<PodUsage> usage(String namespace, String name) {
    return Optional.ofNullable(usage.get(namespace + "/" + name));
  }

  /** Forgets the usage of a pod that is gone. */
  public void forgetUsage(String namespace, String name) {
    usage.remove(namespace + "/" + name);
  }

  int tracked() {
    return states.size();
  }

  private SimPodState start(Pod pod, SimNode node, Instant now) {
    SimPodState state = new SimPodState();
    state.uid = pod.getMetadata().getUid();
    state.hostIp = node.config().internalIp();
    state.restartPolicy = PodStatusGenerator.restartPolicy(pod.getSpec());
    state.exitCode = exitCode(pod);
    Duration runTime = runTime(pod, state.restartPolicy);
    ContainerStatus adopted = adoptable(pod);
    if (adopted != null) {
      // a pod this runtime started before a restart of the process: carry on where it was
      state.startedAt = Timestamps.parse(pod.getStatus().getStartTime());
      state.containerStartedAt = Timestamps.parse(adopted.getState().getRunning().getStartedAt());
      state.restarts = adopted.getRestartCount() == null ? 0 : adopted.getRestartCount();
      state.ip = pod.getStatus().getPodIP();
      if (!Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) {
        state.range = node.podIps();
        state.range.claim(state.uid, state.ip);
      }
      state.written = "running-" + state.restarts;
    } else {
      state.startedAt = now;
      state.containerStartedAt = now;
      if (Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) {
        state.ip = state.hostIp;
      } else {
        state.range = node.podIps();
        state.ip = state.range.allocate(state.uid);
      }
    }
    state.runTime = runTime;
    state.finishAt = runTime == null ? null : state.containerStartedAt.plus(runTime);
    return state;
  }

  /** A status this runtime wrote: Running, every container running with a sim:// id. */
  private static ContainerStatus adoptable(Pod pod) {
    if (pod.getStatus() == null
        || !PodStatusGenerator.RUNNING.equals(pod.getStatus().getPhase())
        || pod.getStatus().getStartTime() == null
        || pod.getStatus().getPodIP() == null
        || pod.getStatus().getContainerStatuses() == null
        || pod.getStatus().getContainerStatuses().isEmpty()) {
      return null;
    }
    for (ContainerStatus c : pod.getStatus().getContainerStatuses()) {
      if (c.getContainerID() == null
          || !c.getContainerID().startsWith("sim://")
          || c.getState() == null
          || c.getState().getRunning() == null) {
        return null;
      }
    }
    return pod.getStatus().getContainerStatuses().getFirst();
  }

  private Duration runTime(Pod pod, String restartPolicy) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    String value = annotations == null ? null : annotations.get(RUN_SECONDS_ANNOTATION);
    if (value != null) {
      try {
        BigDecimal seconds = new BigDecimal(value.trim());
        if (seconds.signum() >= 0) {
          return Duration.ofMillis(seconds.movePointRight(3).longValue());
        }
      } catch (NumberFormatException e) {
        // not a number: fall back to the default
      }
    }
    return "Always".equals(restartPolicy) ? null : defaultRunTime;
  }

  private static int exitCode(Pod pod) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    String value = annotations == null ? null : annotations.get(EXIT_CODE_ANNOTATION);
    if (value == null) {
      return 0;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** What the simulated runtime knows of one pod. */
  private static final class SimPodState {
    String uid;
    String hostIp;
    String ip;
    PodIpRange range;
    String restartPolicy;
    int exitCode;
    Duration runTime;
    Instant startedAt;
    Instant containerStartedAt;
    Instant finishAt;
    int restarts;
    Instant lastStartedAt;
    Instant lastFinishedAt;
    volatile String written;

    /**
     * Moves the containers' clock to {@code now}: runs that ended restart when the restartPolicy
     * says so. Returns whether the pod has finished for good.
     */
    synchronized boolean advance(Instant now) {
      while (finishAt != null && !now.isBefore(finishAt)) {
        boolean restart =
            "Always".equals(restartPolicy) || ("OnFailure".equals(restartPolicy) && exitCode != 0);
        if (!restart || runTime.isZero()) {
          return true;
        }
        restarts++;
        lastStartedAt = containerStartedAt;
        lastFinishedAt = finishAt;
        containerStartedAt = finishAt;
        finishAt = finishAt.plus(runTime);
      }
      return false;
    }

    void releaseIp() {
      if (range != null) {
        range.release(uid);
      }
    }

    PodRuntimeStatus runtimeStatus(Pod pod, boolean finished) {
      Map<String, ContainerRuntimeStatus> containers = new HashMap<>();
      List<Container> inits =
          pod.getSpec().getInitContainers() == null ? List.of() : pod.getSpec().getInitContainers();
      for (Container c : inits) {
        ContainerRuntimeStatus.State state;
        boolean sidecar = PodStatusGenerator.isSidecar(c);
        if (sidecar && !finished) {
          state = new Running(startedAt);
        } else {
          Instant end = sidecar ? finishAt : startedAt;
          state = new Terminated(0, "Completed", null, startedAt, end);
        }
        boolean up = sidecar && !finished;
        containers.put(
            c.getName(),
            new ContainerRuntimeStatus(
                c.getName(), containerId(c, 0), c.getImage(), imageId(c), state, up, up, 0, null));
      }
      for (Container c : pod.getSpec().getContainers()) {
        ContainerRuntimeStatus.State state =
            finished
                ? new Terminated(
                    exitCode, Terminated.reasonFor(exitCode), null, containerStartedAt, finishAt)
                : new Running(containerStartedAt);
        Terminated last =
            restarts == 0
                ? null
                : new Terminated(
                    exitCode, Terminated.reasonFor(exitCode), null, lastStartedAt, lastFinishedAt);
        containers.put(
            c.getName(),
            new ContainerRuntimeStatus(
                c.getName(),
                containerId(c, restarts),
                c.getImage(),
                imageId(c),
                state,
                !finished,
                !finished,
                restarts,
                last));
      }
      return new PodRuntimeStatus(!finished, List.of(ip), List.of(hostIp), containers);
    }

    private String containerId(Container c, int attempt) {
      return "sim://" + sha256(uid + "/" + c.getName() + "/" + attempt);
    }

    private static String imageId(Container c) {
      return "sim://sha256:" + sha256(String.valueOf(c.getImage()));
    }
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
