package dev.skiff.kubelet.pod;

import dev.skiff.client.Timestamps;
import dev.skiff.kubelet.pod.ContainerRuntimeStatus.Running;
import dev.skiff.kubelet.pod.ContainerRuntimeStatus.Terminated;
import dev.skiff.kubelet.pod.ContainerRuntimeStatus.Waiting;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HostIP;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodReadinessGate;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountStatus;
import io.fabric8.kubernetes.api.model.VolumeMountStatusBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Computes the status the kubelet writes for a pod from what the runtime reports: the phase, the
 * kubelet's conditions (PodReadyToStartContainers, Initialized, Ready, ContainersReady,
 * PodScheduled) with Kubernetes' reasons and messages, IPs, start time, QoS class and container
 * statuses (init containers in spec order, the others sorted by name, as the kubelet lists them).
 *
 * <p>The previous status on the pod is merged in as the kubelet's status manager does: conditions
 * owned by others (readiness gates, DisruptionTarget ...) are kept ahead of the kubelet's, and a
 * condition keeps its lastTransitionTime while its status does not change.
 */
public final class PodStatusGenerator {
  public static final String PENDING = "Pending";
  public static final String RUNNING = "Running";
  public static final String SUCCEEDED = "Succeeded";
  public static final String FAILED = "Failed";

  public static final String POD_READY_TO_START_CONTAINERS = "PodReadyToStartContainers";
  public static final String INITIALIZED = "Initialized";
  public static final String READY = "Ready";
  public static final String CONTAINERS_READY = "ContainersReady";
  public static final String POD_SCHEDULED = "PodScheduled";

  private static final Set<String> KUBELET_CONDITIONS =
      Set.of(POD_READY_TO_START_CONTAINERS, INITIALIZED, READY, CONTAINERS_READY, POD_SCHEDULED);

  private PodStatusGenerator() {}

  public static PodStatus generate(Pod pod, PodRuntimeStatus runtime, Instant now) {
    PodSpec spec = pod.getSpec();
    PodStatus old = pod.getStatus() == null ? new PodStatus() : pod.getStatus();
    String phase = phase(spec, runtime);

    List<PodCondition> generated = new ArrayList<>(5);
    generated.add(condition(POD_READY_TO_START_CONTAINERS, runtime.sandboxReady(), null, null));
    generated.add(initialized(spec, runtime, phase));
    PodCondition containersReady = containersReady(spec, runtime, phase);
    generated.add(ready(pod, old, containersReady));
    generated.add(containersReady);
    generated.add(condition(POD_SCHEDULED, true, null, null));

    List<PodCondition> conditions = new ArrayList<>();
    if (old.getConditions() != null) {
      for (PodCondition c : old.getConditions()) {
        if (!KUBELET_CONDITIONS.contains(c.getType())) {
          conditions.add(c);
        }
      }
    }
    for (PodCondition c : generated) {
      c.setLastTransitionTime(transitionTime(old, c, now));
      conditions.add(c);
    }

    PodStatus status = new PodStatus();
    status.setPhase(phase);
    status.setConditions(conditions);
    if (!runtime.hostIps().isEmpty()) {
      status.setHostIP(runtime.hostIps().getFirst());
      status.setHostIPs(runtime.hostIps().stream().map(HostIP::new).toList());
    }
    if (!runtime.podIps().isEmpty()) {
      status.setPodIP(runtime.podIps().getFirst());
      status.setPodIPs(runtime.podIps().stream().map(PodIP::new).toList());
    }
    status.setStartTime(old.getStartTime() != null ? old.getStartTime() : Timestamps.time(now));
    status.setQosClass(old.getQosClass() != null ? old.getQosClass() : QosClass.of(spec));
    boolean initDone = initialized(spec, runtime, phase).getStatus().equals("True");
    if (spec.getInitContainers() != null && !spec.getInitContainers().isEmpty()) {
      List<ContainerStatus> init = new ArrayList<>();
      for (Container c : spec.getInitContainers()) {
        init.add(containerStatus(c, runtime.containers().get(c.getName()), "PodInitializing"));
      }
      status.setInitContainerStatuses(init);
    }
    List<ContainerStatus> containers = new ArrayList<>();
    for (Container c : spec.getContainers()) {
      containers.add(
          containerStatus(
              c,
              runtime.containers().get(c.getName()),
              initDone ? "ContainerCreating" : "PodInitializing"));
    }
    containers.sort(Comparator.comparing(ContainerStatus::getName));
    status.setContainerStatuses(containers);
    return status;
  }

  /** The pod phase Kubernetes derives from the states of its containers and its restartPolicy. */
  public static String phase(PodSpec spec, PodRuntimeStatus runtime) {
    String restartPolicy = restartPolicy(spec);
    if (spec.getInitContainers() != null) {
      for (Container c : spec.getInitContainers()) {
        ContainerRuntimeStatus s = runtime.containers().get(c.getName());
        if (isSidecar(c)) {
          // a sidecar counts as initialized once it started, or once the regular containers have
          // run (it may have been stopped since, when they completed)
          if ((s == null || !s.started()) && !anyRegularContainerRan(spec, runtime)) {
            return PENDING;
          }
          continue;
        }
        if (s == null || !(s.state() instanceof Terminated t)) {
          return PENDING;
        }
        if (t.exitCode() != 0) {
          return "Never".equals(restartPolicy) ? FAILED : PENDING;
        }
      }
    }
    int running = 0;
    int waiting = 0;
    int stopped = 0;
    int succeeded = 0;
    int unknown = 0;
    for (Container c : spec.getContainers()) {
      ContainerRuntimeStatus s = runtime.containers().get(c.getName());
      if (s == null) {
        unknown++;
      } else if (s.state() instanceof Running) {
        running++;
      } else if (s.state() instanceof Terminated t) {
        stopped++;
        if (t.exitCode() == 0) {
          succeeded++;
        }
      } else if (s.lastTerminated() != null) {
        // waiting to restart: it has run and stopped
        stopped++;
        if (s.lastTerminated().exitCode() == 0) {
          succeeded++;
        }
      } else {
        waiting++;
      }
    }
    if (waiting > 0) {
      return PENDING;
    }
    if (running > 0 && unknown == 0) {
      return RUNNING;
    }
    if (running == 0 && stopped > 0 && unknown == 0) {
      if ("Always".equals(restartPolicy)) {
        return RUNNING;
      }
      if (stopped == succeeded) {
        return SUCCEEDED;
      }
      if ("Never".equals(restartPolicy)) {
        return FAILED;
      }
      return RUNNING;
    }
    return PENDING;
  }

  private static boolean anyRegularContainerRan(PodSpec spec, PodRuntimeStatus runtime) {
    for (Container c : spec.getContainers()) {
      ContainerRuntimeStatus s = runtime.containers().get(c.getName());
      if (s != null && !(s.state() instanceof Waiting && s.lastTerminated() == null)) {
        return true;
      }
    }
    return false;
  }

  public static String restartPolicy(PodSpec spec) {
    return spec.getRestartPolicy() == null ? "Always" : spec.getRestartPolicy();
  }

  /**
   * An init container with restartPolicy Always: a sidecar that keeps running beside the others.
   */
  public static boolean isSidecar(Container c) {
    return "Always".equals(c.getRestartPolicy());
  }

  private static PodCondition initialized(PodSpec spec, PodRuntimeStatus runtime, String phase) {
    if (spec.getInitContainers() == null || spec.getInitContainers().isEmpty()) {
      return condition(INITIALIZED, true, null, null);
    }
    List<String> unknown = new ArrayList<>();
    List<String> incomplete = new ArrayList<>();
    for (Container c : spec.getInitContainers()) {
      ContainerRuntimeStatus s = runtime.containers().get(c.getName());
      if (s == null) {
        unknown.add(c.getName());
      } else if (isSidecar(c) ? !s.started() : !s.succeeded()) {
        incomplete.add(c.getName());
      }
    }
    if (SUCCEEDED.equals(phase) && unknown.isEmpty()) {
      return condition(INITIALIZED, true, "PodCompleted", null);
    }
    if (unknown.isEmpty() && incomplete.isEmpty()) {
      return condition(INITIALIZED, true, null, null);
    }
    return condition(
        INITIALIZED,
        false,
        "ContainersNotInitialized",
        listMessage(unknown, incomplete, "incomplete"));
  }

  private static PodCondition containersReady(
      PodSpec spec, PodRuntimeStatus runtime, String phase) {
    if (SUCCEEDED.equals(phase)) {
      return condition(CONTAINERS_READY, false, "PodCompleted", null);
    }
    List<String> unknown = new ArrayList<>();
    List<String> unready = new ArrayList<>();
    List<Container> considered = new ArrayList<>();
    if (spec.getInitContainers() != null) {
      spec.getInitContainers().stream()
          .filter(PodStatusGenerator::isSidecar)
          .forEach(considered::add);
    }
    considered.addAll(spec.getContainers());
    for (Container c : considered) {
      ContainerRuntimeStatus s = runtime.containers().get(c.getName());
      if (s == null) {
        unknown.add(c.getName());
      } else if (!s.ready()) {
        unready.add(c.getName());
      }
    }
    if (unknown.isEmpty() && unready.isEmpty()) {
      return condition(CONTAINERS_READY, true, null, null);
    }
    return condition(
        CONTAINERS_READY, false, "ContainersNotReady", listMessage(unknown, unready, "unready"));
  }

  private static PodCondition ready(Pod pod, PodStatus old, PodCondition containersReady) {
    if (!"True".equals(containersReady.getStatus())) {
      return condition(READY, false, containersReady.getReason(), containersReady.getMessage());
    }
    List<String> unmet = new ArrayList<>();
    if (pod.getSpec().getReadinessGates() != null) {
      for (PodReadinessGate gate : pod.getSpec().getReadinessGates()) {
        PodCondition found =
            old.getConditions() == null
                ? null
                : old.getConditions().stream()
                    .filter(c -> gate.getConditionType().equals(c.getType()))
                    .findFirst()
                    .orElse(null);
        if (found == null) {
          unmet.add(
              "corresponding condition of pod readiness gate \""
                  + gate.getConditionType()
                  + "\" does not exist.");
        } else if (!"True".equals(found.getStatus())) {
          unmet.add(
              "the status of pod readiness gate \""
                  + gate.getConditionType()
                  + "\" is not \"True\", but "
                  + found.getStatus());
        }
      }
    }
    if (!unmet.isEmpty()) {
      return condition(READY, false, "ReadinessGatesNotReady", String.join(", ", unmet));
    }
    return condition(READY, true, null, null);
  }

  private static String listMessage(List<String> unknown, List<String> other, String otherWord) {
    List<String> parts = new ArrayList<>(2);
    if (!unknown.isEmpty()) {
      parts.add("containers with unknown status: [" + String.join(" ", unknown) + "]");
    }
    if (!other.isEmpty()) {
      parts.add("containers with " + otherWord + " status: [" + String.join(" ", other) + "]");
    }
    return String.join(", ", parts);
  }

  private static PodCondition condition(
      String type, boolean conditionTrue, String reason, String message) {
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(conditionTrue ? "True" : "False")
        .withReason(reason)
        .withMessage(message)
        .build();
  }

  private static String transitionTime(PodStatus old, PodCondition c, Instant now) {
    if (old.getConditions() != null) {
      for (PodCondition previous : old.getConditions()) {
        if (previous.getType().equals(c.getType())
            && previous.getStatus().equals(c.getStatus())
            && previous.getLastTransitionTime() != null) {
          return previous.getLastTransitionTime();
        }
      }
    }
    return Timestamps.time(now);
  }

  private static ContainerStatus containerStatus(
      Container container, ContainerRuntimeStatus s, String defaultWaitingReason) {
    if (s == null) {
      return new ContainerStatusBuilder()
          .withName(container.getName())
          .withImage(container.getImage())
          .withImageID("")
          .withNewState()
          .withNewWaiting()
          .withReason(defaultWaitingReason)
          .endWaiting()
          .endState()
          .withNewLastState()
          .endLastState()
          .withReady(false)
          .withStarted(false)
          .withRestartCount(0)
          .build();
    }
    ContainerStatusBuilder builder =
        new ContainerStatusBuilder()
            .withName(container.getName())
            .withImage(s.image() != null ? s.image() : container.getImage())
            .withImageID(s.imageId() != null ? s.imageId() : "")
            .withContainerID(s.containerId())
            .withState(state(s.state()))
            .withLastState(
                s.lastTerminated() == null ? new ContainerState() : state(s.lastTerminated()))
            .withReady(s.ready())
            .withStarted(s.started())
            .withRestartCount(s.restartCount());
    if (container.getVolumeMounts() != null && !container.getVolumeMounts().isEmpty()) {
      List<VolumeMountStatus> mounts = new ArrayList<>();
      for (VolumeMount m : container.getVolumeMounts()) {
        boolean readOnly = Boolean.TRUE.equals(m.getReadOnly());
        mounts.add(
            new VolumeMountStatusBuilder()
                .withName(m.getName())
                .withMountPath(m.getMountPath())
                .withReadOnly(readOnly ? true : null)
                .withRecursiveReadOnly(readOnly ? "Disabled" : null)
                .build());
      }
      builder.withVolumeMounts(mounts);
    }
    return builder.build();
  }

  private static ContainerState state(ContainerRuntimeStatus.State state) {
    return switch (state) {
      case Waiting w ->
          new ContainerStateBuilder()
              .withNewWaiting()
              .withReason(w.reason())
              .withMessage(w.message())
              .endWaiting()
              .build();
      case Running r ->
          new ContainerStateBuilder()
              .withNewRunning()
              .withStartedAt(Timestamps.time(r.startedAt()))
              .endRunning()
              .build();
      case Terminated t ->
          new ContainerStateBuilder()
              .withNewTerminated()
              .withContainerID(t.containerId())
              .withExitCode(t.exitCode())
              .withReason(t.reason())
              .withMessage(t.message())
              .withStartedAt(t.startedAt() == null ? null : Timestamps.time(t.startedAt()))
              .withFinishedAt(t.finishedAt() == null ? null : Timestamps.time(t.finishedAt()))
              .endTerminated()
              .build();
    };
  }
}
