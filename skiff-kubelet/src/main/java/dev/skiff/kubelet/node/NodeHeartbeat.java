package dev.skiff.kubelet.node;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's heartbeat, driven by {@link #tick(Instant)}: registers the node, renews its Lease
 * every {@link NodeLeases#RENEW_INTERVAL}, and posts its status when it changed or when {@code
 * reportFrequency} has passed since the last report (the kubelet's nodeStatusReportFrequency). Not
 * thread-safe: one tick at a time, which {@link HeartbeatLoop} guarantees.
 */
public final class NodeHeartbeat {
  private static final Logger LOG = LoggerFactory.getLogger(NodeHeartbeat.class);
  private static final Duration MIN_BACKOFF = Duration.ofMillis(200);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(7);
  private static final Set<String> OWN_CONDITIONS =
      Set.of(
          NodeStatusGenerator.READY,
          NodeStatusGenerator.MEMORY_PRESSURE,
          NodeStatusGenerator.DISK_PRESSURE,
          NodeStatusGenerator.PID_PRESSURE);

  private final NodeConfig config;
  private final Supplier<NodeHealth> health;
  private final NodeApi api;
  private final Duration reportFrequency;

  private Node node;
  private Lease lease;
  private NodeStatus reported;
  private Instant reportedAt;
  private Duration backoff = Duration.ZERO;

  public NodeHeartbeat(
      NodeConfig config, Supplier<NodeHealth> health, NodeApi api, Duration reportFrequency) {
    this.config = config;
    this.health = health;
    this.api = api;
    this.reportFrequency = reportFrequency;
  }

  public String nodeName() {
    return config.name();
  }

  public NodeConfig config() {
    return config;
  }

  /** The node as the API server last returned it, or null before registration. */
  public Node node() {
    return node;
  }

  /** The lease as last written, or null. */
  public Lease lease() {
    return lease;
  }

  /**
   * Does whatever is due at {@code now} and returns how long until the next tick: the renew
   * interval, or a growing backoff (200 ms doubling to 7 s) while the API server fails.
   */
  public Duration tick(Instant now) {
    try {
      if (node == null) {
        node = api.registerNode(NodeStatusGenerator.registration(config, health.get(), now));
        reported = ownPart(node.getStatus());
        reportedAt = now;
        LOG.debug("event=node_registered node={}", config.name());
      }
      renewLease(now);
      reportStatus(now);
      backoff = Duration.ZERO;
      return NodeLeases.RENEW_INTERVAL;
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND && node != null && lease != null) {
        // the node was deleted under us: register again on the next tick, as a fresh node
        node = null;
        lease = null;
      }
      backoff =
          backoff.isZero()
              ? MIN_BACKOFF
              : backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
                  ? MAX_BACKOFF
                  : backoff.multipliedBy(2);
      LOG.info(
          "event=heartbeat_failed node={} code={} retry_in={}ms reason=\"{}\"",
          config.name(),
          e.getCode(),
          backoff.toMillis(),
          e.getMessage());
      return backoff;
    }
  }

  private void renewLease(Instant now) {
    String uid = node.getMetadata().getUid();
    if (lease != null) {
      try {
        lease = api.updateLease(NodeLeases.renewed(lease, config.name(), uid, now));
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT
            && e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
          throw e;
        }
        // someone else wrote it, or it was deleted: read it again below
      }
    }
    Lease existing = api.getLease(config.name());
    lease =
        existing == null
            ? api.createLease(NodeLeases.newLease(config.name(), uid, now))
            : api.updateLease(NodeLeases.renewed(existing, config.name(), uid, now));
  }

  private void reportStatus(Instant now) {
    List<NodeCondition> previous = reported == null ? List.of() : reported.getConditions();
    NodeStatus current = NodeStatusGenerator.generate(config, health.get(), previous, now);
    boolean changed = NodeStatusGenerator.changed(reported, current);
    if (!changed && reportedAt != null && reportedAt.plus(reportFrequency).isAfter(now)) {
      return;
    }
    NodeStatus sent = new io.fabric8.kubernetes.api.model.NodeStatusBuilder(current).build();
    List<NodeCondition> conditions = new ArrayList<>(current.getConditions());
    conditions.addAll(foreignConditions(node.getStatus()));
    sent.setConditions(conditions);
    node = api.patchNodeStatus(config.name(), sent);
    // compare the next status with what was sent, not with the server's canonical form of it
    reported = current;
    reportedAt = now;
  }

  /** The part of a stored status this heartbeat writes, to compare with what it computes. */
  private static NodeStatus ownPart(NodeStatus status) {
    if (status == null || status.getConditions() == null) {
      return status;
    }
    NodeStatus copy = new io.fabric8.kubernetes.api.model.NodeStatusBuilder(status).build();
    copy.setConditions(
        status.getConditions().stream().filter(c -> OWN_CONDITIONS.contains(c.getType())).toList());
    copy.setImages(null);
    copy.setVolumesAttached(null);
    copy.setVolumesInUse(null);
    copy.setConfig(null);
    copy.setFeatures(null);
    copy.setRuntimeHandlers(null);
    copy.setPhase(null);
    copy.setDeclaredFeatures(null);
    return copy;
  }

  private static List<NodeCondition> foreignConditions(NodeStatus status) {
    List<NodeCondition> foreign = new ArrayList<>();
    if (status != null && status.getConditions() != null) {
      for (NodeCondition c : status.getConditions()) {
        if (!OWN_CONDITIONS.contains(c.getType())) {
          foreign.add(c);
        }
      }
    }
    return foreign;
  }
}
