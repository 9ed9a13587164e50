package dev.skiff.kubelet.eviction;

import dev.skiff.client.events.EventRecorder;
import dev.skiff.kubelet.node.NodeHealth;
import dev.skiff.kubelet.staticpod.StaticPodManifests;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Node-pressure eviction with hard thresholds, as the kubelet does it: every round it measures the
 * signals; a signal below its threshold puts the node under MemoryPressure, DiskPressure or
 * PIDPressure (kept for the pressure transition period after it last held); disk pressure first
 * reclaims node-level resources (unused images); if the threshold still holds, one pod is evicted:
 * the first of the active, non-critical pods ranked by whether they use more than they request,
 * then by priority (lowest first), then by how far their use exceeds their request.
 */
public final class EvictionManager implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EvictionManager.class);
  static final int SYSTEM_CRITICAL_PRIORITY = 2_000_000_000;
  public static final String REASON = "Evicted";

  /** Stops a pod for eviction: its status becomes Failed with reason Evicted and this message. */
  public interface PodEvictor {
    void evict(Pod pod, String message);
  }

  /** Frees node-level resources (unused images) before pods are evicted; returns bytes freed. */
  public interface NodeReclaimer {
    long reclaim();
  }

  private final List<Threshold> thresholds;
  private final EvictionSignals signals;
  private final Supplier<List<Pod>> activePods;
  private final PodEvictor evictor;
  private final NodeReclaimer reclaimer;
  private final EventRecorder events;
  private final InstantSource clock;
  private final Duration transitionPeriod;
  private final Map<Signal.Condition, Instant> lastObserved = new EnumMap<>(Signal.Condition.class);
  private final Set<String> evicted = ConcurrentHashMap.newKeySet();
  private volatile Set<Signal.Condition> conditions = Set.of();
  private volatile boolean closed;
  private Thread loop;

  public EvictionManager(
      List<Threshold> thresholds,
      EvictionSignals signals,
      Supplier<List<Pod>> activePods,
      PodEvictor evictor,
      NodeReclaimer reclaimer,
      EventRecorder events,
      InstantSource clock,
      Duration transitionPeriod) {
    this.thresholds = List.copyOf(thresholds);
    this.signals = signals;
    this.activePods = activePods;
    this.evictor = evictor;
    this.reclaimer = reclaimer;
    this.events = events;
    this.clock = clock;
    this.transitionPeriod = transitionPeriod;
  }

  /** Runs a round every {@code period} on a virtual thread. */
  public void start(Duration period) {
    loop =
        Thread.ofVirtual()
            .name("eviction-manager")
            .start(
                () -> {
                  while (!closed) {
                    try {
                      synchronize();
                      Thread.sleep(period);
                    } catch (InterruptedException e) {
                      return;
                    } catch (RuntimeException e) {
                      LOG.warn("eviction round failed error={}", e.toString());
                    }
                  }
                });
  }

  /** The node's health with the pressure conditions this manager observes. */
  public NodeHealth withPressure(NodeHealth health) {
    Set<Signal.Condition> now = conditions;
    return new NodeHealth(
        health.ready(),
        health.notReadyMessage(),
        health.memoryPressure() || now.contains(Signal.Condition.MEMORY_PRESSURE),
        health.diskPressure() || now.contains(Signal.Condition.DISK_PRESSURE),
        health.pidPressure() || now.contains(Signal.Condition.PID_PRESSURE));
  }

  /** The pressure conditions now reported. */
  public Set<Signal.Condition> conditions() {
    return conditions;
  }

  /** One round: measure, update the conditions, reclaim, and evict at most one pod. */
  public synchronized Optional<Pod> synchronize() {
    Map<Signal, EvictionSignals.Observation> observed = signals.observe();
    List<Threshold> met = met(observed);
    Instant now = clock.instant();
    for (Threshold t : met) {
      lastObserved.put(t.signal().condition(), now);
    }
    Set<Signal.Condition> active = new HashSet<>();
    lastObserved.forEach(
        (condition, at) -> {
          if (!now.isAfter(at.plus(transitionPeriod))) {
            active.add(condition);
          }
        });
    conditions = Set.copyOf(active);
    if (met.isEmpty()) {
      return Optional.empty();
    }
    if (met.stream().anyMatch(t -> t.signal().disk())) {
      long freed = reclaimer.reclaim();
      if (freed > 0) {
        observed = signals.observe();
        met = met(observed);
        if (met.isEmpty()) {
          LOG.info("eviction avoided: node-level resources reclaimed bytes={}", freed);
          return Optional.empty();
        }
      }
    }
    List<Pod> pods = activePods.get();
    Set<String> activeUids = new HashSet<>();
    pods.forEach(p -> activeUids.add(p.getMetadata().getUid()));
    evicted.retainAll(activeUids);
    Threshold threshold = met.getFirst();
    EvictionSignals.Observation observation = observed.get(threshold.signal());
    for (Pod pod : rank(pods, threshold.signal())) {
      String uid = pod.getMetadata().getUid();
      if (isCritical(pod) || !evicted.add(uid)) {
        continue;
      }
      String message = message(pod, threshold, observation);
      LOG.info(
          "pod evicted pod={}/{} signal={} message=\"{}\"",
          pod.getMetadata().getNamespace(),
          pod.getMetadata().getName(),
          threshold.signal().flagName(),
          message);
      events.event(pod, EventRecorder.WARNING, REASON, message);
      evictor.evict(pod, message);
      return Optional.of(pod);
    }
    LOG.warn("eviction threshold met but no pod to evict signal={}", threshold.signal().flagName());
    return Optional.empty();
  }

  private List<Threshold> met(Map<Signal, EvictionSignals.Observation> observed) {
    List<Threshold> out = new ArrayList<>();
    for (Threshold t : thresholds) {
      EvictionSignals.Observation o = observed.get(t.signal());
      if (o != null && o.available() < t.value(o.capacity())) {
        out.add(t);
      }
    }
    // memory first, as the kubelet reclaims it before disk
    out.sort(Comparator.comparing(t -> t.signal().ordinal()));
    return out;
  }

  /** The pods in the order they are evicted for a signal. */
  List<Pod> rank(List<Pod> pods, Signal signal) {
    if (signal == Signal.PID_AVAILABLE) {
      return pods.stream().sorted(Comparator.comparingInt(EvictionManager::priority)).toList();
    }
    String resource = signal.disk() ? "ephemeral-storage" : "memory";
    Map<String, Long> excess = new ConcurrentHashMap<>();
    for (Pod pod : pods) {
      long usage =
          signals.containerUsage(pod, signal).values().stream().mapToLong(Long::longValue).sum();
      excess.put(pod.getMetadata().getUid(), usage - requests(pod, resource));
    }
    Comparator<Pod> exceedsRequests =
        Comparator.comparing(p -> excess.get(p.getMetadata().getUid()) > 0 ? 0 : 1);
    return pods.stream()
        .sorted(
            exceedsRequests
                .thenComparingInt(EvictionManager::priority)
                .thenComparing(
                    p -> excess.get(p.getMetadata().getUid()), Comparator.reverseOrder()))
        .toList();
  }

  /** Kubernetes' eviction message, naming the containers that use more than they request. */
  String message(Pod pod, Threshold threshold, EvictionSignals.Observation observation) {
    Signal signal = threshold.signal();
    StringBuilder message =
        new StringBuilder("The node was low on resource: ").append(signal.resource()).append(". ");
    message
        .append("Threshold quantity: ")
        .append(threshold.describe(observation.capacity()))
        .append(", available: ")
        .append(Quantities.format(signal, observation.available()))
        .append(". ");
    if (signal == Signal.PID_AVAILABLE
        || signal == Signal.NODEFS_INODES_FREE
        || signal == Signal.IMAGEFS_INODES_FREE) {
      return message.toString();
    }
    String resource = signal.disk() ? "ephemeral-storage" : "memory";
    Map<String, Long> usage = signals.containerUsage(pod, signal);
    for (Container c : pod.getSpec().getContainers()) {
      Long used = usage.get(c.getName());
      if (used == null) {
        continue;
      }
      Quantity request = request(c, resource);
      long requested = request == null ? 0 : Quantity.getAmountInBytes(request).longValue();
      if (used > requested) {
        message
            .append("Container ")
            .append(c.getName())
            .append(" was using ")
            .append(Quantities.binary(used))
            .append(", request is ")
            .append(request == null ? "0" : request.toString())
            .append(", has larger consumption of ")
            .append(signal.resource())
            .append(". ");
      }
    }
    return message.toString();
  }

  /** Static, mirror and system-critical pods are never evicted. */
  static boolean isCritical(Pod pod) {
    return StaticPodManifests.isStaticPod(pod)
        || StaticPodManifests.isMirrorPod(pod)
        || priority(pod) >= SYSTEM_CRITICAL_PRIORITY;
  }

  private static int priority(Pod pod) {
    Integer p = pod.getSpec().getPriority();
    return p == null ? 0 : p;
  }

  private static long requests(Pod pod, String resource) {
    long sum = 0;
    for (Container c : pod.getSpec().getContainers()) {
      Quantity q = request(c, resource);
      if (q != null) {
        sum += Quantity.getAmountInBytes(q).longValue();
      }
    }
    return sum;
  }

  private static Quantity request(Container c, String resource) {
    return c.getResources() == null || c.getResources().getRequests() == null
        ? null
        : c.getResources().getRequests().get(resource);
  }

  @Override
  public void close() {
    closed = true;
    if (loop != null) {
      loop.interrupt();
    }
  }
}
