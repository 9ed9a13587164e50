package dev.skiff.apiserver.authz;

import dev.skiff.api.Json;
import dev.skiff.api.selector.LabelSelector;
import dev.skiff.apiserver.http.ApiException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The ClusterRole aggregation controller: the rules of a ClusterRole with an {@code
 * aggregationRule} are the union of the rules of every ClusterRole its selectors match (in name
 * order), written back whenever any ClusterRole changes.
 */
public final class ClusterRoleAggregator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClusterRoleAggregator.class);

  private final RbacAuthorizer rbac;
  private final Loopback api;
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(
          Thread.ofVirtual().name("clusterrole-aggregator").factory());
  private final AtomicBoolean queued = new AtomicBoolean();

  public ClusterRoleAggregator(RbacAuthorizer rbac, Loopback api) {
    this.rbac = rbac;
    this.api = api;
  }

  /** Aggregates now (until nothing changes) and then after every ClusterRole change. */
  public void start() {
    for (int pass = 0; pass < 8 && aggregateOnce(); pass++) {
      rbac.awaitCurrent(Duration.ofSeconds(10));
    }
    rbac.onClusterRoleChange(this::enqueue);
  }

  private void enqueue() {
    if (queued.compareAndSet(false, true)) {
      worker.execute(
          () -> {
            queued.set(false);
            try {
              aggregateOnce();
            } catch (RuntimeException e) {
              log.warn("event=clusterrole_aggregation_failed reason={}", e.toString());
            }
          });
    }
  }

  /** One pass over every aggregated ClusterRole; true when some role was written. */
  boolean aggregateOnce() {
    Map<String, ObjectNode> byName = new HashMap<>();
    for (ObjectNode role : rbac.clusterRoles()) {
      byName.put(role.path("metadata").path("name").asString(), role);
    }
    boolean wrote = false;
    for (ObjectNode role : byName.values()) {
      JsonNode selectors = role.path("aggregationRule").path("clusterRoleSelectors");
      if (!selectors.isArray()) {
        continue;
      }
      ArrayNode rules = Json.MAPPER.createArrayNode();
      List<ObjectNode> sources = new ArrayList<>(byName.values());
      sources.sort(Comparator.comparing(r -> r.path("metadata").path("name").asString()));
      String self = role.path("metadata").path("name").asString();
      for (ObjectNode source : sources) {
        if (source.path("metadata").path("name").asString().equals(self)
            || !matchesAny(selectors, labels(source))) {
          continue;
        }
        for (JsonNode rule : source.path("rules")) {
          if (!contains(rules, rule)) {
            rules.add(rule);
          }
        }
      }
      if (!rules.equals(role.path("rules"))
          && !(rules.isEmpty() && role.path("rules").isMissingNode())) {
        ObjectNode updated = role.deepCopy();
        updated.set("rules", rules);
        try {
          // mirrored objects carry no resourceVersion, so this update is unconditional
          api.update(PolicyReconciler.RBAC + "clusterroles/" + self, updated);
          wrote = true;
        } catch (ApiException e) {
          if (e.code() != 409 && e.code() != 404) {
            throw e;
          }
        }
      }
    }
    return wrote;
  }

  private static boolean matchesAny(JsonNode selectors, Map<String, String> labels) {
    for (JsonNode selector : selectors) {
      if (LabelSelector.fromJson(selector).matches(labels)) {
        return true;
      }
    }
    return false;
  }

  private static Map<String, String> labels(ObjectNode object) {
    Map<String, String> labels = new HashMap<>();
    for (Map.Entry<String, JsonNode> e : object.path("metadata").path("labels").properties()) {
      labels.put(e.getKey(), e.getValue().asString(""));
    }
    return labels;
  }

  private static boolean contains(ArrayNode array, JsonNode value) {
    for (JsonNode item : array) {
      if (item.equals(value)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
