package dev.skiff.controllers.nodelifecycle;

import dev.skiff.api.Json;
import dev.skiff.client.Timestamps;
import dev.skiff.client.events.EventRecorder;
import dev.skiff.controllers.pods.Pods;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.RateLimitingQueue;
import dev.skiff.controllers.runtime.Reconciler;
import dev.skiff.controllers.runtime.Result;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Watches node heartbeats (the node's Lease in kube-node-lease and its Ready condition). A node
 * silent for longer than the grace period gets its conditions set to Unknown; not-ready and
 * unreachable nodes get the matching NoSchedule and NoExecute taints, and a node under memory, disk
 * or PID pressure (or with its network unavailable) the matching NoSchedule taint; pods on a
 * NoExecute-tainted node that do not tolerate the taint, or whose tolerationSeconds have run out,
 * are evicted — so their controllers recreate them elsewhere.
 */
public final class NodeLifecycleController implements Reconciler {
  public static final String NOT_READY = "node.kubernetes.io/not-ready";
  public static final String UNREACHABLE = "node.kubernetes.io/unreachable";

  /** The NoSchedule taint each pressure condition brings while True (TaintNodesByCondition). */
  static final Map<String, String> CONDITION_TAINTS =
      Map.of(
          "MemoryPressure", "node.kubernetes.io/memory-pressure",
          "DiskPressure", "node.kubernetes.io/disk-pressure",
          "PIDPressure", "node.kubernetes.io/pid-pressure",
          "NetworkUnavailable", "node.kubernetes.io/network-unavailable");

  static final Duration MONITOR_PERIOD = Duration.ofSeconds(5);
  static final Set<String> HEALTH_CONDITIONS =
      Set.of("Ready", "MemoryPressure", "DiskPressure", "PIDPressure");

  private final Indexer<Node> nodes;
  private final Indexer<Lease> leases;
  private final Indexer<Pod> pods;
  private final NodeWriter writer;
  private final EventRecorder recorder;
  private final RateLimitingQueue<ObjectKey> queue;
  private final InstantSource clock;
  private final Duration gracePeriod;

  /** The last heartbeat seen per node, and when this controller saw it change (local time). */
  private record Heartbeat(String value, Instant observedAt) {}

  private final Map<String, Heartbeat> heartbeats = new ConcurrentHashMap<>();

  public NodeLifecycleController(
      Indexer<Node> nodes,
      Indexer<Lease> leases,
      Indexer<Pod> pods,
      NodeWriter writer,
      EventRecorder recorder,
      RateLimitingQueue<ObjectKey> queue,
      InstantSource clock,
      Duration gracePeriod) {
    this.nodes = nodes;
    this.leases = leases;
    this.pods = pods;
    this.writer = writer;
    this.recorder = recorder;
    this.queue = queue;
    this.clock = clock;
    this.gracePeriod = gracePeriod;
  }

  public ResourceEventHandler<Node> nodeHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Node node) {
        queue.add(ObjectKey.clusterScoped(node.getMetadata().getName()));
      }

      @Override
      public void onUpdate(Node o, Node node) {
        queue.add(ObjectKey.clusterScoped(node.getMetadata().getName()));
      }

      @Override
      public void onDelete(Node node, boolean unknown) {
        heartbeats.remove(node.getMetadata().getName());
      }
    };
  }

  // ---- reconcile ----

  @Override
  public Result reconcile(ObjectKey key) {
    Node cached = nodes.getByKey(key.name());
    if (cached == null) {
      heartbeats.remove(key.name());
      return Result.done();
    }
    Node node = Json.MAPPER.convertValue(cached, Node.class);
    Instant now = clock.instant();
    Instant lastSeen = observeHeartbeat(node, now);
    if (now.isAfter(lastSeen.plus(gracePeriod))) {
      markUnknown(node, now);
    }
    String ready = readyStatus(node);
    List<Taint> taints = desiredTaints(node, ready, now);
    if (!sameTaints(taints, node.getSpec().getTaints())) {
      writer.setTaints(node, taints);
      node.getSpec().setTaints(taints);
    }
    Result next = Result.requeueAfter(MONITOR_PERIOD);
    return next.soonest(evictIntolerant(node, now));
  }

  /**
   * The local time at which this node's heartbeat (lease renewal or Ready heartbeat) last moved.
   */
  private Instant observeHeartbeat(Node node, Instant now) {
    String name = node.getMetadata().getName();
    Lease lease = leases.getByKey("kube-node-lease/" + name);
    String leaseRenew =
        lease == null || lease.getSpec() == null
            ? null
            : String.valueOf(lease.getSpec().getRenewTime());
    String readyHeartbeat =
        condition(node, "Ready").map(NodeCondition::getLastHeartbeatTime).orElse(null);
    String value = leaseRenew + "|" + readyHeartbeat;
    Heartbeat previous = heartbeats.get(name);
    if (previous == null || !previous.value().equals(value)) {
      heartbeats.put(name, new Heartbeat(value, now));
      return now;
    }
    return previous.observedAt();
  }

  private void markUnknown(Node node, Instant now) {
    boolean changed = false;
    List<NodeCondition> conditions =
        node.getStatus() == null || node.getStatus().getConditions() == null
            ? new ArrayList<>()
            : new ArrayList<>(node.getStatus().getConditions());
    for (String type : HEALTH_CONDITIONS) {
      Optional<NodeCondition> existing =
          conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
      if (existing.isPresent() && "Unknown".equals(existing.get().getStatus())) {
        continue;
      }
      NodeCondition unknown = new NodeCondition();
      unknown.setType(type);
      unknown.setStatus("Unknown");
      unknown.setReason("NodeStatusUnknown");
      unknown.setMessage("Kubelet stopped posting node status.");
      unknown.setLastHeartbeatTime(
          existing.map(NodeCondition::getLastHeartbeatTime).orElse(Timestamps.time(now)));
      unknown.setLastTransitionTime(Timestamps.time(now));
      existing.ifPresent(conditions::remove);
      conditions.add(unknown);
      changed = true;
    }
    if (changed) {
      if (node.getStatus() == null) {
        node.setStatus(new NodeStatus());
      }
      node.getStatus().setConditions(conditions);
      writer.updateStatus(node);
      recorder.event(
          node,
          EventRecorder.NORMAL,
          "NodeNotReady",
          "Node " + node.getMetadata().getName() + " status is now: NodeNotReady");
    }
  }

  private static Optional<NodeCondition> condition(Node node, String type) {
    if (node.getStatus() == null || node.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return node.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst();
  }

  private static String readyStatus(Node node) {
    return condition(node, "Ready").map(NodeCondition::getStatus).orElse("Unknown");
  }

  /** The node's taints with the readiness taints set for its Ready status. */
  private static List<Taint> desiredTaints(Node node, String ready, Instant now) {
    List<Taint> current =
        node.getSpec() == null || node.getSpec().getTaints() == null
            ? List.of()
            : node.getSpec().getTaints();
    List<Taint> result = new ArrayList<>();
    for (Taint taint : current) {
      if (!NOT_READY.equals(taint.getKey())
          && !UNREACHABLE.equals(taint.getKey())
          && !CONDITION_TAINTS.containsValue(taint.getKey())) {
        result.add(taint);
      }
    }
    for (Map.Entry<String, String> entry : new java.util.TreeMap<>(CONDITION_TAINTS).entrySet()) {
      if (condition(node, entry.getKey()).map(c -> "True".equals(c.getStatus())).orElse(false)) {
        Taint taint = new Taint();
        taint.setKey(entry.getValue());
        taint.setEffect("NoSchedule");
        result.add(taint);
      }
    }
    String key =
        switch (ready) {
          case "True" -> null;
          case "False" -> NOT_READY;
          default -> UNREACHABLE;
        };
    if (key != null) {
      for (String effect : List.of("NoSchedule", "NoExecute")) {
        Taint kept =
            current.stream()
                .filter(t -> key.equals(t.getKey()) && effect.equals(t.getEffect()))
                .findFirst()
                .orElse(null);
        if (kept != null) {
          result.add(kept);
        } else {
          Taint taint = new Taint();
          taint.setKey(key);
          taint.setEffect(effect);
          if (effect.equals("NoExecute")) {
            taint.setTimeAdded(Timestamps.time(now));
          }
          result.add(taint);
        }
      }
    }
    return result;
  }

  private static boolean sameTaints(List<Taint> a, List<Taint> b) {
    List<Taint> left = a == null ? List.of() : a;
    List<Taint> right = b == null ? List.of() : b;
    return Json.MAPPER.valueToTree(left).equals(Json.MAPPER.valueToTree(right));
  }

  /** Evicts pods that do not tolerate the node's NoExecute taints; the time until the next one. */
  private Result evictIntolerant(Node node, Instant now) {
    List<Taint> noExecute =
        node.getSpec().getTaints() == null
            ? List.of()
            : node.getSpec().getTaints().stream()
                .filter(t -> "NoExecute".equals(t.getEffect()))
                .toList();
    if (noExecute.isEmpty()) {
      return Result.done();
    }
    Result soonest = Result.done();
    for (Pod pod : pods.list()) {
      if (pod.getSpec() == null
          || !node.getMetadata().getName().equals(pod.getSpec().getNodeName())
          || Pods.isTerminating(pod)) {
        continue;
      }
      Optional<Instant> evictAt = evictionTime(pod, noExecute);
      if (evictAt.isEmpty()) {
        continue;
      }
      if (!now.isBefore(evictAt.get())) {
        recorder.event(
            pod,
            EventRecorder.NORMAL,
            "TaintManagerEviction",
            "Marking for deletion Pod "
                + pod.getMetadata().getNamespace()
                + "/"
                + pod.getMetadata().getName());
        writer.evict(pod);
      } else {
        soonest = soonest.soonest(Result.requeueAfter(Duration.between(now, evictAt.get())));
      }
    }
    return soonest;
  }

  /**
   * When the pod must leave: now-ish for an untolerated taint, taint time + the smallest
   * tolerationSeconds otherwise; empty when every taint is tolerated forever.
   */
  static Optional<Instant> evictionTime(Pod pod, List<Taint> noExecute) {
    List<Toleration> tolerations =
        pod.getSpec().getTolerations() == null ? List.of() : pod.getSpec().getTolerations();
    Instant earliest = null;
    for (Taint taint : noExecute) {
      Instant added =
          Optional.ofNullable(Timestamps.parse(taint.getTimeAdded())).orElse(Instant.EPOCH);
      Long seconds = null;
      boolean tolerated = false;
      for (Toleration toleration : tolerations) {
        if (tolerates(toleration, taint)) {
          tolerated = true;
          if (toleration.getTolerationSeconds() == null) {
            seconds = null;
            break;
          }
          long value = Math.max(0, toleration.getTolerationSeconds());
          seconds = seconds == null ? value : Math.min(seconds, value);
        }
      }
      Instant at;
      if (!tolerated) {
        at = Instant.EPOCH;
      } else if (seconds == null) {
        continue;
      } else {
        at = added.plusSeconds(seconds);
      }
      earliest = earliest == null || at.isBefore(earliest) ? at : earliest;
    }
    return Optional.ofNullable(earliest);
  }

  static boolean tolerates(Toleration toleration, Taint taint) {
    if (toleration.getEffect() != null
        && !toleration.getEffect().isEmpty()
        && !toleration.getEffect().equals(taint.getEffect())) {
      return false;
    }
    String operator = toleration.getOperator() == null ? "Equal" : toleration.getOperator();
    if (toleration.getKey() == null || toleration.getKey().isEmpty()) {
      return "Exists".equals(operator);
    }
    if (!toleration.getKey().equals(taint.getKey())) {
      return false;
    }
    return "Exists".equals(operator)
        || Objects.equals(
            toleration.getValue() == null ? "" : toleration.getValue(),
            taint.getValue() == null ? "" : taint.getValue());
  }
}
