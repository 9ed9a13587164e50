package dev.skiff.controllers.gc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.controllers.runtime.DefaultRateLimitingQueue;
import dev.skiff.controllers.runtime.FakeClock;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.QueueMetrics;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GarbageCollectorTest {
  /** The "API server": live objects by name, and the writes made. */
  private final Map<String, GraphObject> live = new HashMap<>();

  private final List<String> writes = new ArrayList<>();
  private final DefaultRateLimitingQueue<ObjectKey> queue =
      DefaultRateLimitingQueue.create(new FakeClock(), QueueMetrics.NONE);
  private final GarbageCollector collector =
      new GarbageCollector(
          new OwnerGraph(),
          new GcClient() {
            @Override
            public Optional<GraphObject> get(
                String apiVersion, String kind, String namespace, String name) {
              return Optional.ofNullable(live.get(name));
            }

            @Override
            public void delete(GraphObject object, String propagationPolicy) {
              writes.add("delete " + object.name() + " " + propagationPolicy);
            }

            @Override
            public void patchOwnerReferences(GraphObject object, List<OwnerReference> refs) {
              writes.add(
                  "owners "
                      + object.name()
                      + " "
                      + refs.stream().map(OwnerReference::getName).toList());
            }

            @Override
            public void removeFinalizer(GraphObject object, String finalizer) {
              writes.add("unfinalize " + object.name() + " " + finalizer);
            }
          },
          queue,
          kind -> true);

  @AfterEach
  void close() {
    queue.close();
  }

  private static OwnerReference ownedBy(GraphObject owner, boolean block) {
    return new OwnerReferenceBuilder()
        .withApiVersion(owner.apiVersion())
        .withKind(owner.kind())
        .withName(owner.name())
        .withUid(owner.uid())
        .withController(true)
        .withBlockOwnerDeletion(block)
        .build();
  }

  private static GraphObject object(
      String kind,
      String name,
      List<OwnerReference> owners,
      List<String> finalizers,
      boolean deleting) {
    return new GraphObject(
        "apps/v1", kind, "default", name, "uid-" + name, "1", owners, finalizers, deleting);
  }

  private void exists(GraphObject object) {
    live.put(object.name(), object);
    collector.observed(object);
  }

  private void gone(GraphObject object) {
    live.remove(object.name());
    collector.removed(object);
  }

  /** Runs the queue dry, reconciling each key. */
  private void drain() throws InterruptedException {
    while (queue.length() > 0) {
      ObjectKey key = queue.get();
      collector.reconcile(key);
      queue.done(key);
    }
  }

  @Test
  void backgroundDeletionRemovesDependentsOfAGoneOwner() throws InterruptedException {
    GraphObject rs = object("ReplicaSet", "web", List.of(), List.of(), false);
    exists(rs);
    GraphObject pod = object("Pod", "web-1", List.of(ownedBy(rs, true)), List.of(), false);
    exists(pod);
    drain();
    assertThat(writes).isEmpty();

    gone(rs);
    drain();

    assertThat(writes).containsExactly("delete web-1 Background");
  }

  @Test
  void foregroundDeletionWaitsForBlockingDependents() throws InterruptedException {
    GraphObject rs = object("ReplicaSet", "web", List.of(), List.of(), false);
    exists(rs);
    GraphObject pod = object("Pod", "web-1", List.of(ownedBy(rs, true)), List.of(), false);
    exists(pod);

    GraphObject deleting =
        object("ReplicaSet", "web", List.of(), List.of("foregroundDeletion"), true);
    exists(deleting);
    drain();
    assertThat(writes).containsExactly("delete web-1 Background");

    gone(pod);
    drain();
    assertThat(writes)
        .containsExactly("delete web-1 Background", "unfinalize web foregroundDeletion");
  }

  @Test
  void orphanDeletionStripsTheOwnerReferenceThenTheFinalizer() throws InterruptedException {
    GraphObject rs = object("ReplicaSet", "web", List.of(), List.of(), false);
    exists(rs);
    GraphObject pod = object("Pod", "web-1", List.of(ownedBy(rs, true)), List.of(), false);
    exists(pod);

    exists(object("ReplicaSet", "web", List.of(), List.of("orphan"), true));
    drain();

    assertThat(writes).containsExactly("owners web-1 []", "unfinalize web orphan");
  }

  @Test
  void aDependentWithAnotherLiveOwnerOnlyLosesTheDanglingReference() throws InterruptedException {
    GraphObject a = object("ConfigMap", "a", List.of(), List.of(), false);
    GraphObject b = object("ConfigMap", "b", List.of(), List.of(), false);
    exists(a);
    exists(b);
    GraphObject shared =
        object(
            "ConfigMap", "shared", List.of(ownedBy(a, false), ownedBy(b, false)), List.of(), false);
    exists(shared);

    gone(a);
    drain();

    assertThat(writes).containsExactly("owners shared [b]");
  }

  @Test
  void anOwnerThatNeverExistedIsDangling() throws InterruptedException {
    GraphObject ghost = object("ReplicaSet", "ghost", List.of(), List.of(), false);
    exists(object("Pod", "stray", List.of(ownedBy(ghost, true)), List.of(), false));

    drain();

    assertThat(writes).containsExactly("delete stray Background");
  }
}
