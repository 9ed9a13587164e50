package dev.skiff.kubelet.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.client.events.EventRecorder;
import dev.skiff.kubelet.cri.CriClient;
import dev.skiff.kubelet.cri.v1.ListImagesRequest;
import dev.skiff.kubelet.network.BusyboxPod;
import dev.skiff.kubelet.network.TestNamespaces;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Image garbage collection against a real containerd: with a busybox pod running, an unused image
 * is removed and the busybox image (in use) and the pause image stay.
 */
class ImageGarbageCollectorContainerdIT {
  private static final String UNUSED = "skiff.local/busybox-unused:1";

  private static List<String> tags(BusyboxPod pod) {
    return pod
        .cri()
        .images()
        .listImages(ListImagesRequest.getDefaultInstance())
        .getImagesList()
        .stream()
        .flatMap(i -> i.getRepoTagsList().stream())
        .toList();
  }

  @Test
  void unusedImagesGoAndImagesInUseAndThePauseImageStay() throws Exception {
    try (TestNamespaces namespaces = new TestNamespaces();
        BusyboxPod pod = BusyboxPod.start(namespaces, "imggc", "sleep 3600")) {
      new ImageImporter()
          .importArchive(
              // another config than busybox's, so another image id (the same one would be in use)
              BusyboxImage.builder(StaticBusybox.DEFAULT_PATH, UNUSED)
                  .env("VARIANT", "unused")
                  .writeTo(pod.dataDir().resolve("unused.tar"))
                  .file(),
              CriClient.socketPath(pod.containerd().endpoint()).toString());
      assertThat(tags(pod)).contains(UNUSED, BusyboxImage.REFERENCE, PauseImage.REFERENCE);

      ImageGarbageCollector gc =
          new ImageGarbageCollector(
              ImageGarbageCollector.cri(pod.cri()),
              new ImageGarbageCollector.Policy(85, 80, Duration.ZERO),
              () -> new ImageGarbageCollector.FsUsage(0, 100),
              Set.of(PauseImage.REFERENCE),
              EventRecorder.NONE,
              new NodeBuilder().withNewMetadata().withName("n1").endMetadata().build(),
              InstantSource.system());
      long freed = gc.deleteUnusedImages();

      assertThat(freed).isPositive();
      assertThat(tags(pod))
          .doesNotContain(UNUSED)
          .contains(BusyboxImage.REFERENCE, PauseImage.REFERENCE);
    }
  }
}
