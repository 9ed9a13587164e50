package dev.skiff.controllers.namespace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.controllers.runtime.DefaultRateLimitingQueue;
import dev.skiff.controllers.runtime.DiscoveredResource;
import dev.skiff.controllers.runtime.FakeClock;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.QueueMetrics;
import dev.skiff.controllers.runtime.Result;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceCondition;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NamespaceControllerTest {
  private static final DiscoveredResource PODS =
      new DiscoveredResource(
          "", "v1", "Pod", "pods", true, List.of("list", "delete", "deletecollection"));
  private static final DiscoveredResource WIDGETS =
      new DiscoveredResource(
          "example.com", "v1", "Widget", "widgets", true, List.of("list", "delete"));

  /** Objects per resource; deleteAll keeps objects that have finalizers. */
  private final Map<String, List<NamespaceContent.Item>> objects = new HashMap<>();

  private final List<String> deleted = new ArrayList<>();
  private final List<Namespace> statusWrites = new ArrayList<>();
  private final List<Namespace> finalized = new ArrayList<>();
  private final FakeClock clock = new FakeClock();
  private final CacheImpl<Namespace> namespaces = new CacheImpl<>();
  private final DefaultRateLimitingQueue<ObjectKey> queue =
      DefaultRateLimitingQueue.create(clock, QueueMetrics.NONE);
  private final NamespaceController controller =
      new NamespaceController(
          namespaces,
          new NamespaceContent() {
            @Override
            public List<DiscoveredResource> namespacedResources() {
              return List.of(PODS, WIDGETS);
            }

            @Override
            public void deleteAll(DiscoveredResource resource, String namespace) {
              deleted.add(resource.groupResource());
              objects.computeIfPresent(
                  resource.plural(),
                  (k, items) ->
                      new ArrayList<>(
                          items.stream().filter(i -> !i.finalizers().isEmpty()).toList()));
            }

            @Override
            public List<NamespaceContent.Item> list(DiscoveredResource resource, String namespace) {
              return objects.getOrDefault(resource.plural(), List.of());
            }
          },
          new NamespaceWriter() {
            @Override
            public void updateStatus(Namespace ns) {
              statusWrites.add(ns);
            }

            @Override
            public void finalize(Namespace ns) {
              finalized.add(ns);
            }
          },
          queue,
          clock);
  private final ObjectKey key = ObjectKey.clusterScoped("team");

  @AfterEach
  void close() {
    queue.close();
  }

  private void terminating() {
    namespaces.put(
        new NamespaceBuilder()
            .withNewMetadata()
            .withName("team")
            .withDeletionTimestamp("2026-01-01T00:00:00Z")
            .endMetadata()
            .withNewSpec()
            .withFinalizers("kubernetes")
            .endSpec()
            .withNewStatus()
            .withPhase("Terminating")
            .endStatus()
            .build());
  }

  private NamespaceCondition lastCondition(String type) {
    return statusWrites.get(statusWrites.size() - 1).getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void deletesEveryResourceThenFinalizes() {
    terminating();
    objects.put("pods", new ArrayList<>(List.of(new NamespaceContent.Item("p1", List.of()))));
    objects.put("widgets", new ArrayList<>(List.of(new NamespaceContent.Item("w1", List.of()))));

    assertThat(controller.reconcile(key)).isEqualTo(Result.done());

    assertThat(deleted).containsExactly("pods", "widgets.example.com");
    assertThat(finalized)
        .singleElement()
        .satisfies(ns -> assertThat(ns.getSpec().getFinalizers()).isEmpty());
    assertThat(lastCondition("NamespaceContentRemaining").getStatus()).isEqualTo("False");
  }

  @Test
  void waitsForObjectsWithFinalizersAndSaysWhy() {
    terminating();
    objects.put(
        "widgets",
        new ArrayList<>(List.of(new NamespaceContent.Item("w1", List.of("example.com/keep")))));

    Result result = controller.reconcile(key);

    assertThat(result.requeueAfter()).contains(NamespaceController.RECHECK);
    assertThat(finalized).isEmpty();
    NamespaceCondition remaining = lastCondition("NamespaceContentRemaining");
    assertThat(remaining.getStatus()).isEqualTo("True");
    assertThat(remaining.getReason()).isEqualTo("SomeResourcesRemain");
    assertThat(remaining.getMessage())
        .isEqualTo("Some resources are remaining: widgets.example.com has 1 resource instances");
    assertThat(lastCondition("NamespaceFinalizersRemaining").getMessage())
        .isEqualTo(
            "Some content in the namespace has finalizers remaining: example.com/keep in 1 resource instances");

    objects.clear();
    controller.reconcile(key);
    assertThat(finalized).hasSize(1);
  }

  @Test
  void activeNamespacesAreLeftAlone() {
    namespaces.put(new NamespaceBuilder().withNewMetadata().withName("team").endMetadata().build());

    controller.reconcile(key);

    assertThat(deleted).isEmpty();
    assertThat(finalized).isEmpty();
  }
}
