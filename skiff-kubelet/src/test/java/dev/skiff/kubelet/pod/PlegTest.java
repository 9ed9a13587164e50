package dev.skiff.kubelet.pod;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.kubelet.cri.CriClient;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlegTest {
  @TempDir Path dir;

  private final FakeClock clock = new FakeClock(Instant.parse("2026-11-25T10:00:00Z"));
  private final FakeRuntimeService runtime = new FakeRuntimeService(clock);
  private final CriClient cri = runtime.client();

  @AfterEach
  void close() {
    cri.close();
    runtime.close();
  }

  private CriPodSyncer syncer() {
    return new CriPodSyncer(
        new CriPodSyncer.Dependencies(
            cri,
            new PodTestFakes.FakeRuntimeConfig(dir),
            new PodTestFakes.FakeProbes(),
            new PodTestFakes.FakeHooks(),
            new PodTestFakes.RecordingEvents(),
            new PodTestFakes.FakePodApi(),
            new PullSecrets((ns, name) -> null),
            clock,
            List.of(),
            "containerd",
            Duration.ofMinutes(1)),
        uid -> {});
  }

  private static Pod pod(String uid) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("p-" + uid)
        .withNamespace("default")
        .withUid(uid)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("app")
        .withImage("app:1")
        .endContainer()
        .endSpec()
        .build();
  }

  @Test
  void relistReportsThePodsWhoseContainersChanged() {
    runtime.images.add("app:1");
    List<Set<String>> changed = new CopyOnWriteArrayList<>();
    List<Set<String>> relisted = new CopyOnWriteArrayList<>();
    Pleg pleg =
        new Pleg(
            cri,
            Duration.ofSeconds(1),
            new Pleg.Listener() {
              @Override
              public void changed(Set<String> podUids) {
                changed.add(podUids);
              }

              @Override
              public void relisted(Set<String> podUids) {
                relisted.add(podUids);
              }
            });
    assertThat(pleg.relist()).isEmpty();

    CriPodSyncer syncer = syncer();
    syncer.syncPod(pod("u1"));
    syncer.syncPod(pod("u2"));
    assertThat(pleg.relist()).containsExactlyInAnyOrder("u1", "u2");
    assertThat(pleg.relist()).isEmpty();

    runtime.exit("app", 1); // one of the two
    assertThat(pleg.relist()).hasSize(1);

    syncer.removeOrphan("u1");
    syncer.removeOrphan("u2");
    assertThat(pleg.relist()).containsExactlyInAnyOrder("u1", "u2");
    assertThat(changed).hasSize(3);
    assertThat(relisted.getLast()).isEmpty();
    assertThat(relisted.get(1)).containsExactlyInAnyOrder("u1", "u2");
  }
}
