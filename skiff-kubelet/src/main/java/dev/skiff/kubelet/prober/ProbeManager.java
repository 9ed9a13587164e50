package dev.skiff.kubelet.prober;

import dev.skiff.client.events.EventRecorder;
import dev.skiff.kubelet.cri.ContainerIds;
import dev.skiff.kubelet.cri.CriClient;
import dev.skiff.kubelet.pod.ContainerProbes;
import dev.skiff.kubelet.pod.ContainerRuntimeStatus;
import dev.skiff.kubelet.pod.PodRuntimeStatus;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Probe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's container probes. {@link #sync} keeps one {@link ProbeWorker} per running container
 * and probe kind (a new one when the container id changes, none once it stops); the workers probe
 * on their own schedule, call {@code onResultChange} with the pod uid when a readiness or startup
 * result changes, and {@link ContainerProbes.LivenessFailures#restart} when a liveness or startup
 * probe reaches its failure threshold. Probes run for regular containers and for sidecars (init
 * containers with restartPolicy Always).
 */
public final class ProbeManager implements ContainerProbes, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ProbeManager.class);

  private final Prober prober;
  private final EventRecorder events;
  private final LivenessFailures onFailure;
  private final Consumer<String> onResultChange;
  private final ProbeScheduler scheduler;
  private final boolean ownsScheduler;
  private final Map<String, PodProbes> pods = new ConcurrentHashMap<>();

  /** Probes on real time, each run on a virtual thread. */
  public ProbeManager(
      CriClient cri,
      EventRecorder events,
      LivenessFailures onFailure,
      Consumer<String> onResultChange) {
    this(cri, events, onFailure, onResultChange, ProbeScheduler.system(), true);
  }

  /** Probes on the given scheduler (a fake one in tests). */
  public ProbeManager(
      CriClient cri,
      EventRecorder events,
      LivenessFailures onFailure,
      Consumer<String> onResultChange,
      ProbeScheduler scheduler) {
    this(cri, events, onFailure, onResultChange, scheduler, false);
  }

  private ProbeManager(
      CriClient cri,
      EventRecorder events,
      LivenessFailures onFailure,
      Consumer<String> onResultChange,
      ProbeScheduler scheduler,
      boolean ownsScheduler) {
    this.prober = new Prober(cri);
    this.events = Objects.requireNonNull(events, "events");
    this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
    this.onResultChange = Objects.requireNonNull(onResultChange, "onResultChange");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.ownsScheduler = ownsScheduler;
  }

  @Override
  public void sync(Pod pod, PodRuntimeStatus status) {
    String uid = pod.getMetadata().getUid();
    boolean[] first = {false};
    PodProbes probes =
        pods.computeIfAbsent(
            uid,
            u -> {
              first[0] = true;
              return new PodProbes();
            });
    List<ProbeWorker> toStart = new ArrayList<>();
    synchronized (probes) {
      if (probes.removed) {
        return;
      }
      probes.pod = pod;
      probes.status = status;
      for (Container c : probedContainers(pod)) {
        ContainerRuntimeStatus cs = status.containers().get(c.getName());
        boolean running =
            cs != null
                && cs.containerId() != null
                && cs.state() instanceof ContainerRuntimeStatus.Running;
        for (ProbeType type : ProbeType.values()) {
          Probe probe = type.of(c);
          WorkerKey key = new WorkerKey(c.getName(), type);
          ProbeWorker existing = probes.workers.get(key);
          if (probe == null || !running) {
            if (existing != null) {
              existing.stop();
              probes.workers.remove(key);
            }
            continue;
          }
          if (existing != null && existing.containerId().equals(cs.containerId())) {
            continue;
          }
          if (existing != null) {
            existing.stop(); // a restarted container starts from fresh results
          }
          ProbeWorker w =
              new ProbeWorker(probes, prober, events, scheduler, c, type, probe, cs.containerId());
          probes.workers.put(key, w);
          toStart.add(w);
        }
      }
    }
    toStart.forEach(ProbeWorker::start);
    boolean anyRunning =
        status.containers().values().stream()
            .anyMatch(c -> c.state() instanceof ContainerRuntimeStatus.Running);
    if (first[0] && anyRunning) {
      // ready/started said false while the pod was unknown; they may say true now
      notifyChange(uid);
    }
  }

  private void notifyChange(String uid) {
    try {
      onResultChange.accept(uid);
    } catch (RuntimeException e) {
      log.warn("probe result listener failed", e);
    }
  }

  @Override
  public void removePod(String podUid) {
    PodProbes probes = pods.remove(podUid);
    if (probes == null) {
      return;
    }
    synchronized (probes) {
      probes.removed = true;
      probes.workers.values().forEach(ProbeWorker::stop);
      probes.workers.clear();
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>False for a pod not synced yet: its probes are not known. The first {@link #sync} of a pod
   * with a running container calls {@code onResultChange}, so the answer is asked again.
   */
  @Override
  public boolean ready(String podUid, String containerName, String containerId) {
    PodProbes probes = pods.get(podUid);
    if (probes == null) {
      return false;
    }
    if (!probes.startupPassed(containerName, containerId)
        || !probes.running(containerName, containerId)) {
      return false;
    }
    Container c = probes.container(containerName);
    if (c == null || c.getReadinessProbe() == null) {
      return true;
    }
    ProbeWorker w = probes.workers.get(new WorkerKey(containerName, ProbeType.READINESS));
    if (w == null || !ContainerIds.same(w.containerId(), containerId)) {
      return false;
    }
    if (w.result() == ProbeWorker.Result.SUCCESS) {
      return true;
    }
    // started but not ready: probe now rather than at the next period (as Kubernetes)
    w.trigger();
    return false;
  }

  /** {@inheritDoc} False for a pod not synced yet, as {@link #ready}. */
  @Override
  public boolean started(String podUid, String containerName, String containerId) {
    PodProbes probes = pods.get(podUid);
    if (probes == null) {
      return false;
    }
    return probes.running(containerName, containerId)
        && probes.startupPassed(containerName, containerId);
  }

  /** Stops every worker (and the scheduler this manager made). */
  @Override
  public void close() {
    for (String uid : List.copyOf(pods.keySet())) {
      removePod(uid);
    }
    if (ownsScheduler) {
      scheduler.shutdown();
    }
  }

  /**
   * How long a container killed for a failed probe gets to stop: the failed probe's own
   * terminationGracePeriodSeconds when it sets one, else the pod's grace period (as Kubernetes).
   *
   * @param restartMessage the message {@link LivenessFailures#restart} was given
   */
  public static Duration killGracePeriod(
      Container container, String restartMessage, Duration podGracePeriod) {
    Probe failed = null;
    if (restartMessage != null && restartMessage.contains(" failed liveness probe")) {
      failed = container.getLivenessProbe();
    } else if (restartMessage != null && restartMessage.contains(" failed startup probe")) {
      failed = container.getStartupProbe();
    }
    if (failed != null && failed.getTerminationGracePeriodSeconds() != null) {
      return Duration.ofSeconds(Math.max(0, failed.getTerminationGracePeriodSeconds()));
    }
    return podGracePeriod;
  }

  /** Containers that may have probes: regular ones and sidecars. */
  static List<Container> probedContainers(Pod pod) {
    List<Container> out = new ArrayList<>();
    if (pod.getSpec().getInitContainers() != null) {
      for (Container c : pod.getSpec().getInitContainers()) {
        if ("Always".equals(c.getRestartPolicy())) {
          out.add(c);
        }
      }
    }
    if (pod.getSpec().getContainers() != null) {
      out.addAll(pod.getSpec().getContainers());
    }
    return out;
  }

  private record WorkerKey(String container, ProbeType type) {}

  /** One pod's workers and the latest spec and runtime status the pod worker gave us. */
  private final class PodProbes implements ProbeWorker.Host {
    final Map<WorkerKey, ProbeWorker> workers = new ConcurrentHashMap<>();
    volatile Pod pod;
    volatile PodRuntimeStatus status;
    boolean removed;

    @Override
    public Pod pod() {
      return pod;
    }

    @Override
    public PodRuntimeStatus status() {
      return status;
    }

    Container container(String name) {
      for (Container c : probedContainers(pod)) {
        if (c.getName().equals(name)) {
          return c;
        }
      }
      return null;
    }

    /** False when the runtime last said this container id is not running. */
    boolean running(String name, String containerId) {
      ContainerRuntimeStatus cs = status == null ? null : status.containers().get(name);
      return cs == null
          || !ContainerIds.same(cs.containerId(), containerId)
          || cs.state() instanceof ContainerRuntimeStatus.Running;
    }

    @Override
    public boolean startupPassed(String name, String containerId) {
      Container c = container(name);
      if (c == null || c.getStartupProbe() == null) {
        return true;
      }
      ProbeWorker w = workers.get(new WorkerKey(name, ProbeType.STARTUP));
      return w != null
          && ContainerIds.same(w.containerId(), containerId)
          && w.result() == ProbeWorker.Result.SUCCESS;
    }

    @Override
    public void resultChanged(ProbeWorker worker, ProbeWorker.Result result) {
      if (worker.type() == ProbeType.LIVENESS || worker.stopped()) {
        return;
      }
      notifyChange(pod.getMetadata().getUid());
    }

    @Override
    public void livenessFailed(ProbeWorker worker, String message) {
      try {
        onFailure.restart(
            pod.getMetadata().getUid(), worker.containerName(), worker.containerId(), message);
      } catch (RuntimeException e) {
        log.warn("restart after a failed {} probe failed", worker.type().display(), e);
      }
    }
  }
}
