package dev.skiff.kubelet.staticpod;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.kubelet.pod.PodApi;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaticPodsTest {
  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

  @TempDir Path dir;

  private final List<String> sink = new CopyOnWriteArrayList<>();
  private final List<String> apiCalls = new CopyOnWriteArrayList<>();
  private final List<Pod> created = new CopyOnWriteArrayList<>();
  private final List<Pod> apiPods = new CopyOnWriteArrayList<>();
  private final AtomicInteger mirrorUids = new AtomicInteger();
  private volatile String nodeUid = "node-uid";
  private final java.util.Set<String> refuseCreate =
      java.util.concurrent.ConcurrentHashMap.newKeySet();
  private StaticPods staticPods;

  @BeforeEach
  void setUp() {
    PodApi api =
        new PodApi() {
          @Override
          public void patchStatus(Pod pod, PodStatus status) {
            apiCalls.add(
                "status " + pod.getMetadata().getName() + " " + pod.getMetadata().getUid());
          }

          @Override
          public void confirmDeletion(String namespace, String name, String uid) {
            apiCalls.add("delete " + name + " " + uid);
            apiPods.removeIf(p -> p.getMetadata().getUid().equals(uid));
          }
        };
    StaticPods.MirrorPodClient mirrors =
        new StaticPods.MirrorPodClient() {
          @Override
          public Optional<String> nodeUid() {
            return Optional.ofNullable(nodeUid);
          }

          @Override
          public void create(Pod mirror) {
            if (refuseCreate.contains(mirror.getMetadata().getNamespace())) {
              throw new IllegalStateException("namespace not found");
            }
            created.add(mirror);
            // the API gives it a uid of its own
            apiPods.add(
                new PodBuilder(mirror)
                    .editMetadata()
                    .withUid("mirror-" + mirrorUids.incrementAndGet())
                    .endMetadata()
                    .build());
          }
        };
    staticPods =
        new StaticPods(
            dir,
            "n1",
            InstantSource.fixed(T0),
            new StaticPods.PodSink() {
              @Override
              public void update(Pod pod) {
                sink.add("update " + pod.getMetadata().getName());
              }

              @Override
              public void remove(Pod pod) {
                sink.add("remove " + pod.getMetadata().getName());
              }
            },
            api,
            mirrors,
            () -> List.copyOf(apiPods));
  }

  private void write(String file, String image) throws IOException {
    Path path = dir.resolve(file);
    Files.writeString(path, StaticPodManifestsTest.WEB.replace("busybox:1", image));
    // a rewrite within the same millisecond must still count as a change
    Files.setLastModifiedTime(path, FileTime.from(Instant.now().plusSeconds(sink.size())));
  }

  @Test
  void manifestAddedRunsThePodAndMakesAMirrorOwnedByTheNode() throws IOException {
    write("web.yaml", "busybox:1");

    staticPods.scan();
    staticPods.reconcileMirrors();

    assertThat(sink).containsExactly("update web-n1");
    Pod running = staticPods.pods().getFirst();
    assertThat(running.getMetadata().getAnnotations())
        .containsEntry("kubernetes.io/config.seen", "2026-11-25T10:00:00Z");
    assertThat(created).hasSize(1);
    Pod mirror = created.getFirst();
    assertThat(mirror.getMetadata().getName()).isEqualTo("web-n1");
    assertThat(mirror.getMetadata().getUid()).isNull();
    assertThat(mirror.getMetadata().getAnnotations())
        .containsEntry("kubernetes.io/config.mirror", running.getMetadata().getUid())
        .containsEntry("kubernetes.io/config.hash", running.getMetadata().getUid())
        .containsEntry("kubernetes.io/config.source", "file");
    assertThat(mirror.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getKind()).isEqualTo("Node");
              assertThat(o.getApiVersion()).isEqualTo("v1");
              assertThat(o.getName()).isEqualTo("n1");
              assertThat(o.getUid()).isEqualTo("node-uid");
              assertThat(o.getController()).isTrue();
            });

    staticPods.scan();
    staticPods.reconcileMirrors();
    assertThat(sink).hasSize(1);
    assertThat(created).hasSize(1);
  }

  @Test
  void aMirrorThatCannotBeCreatedDoesNotHoldUpTheOthers() throws IOException {
    Files.writeString(
        dir.resolve("a.yaml"),
        StaticPodManifestsTest.WEB.replace(
            "name: web\n  labels", "name: a\n  namespace: gone\n  labels"));
    write("web.yaml", "busybox:1");
    refuseCreate.add("gone");
    staticPods.scan();
    staticPods.reconcileMirrors();
    staticPods.reconcileMirrors();
    assertThat(sink).containsExactlyInAnyOrder("update a-n1", "update web-n1");
    assertThat(created).extracting(p -> p.getMetadata().getName()).containsExactly("web-n1");
  }

  @Test
  void noMirrorBeforeTheNodeIsRegistered() throws IOException {
    nodeUid = null;
    write("web.yaml", "busybox:1");
    staticPods.scan();
    staticPods.reconcileMirrors();
    assertThat(created).isEmpty();
    nodeUid = "node-uid";
    staticPods.reconcileMirrors();
    assertThat(created).hasSize(1);
  }

  @Test
  void statusGoesToTheMirrorPodAndToEachNewMirror() throws IOException {
    write("web.yaml", "busybox:1");
    staticPods.scan();
    Pod running = staticPods.pods().getFirst();
    PodStatus status = new PodStatusBuilder().withPhase("Running").build();

    // no mirror yet: held until there is one
    staticPods.statusApi().patchStatus(running, status);
    assertThat(apiCalls).isEmpty();
    staticPods.reconcileMirrors(); // creates the mirror
    assertThat(apiCalls).isEmpty();
    staticPods.reconcileMirrors(); // sees it in the API
    assertThat(apiCalls).containsExactly("status web-n1 mirror-1");

    staticPods.statusApi().patchStatus(running, status);
    assertThat(apiCalls).containsExactly("status web-n1 mirror-1", "status web-n1 mirror-1");

    // the mirror pod deleted by a user: made again, and given the status
    apiPods.clear();
    staticPods.reconcileMirrors();
    assertThat(created).hasSize(2);
    staticPods.reconcileMirrors();
    assertThat(apiCalls).last().isEqualTo("status web-n1 mirror-2");
  }

  @Test
  void mirrorBeingDeletedIsDeletedAndMadeAgain() throws IOException {
    write("web.yaml", "busybox:1");
    staticPods.scan();
    staticPods.reconcileMirrors();
    Pod mirror = apiPods.getFirst();
    apiPods.set(
        0,
        new PodBuilder(mirror)
            .editMetadata()
            .withDeletionTimestamp("2026-11-25T10:00:05Z")
            .endMetadata()
            .build());

    staticPods.reconcileMirrors();

    assertThat(apiCalls).contains("delete web-n1 mirror-1");
    assertThat(created).hasSize(2);
    assertThat(apiPods).extracting(p -> p.getMetadata().getUid()).containsExactly("mirror-2");
  }

  @Test
  void changedManifestReplacesThePodAndItsMirror() throws IOException {
    write("web.yaml", "busybox:1");
    staticPods.scan();
    staticPods.reconcileMirrors();
    String firstUid = staticPods.pods().getFirst().getMetadata().getUid();

    write("web.yaml", "busybox:2");
    staticPods.scan();
    staticPods.reconcileMirrors();

    assertThat(sink).containsExactly("update web-n1", "remove web-n1", "update web-n1");
    String secondUid = staticPods.pods().getFirst().getMetadata().getUid();
    assertThat(secondUid).isNotEqualTo(firstUid);
    assertThat(apiCalls).contains("delete web-n1 mirror-1");
    assertThat(apiPods)
        .singleElement()
        .satisfies(
            p ->
                assertThat(p.getMetadata().getAnnotations())
                    .containsEntry("kubernetes.io/config.mirror", secondUid));
  }

  @Test
  void removedManifestStopsThePodAndDeletesItsMirror() throws IOException {
    write("web.yaml", "busybox:1");
    staticPods.scan();
    staticPods.reconcileMirrors();

    Files.delete(dir.resolve("web.yaml"));
    staticPods.scan();
    staticPods.reconcileMirrors();

    assertThat(sink).containsExactly("update web-n1", "remove web-n1");
    assertThat(staticPods.pods()).isEmpty();
    assertThat(apiCalls).containsExactly("delete web-n1 mirror-1");
    assertThat(apiPods).isEmpty();
  }

  @Test
  void apiPodsAndStaticPodDeletionsAreNotRouted() throws IOException {
    write("web.yaml", "busybox:1");
    staticPods.scan();
    Pod running = staticPods.pods().getFirst();
    Pod regular =
        new PodBuilder()
            .withNewMetadata()
            .withName("regular")
            .withNamespace("default")
            .withUid("r1")
            .endMetadata()
            .withNewSpec()
            .withNodeName("n1")
            .endSpec()
            .build();
    List<String> expected = new ArrayList<>();

    staticPods.statusApi().patchStatus(regular, new PodStatus());
    expected.add("status regular r1");
    staticPods.statusApi().confirmDeletion("default", "regular", "r1");
    expected.add("delete regular r1");
    staticPods.statusApi().confirmDeletion("default", "web-n1", running.getMetadata().getUid());

    assertThat(apiCalls).isEqualTo(expected);
  }
}
