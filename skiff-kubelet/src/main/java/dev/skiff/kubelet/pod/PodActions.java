package dev.skiff.kubelet.pod;

import dev.skiff.kubelet.pod.ContainerRuntimeStatus.Waiting;
import dev.skiff.kubelet.pod.RuntimePod.RuntimeContainer;
import dev.skiff.kubelet.pod.RuntimePod.Sandbox;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.zip.CRC32;

/**
 * What one sync of a pod must do, computed from its spec and what the runtime holds (the kubelet's
 * computePodActions): whether to (re)create the sandbox or kill the whole pod, which containers to
 * stop, which to start in which order, and which must wait out their CrashLoopBackOff.
 *
 * @param killPod stop every container and the sandbox(es) first (a new sandbox follows when {@code
 *     createSandbox}; otherwise the pod has finished)
 * @param sandboxAttempt the attempt of the sandbox to create
 * @param sandboxId the sandbox to start containers in when none is created
 * @param start the containers to start, in order (init containers first)
 * @param kill the running containers to stop
 * @param backOff containers that must wait before restarting, with their waiting state
 */
public record PodActions(
    boolean killPod,
    boolean createSandbox,
    int sandboxAttempt,
    String sandboxId,
    List<Start> start,
    List<Kill> kill,
    Map<String, Waiting> backOff) {

  public static final String CRASH_LOOP_BACK_OFF = "CrashLoopBackOff";

  public PodActions {
    start = List.copyOf(start);
    kill = List.copyOf(kill);
    backOff = Map.copyOf(backOff);
  }

  /**
   * A container to start.
   *
   * @param restartCount the count its new attempt carries
   * @param lastFinishedAt when its previous attempt exited (arms the back-off), null if none
   */
  public record Start(
      Container container,
      boolean init,
      int restartCount,
      String backoffKey,
      Instant lastFinishedAt) {}

  /** A container to stop, with the Killing event's message. */
  public record Kill(String containerId, String name, String message) {}

  /** Whether the pod is done: nothing runs and nothing will start again. */
  public boolean podFinished() {
    return killPod && !createSandbox;
  }

  /**
   * Computes the actions.
   *
   * @param started the startup result of a running container (its id), from the probes
   * @param livenessKills container ids a liveness or startup probe asked to restart, with the
   *     message to report
   */
  public static PodActions compute(
      Pod pod,
      RuntimePod runtime,
      Backoff backoff,
      Predicate<RuntimeContainer> started,
      Map<String, String> livenessKills) {
    return new Computation(pod, runtime, backoff, started, livenessKills).run();
  }

  /** The key of a container's restart back-off; starts with the pod uid. */
  public static String backoffKey(Pod pod, Container container) {
    return pod.getMetadata().getUid() + "/" + container.getName();
  }

  /** A pod as Kubernetes names it in messages: {@code name_namespace(uid)}. */
  public static String podDescription(Pod pod) {
    return pod.getMetadata().getName()
        + "_"
        + pod.getMetadata().getNamespace()
        + "("
        + pod.getMetadata().getUid()
        + ")";
  }

  /** The hash of what a running container was created from; a change restarts it. */
  public static String containerHash(Container container) {
    CRC32 crc = new CRC32();
    crc.update(String.valueOf(container.getImage()).getBytes(StandardCharsets.UTF_8));
    return Long.toHexString(crc.getValue());
  }

  private static final class Computation {
    private final Pod pod;
    private final PodSpec spec;
    private final RuntimePod runtime;
    private final Backoff backoff;
    private final Predicate<RuntimeContainer> started;
    private final Map<String, String> livenessKills;
    private final String restartPolicy;

    private boolean killPod;
    private final List<Start> start = new ArrayList<>();
    private final List<Kill> kill = new ArrayList<>();
    private final Map<String, Waiting> backOff = new LinkedHashMap<>();

    Computation(
        Pod pod,
        RuntimePod runtime,
        Backoff backoff,
        Predicate<RuntimeContainer> started,
        Map<String, String> livenessKills) {
      this.pod = pod;
      this.spec = pod.getSpec();
      this.runtime = runtime;
      this.backoff = backoff;
      this.started = started;
      this.livenessKills = livenessKills;
      this.restartPolicy = PodStatusGenerator.restartPolicy(spec);
    }

    PodActions run() {
      Optional<Sandbox> sandbox = runtime.latestSandbox();
      long readySandboxes = runtime.sandboxes().stream().filter(Sandbox::ready).count();
      if (sandbox.isEmpty() || !sandbox.get().ready() || readySandboxes > 1) {
        return withNewSandbox(sandbox);
      }
      String sandboxId = sandbox.get().id();
      if (initContainers().isEmpty() || anyRegularCreatedIn(sandboxId)) {
        regularContainers(sandboxId);
      } else if (initContainers(sandboxId)) {
        regularContainers(sandboxId);
      }
      return new PodActions(killPod, false, 0, sandboxId, start, kill, backOff);
    }

    private PodActions withNewSandbox(Optional<Sandbox> previous) {
      int attempt = previous.map(s -> s.attempt() + 1).orElse(0);
      if (previous.isPresent()
          && "Never".equals(restartPolicy)
          && !runtime.containers().isEmpty()) {
        // a pod that must not restart does not get a second sandbox
        return new PodActions(true, false, 0, null, List.of(), List.of(), Map.of());
      }
      List<Container> regular = new ArrayList<>();
      for (Container c : spec.getContainers()) {
        Optional<RuntimeContainer> latest = runtime.latest(c.getName());
        if ("OnFailure".equals(restartPolicy)
            && latest.isPresent()
            && latest.get().exited()
            && latest.get().exitCode() == 0) {
          continue;
        }
        regular.add(c);
      }
      if (regular.isEmpty() && initContainers().isEmpty()) {
        return new PodActions(previous.isPresent(), false, 0, null, List.of(), List.of(), Map.of());
      }
      if (!initContainers().isEmpty()) {
        startOrBackOff(initContainers().getFirst(), true);
      } else {
        regular.forEach(c -> startOrBackOff(c, false));
      }
      return new PodActions(previous.isPresent(), true, attempt, null, start, kill, backOff);
    }

    /** Walks the init containers in order; true when all are done (sidecars started). */
    private boolean initContainers(String sandboxId) {
      for (Container c : initContainers()) {
        Optional<RuntimeContainer> latest = latestIn(c.getName(), sandboxId);
        if (PodStatusGenerator.isSidecar(c)) {
          if (latest.isEmpty()) {
            startOrBackOff(c, true);
            return false;
          }
          if (latest.get().running()) {
            if (!started.test(latest.get())) {
              return false;
            }
            continue;
          }
          removeStuck(latest.get());
          startOrBackOff(c, true);
          return false;
        }
        if (latest.isEmpty()) {
          startOrBackOff(c, true);
          return false;
        }
        RuntimeContainer s = latest.get();
        if (s.running()) {
          return false;
        }
        if (s.exited() && s.exitCode() == 0) {
          continue;
        }
        if ("Never".equals(restartPolicy)) {
          killPod = true;
          return false;
        }
        removeStuck(s);
        startOrBackOff(c, true);
        return false;
      }
      return true;
    }

    private void regularContainers(String sandboxId) {
      int keep = 0;
      int regularStarts = 0;
      for (Container c : initContainers()) {
        if (!PodStatusGenerator.isSidecar(c)) {
          continue;
        }
        Optional<RuntimeContainer> latest = latestIn(c.getName(), sandboxId);
        if (latest.isPresent() && latest.get().running()) {
          checkRunning(c, latest.get(), true);
        } else if (latest.isPresent()) {
          removeStuck(latest.get());
          startOrBackOff(c, true);
        }
      }
      for (Container c : spec.getContainers()) {
        Optional<RuntimeContainer> latest = latestIn(c.getName(), sandboxId);
        if (latest.isPresent() && latest.get().running()) {
          if (checkRunning(c, latest.get(), false)) {
            keep++;
          }
          continue;
        }
        if (latest.isPresent()) {
          removeStuck(latest.get());
        }
        if (shouldRestart(latest)) {
          startOrBackOff(c, false);
          regularStarts++;
        }
      }
      if (keep == 0 && regularStarts == 0) {
        killPod = true;
      }
    }

    /** Asks for a running container to be stopped when its spec changed or a probe gave up. */
    private boolean checkRunning(Container c, RuntimeContainer running, boolean sidecar) {
      String message = livenessKills.get(running.id());
      if (message == null
          && running.hash() != null
          && !running.hash().isEmpty()
          && !running.hash().equals(containerHash(c))) {
        message = "Container " + c.getName() + " definition changed, will be restarted";
      }
      if (message == null) {
        return true;
      }
      kill.add(new Kill(running.id(), c.getName(), message));
      // it restarts on the sync after its exit, through the back-off like any other exit
      return sidecar || !"Never".equals(restartPolicy);
    }

    /** A container left created or unknown (a failed start) is stopped before the next one. */
    private void removeStuck(RuntimeContainer c) {
      if (c.state() == RuntimePod.State.CREATED || c.state() == RuntimePod.State.UNKNOWN) {
        kill.add(new Kill(c.id(), c.name(), "Stopping container " + c.name()));
      }
    }

    private boolean shouldRestart(Optional<RuntimeContainer> latest) {
      if (latest.isEmpty() || !latest.get().exited()) {
        return true;
      }
      return switch (restartPolicy) {
        case "Never" -> false;
        case "OnFailure" -> latest.get().exitCode() != 0;
        default -> true;
      };
    }

    private void startOrBackOff(Container c, boolean init) {
      String key = backoffKey(pod, c);
      Optional<RuntimeContainer> last = runtime.latest(c.getName());
      int restartCount = last.map(r -> r.restartCount() + 1).orElse(0);
      Instant finishedAt =
          last.filter(RuntimeContainer::exited).map(RuntimeContainer::finishedAt).orElse(null);
      if (finishedAt != null && backoff.inBackOffSince(key, finishedAt)) {
        backOff.put(
            c.getName(),
            new Waiting(
                CRASH_LOOP_BACK_OFF,
                "back-off "
                    + Backoff.goDuration(backoff.get(key))
                    + " restarting failed container="
                    + c.getName()
                    + " pod="
                    + podDescription(pod)));
        return;
      }
      start.add(new Start(c, init, restartCount, key, finishedAt));
    }

    private boolean anyRegularCreatedIn(String sandboxId) {
      return spec.getContainers().stream()
          .anyMatch(c -> latestIn(c.getName(), sandboxId).isPresent());
    }

    private Optional<RuntimeContainer> latestIn(String name, String sandboxId) {
      return runtime.containers().stream()
          .filter(c -> c.name().equals(name) && sandboxId.equals(c.sandboxId()))
          .findFirst();
    }

    private List<Container> initContainers() {
      return spec.getInitContainers() == null ? List.of() : spec.getInitContainers();
    }
  }
}
