package dev.skiff.kubelet.prober;

import dev.skiff.client.events.EventRecorder;
import dev.skiff.kubelet.pod.ContainerRuntimeStatus;
import dev.skiff.kubelet.pod.PodRuntimeStatus;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Probe;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes one container (one container id) with one kind of probe, every periodSeconds, and keeps
 * the result: success and failure runs are counted against the thresholds, and only a run that
 * reaches its threshold changes the result. A liveness or startup failure asks for a restart and
 * puts the worker on hold; the restarted container gets a new worker.
 */
final class ProbeWorker {
  private static final Logger log = LoggerFactory.getLogger(ProbeWorker.class);

  /** Kubernetes retries a probe that could not run (not one that failed) this many times. */
  static final int MAX_PROBE_RETRIES = 3;

  /** A probe's published result. */
  enum Result {
    UNKNOWN,
    SUCCESS,
    FAILURE
  }

  /** What the worker needs from its manager. */
  interface Host {
    Pod pod();

    PodRuntimeStatus status();

    /** Whether the container with this id passed its startup probe (or has none). */
    boolean startupPassed(String containerName, String containerId);

    void resultChanged(ProbeWorker worker, Result result);

    void livenessFailed(ProbeWorker worker, String message);
  }

  private final Host host;
  private final Prober prober;
  private final EventRecorder events;
  private final ProbeScheduler scheduler;
  private final Container container;
  private final ProbeType type;
  private final Probe probe;
  private final String containerId;
  private final Instant created;

  private final ReentrantLock lock = new ReentrantLock();
  private final AtomicBoolean manualPending = new AtomicBoolean();
  private volatile boolean stopped;
  private volatile ProbeScheduler.Cancellable tick;
  private volatile Result result;
  private Result lastResult = Result.UNKNOWN;
  private int resultRun;
  private boolean onHold;

  ProbeWorker(
      Host host,
      Prober prober,
      EventRecorder events,
      ProbeScheduler scheduler,
      Container container,
      ProbeType type,
      Probe probe,
      String containerId) {
    this.host = host;
    this.prober = prober;
    this.events = events;
    this.scheduler = scheduler;
    this.container = container;
    this.type = type;
    this.probe = probe;
    this.containerId = containerId;
    this.created = scheduler.instant();
    // readiness is false until the first success; liveness is assumed good; startup is unknown
    this.result =
        switch (type) {
          case READINESS -> Result.FAILURE;
          case LIVENESS -> Result.SUCCESS;
          case STARTUP -> Result.UNKNOWN;
        };
  }

  String containerName() {
    return container.getName();
  }

  String containerId() {
    return containerId;
  }

  ProbeType type() {
    return type;
  }

  Result result() {
    return result;
  }

  boolean stopped() {
    return stopped;
  }

  /** The first run is now, the next ones every periodSeconds. */
  void start() {
    tick = scheduler.schedule(Duration.ZERO, this::onTick);
  }

  void stop() {
    stopped = true;
    ProbeScheduler.Cancellable t = tick;
    if (t != null) {
      t.cancel();
    }
  }

  /** Runs the probe soon, outside the period (Kubernetes' manual trigger of a readiness probe). */
  void trigger() {
    if (stopped || !manualPending.compareAndSet(false, true)) {
      return;
    }
    scheduler.schedule(
        Duration.ZERO,
        () -> {
          manualPending.set(false);
          runOnce();
        });
  }

  private void onTick() {
    Instant began = scheduler.instant();
    boolean keepGoing = runOnce();
    if (!keepGoing || stopped) {
      return;
    }
    Duration period = Duration.ofSeconds(ProbeSpec.periodSeconds(probe));
    Duration elapsed = Duration.between(began, scheduler.instant());
    Duration delay = period.minus(elapsed);
    tick = scheduler.schedule(delay.isNegative() ? Duration.ZERO : delay, this::onTick);
  }

  /** One run; false when this worker should stop probing. */
  private boolean runOnce() {
    if (stopped) {
      return false;
    }
    List<Runnable> after = new ArrayList<>();
    boolean keepGoing;
    lock.lock();
    try {
      keepGoing = doProbe(after);
    } catch (RuntimeException e) {
      // a worker never dies of a bad probe
      log.warn("{} probe of container {} failed to run", type.display(), containerName(), e);
      keepGoing = true;
    } finally {
      lock.unlock();
    }
    if (!stopped) {
      after.forEach(Runnable::run);
    }
    return keepGoing;
  }

  private boolean doProbe(List<Runnable> after) {
    Pod pod = host.pod();
    PodRuntimeStatus status = host.status();
    ContainerRuntimeStatus c = status == null ? null : status.containers().get(containerName());
    if (c == null || !containerId.equals(c.containerId())) {
      return true; // the pod worker has not seen this container yet, or it changed: sync decides
    }
    if (onHold) {
      return true;
    }
    if (!(c.state() instanceof ContainerRuntimeStatus.Running running)) {
      setResult(Result.FAILURE, after);
      return true;
    }
    if (pod.getMetadata().getDeletionTimestamp() != null
        && (type == ProbeType.LIVENESS || type == ProbeType.STARTUP)) {
      setResult(Result.SUCCESS, after); // a quiet shutdown
      return false;
    }
    Instant startedAt = running.startedAt() == null ? created : running.startedAt();
    if (Duration.between(startedAt, scheduler.instant()).toSeconds()
        < ProbeSpec.initialDelaySeconds(probe)) {
      return true;
    }
    boolean started = host.startupPassed(containerName(), containerId);
    if (started == (type == ProbeType.STARTUP)) {
      // startup stops once passed; liveness and readiness wait for it
      return true;
    }
    String podIp = status.podIps().isEmpty() ? "" : status.podIps().getFirst();
    Result r = probeOnce(pod, podIp);
    if (r == null) {
      return true; // the probe could not run: the result is thrown away
    }
    if (r == lastResult) {
      resultRun++;
    } else {
      lastResult = r;
      resultRun = 1;
    }
    if ((r == Result.FAILURE && resultRun < ProbeSpec.failureThreshold(probe))
        || (r == Result.SUCCESS && resultRun < ProbeSpec.successThreshold(probe, type))) {
      return true;
    }
    setResult(r, after);
    if (r == Result.FAILURE && (type == ProbeType.LIVENESS || type == ProbeType.STARTUP)) {
      onHold = true;
      resultRun = 0;
      String message =
          "Container "
              + containerName()
              + " failed "
              + (type == ProbeType.LIVENESS ? "liveness" : "startup")
              + " probe"
              + (restarts(pod) ? ", will be restarted" : "");
      after.add(() -> host.livenessFailed(this, message));
    }
    return true;
  }

  private boolean restarts(Pod pod) {
    boolean sidecar =
        pod.getSpec().getInitContainers() != null
            && pod.getSpec().getInitContainers().stream()
                .anyMatch(
                    i ->
                        i.getName().equals(containerName())
                            && "Always".equals(i.getRestartPolicy()));
    return sidecar || !"Never".equals(pod.getSpec().getRestartPolicy());
  }

  private void setResult(Result r, List<Runnable> after) {
    if (result != r) {
      result = r;
      after.add(() -> host.resultChanged(this, r));
    }
  }

  /** Runs the probe (retrying one that could not run), records its event; null if it errored. */
  private Result probeOnce(Pod pod, String podIp) {
    ProbeResult outcome = null;
    for (int i = 0; i < MAX_PROBE_RETRIES && !stopped; i++) {
      outcome = prober.run(probe, pod, container, containerId, podIp);
      if (outcome.outcome() != ProbeResult.Outcome.UNKNOWN) {
        break;
      }
    }
    if (outcome == null) {
      return null;
    }
    String kind = type.display();
    return switch (outcome.outcome()) {
      case SUCCESS -> Result.SUCCESS;
      case WARNING -> {
        events.event(
            pod,
            EventRecorder.WARNING,
            "ProbeWarning",
            kind + " probe warning: " + outcome.output());
        yield Result.SUCCESS;
      }
      case FAILURE -> {
        events.event(
            pod, EventRecorder.WARNING, "Unhealthy", kind + " probe failed: " + outcome.output());
        yield Result.FAILURE;
      }
      case UNKNOWN -> {
        events.event(
            pod,
            EventRecorder.WARNING,
            "Unhealthy",
            kind + " probe errored and resulted in unknown state: " + outcome.output());
        yield null;
      }
    };
  }
}
