package dev.skiff.kubelet.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.client.events.EventRecorder;
import dev.skiff.kubelet.cri.v1.Image;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ImageGarbageCollectorTest {
  private static final long MB = 1_000_000;

  private final Map<String, Image> images = new LinkedHashMap<>();
  private final Set<String> inUse = new HashSet<>();
  private final List<String> removed = new CopyOnWriteArrayList<>();
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.parse("2026-11-25T10:00:00Z"));
  // 1000 MB filesystem; usage is what the images take plus 700 MB of other files
  private long other = 700 * MB;
  private final Set<String> failing = new HashSet<>();

  private final ImageGarbageCollector gc =
      new ImageGarbageCollector(
          new ImageGarbageCollector.ImageRuntime() {
            @Override
            public List<Image> images() {
              return new ArrayList<>(images.values());
            }

            @Override
            public Set<String> imagesInUse() {
              return Set.copyOf(inUse);
            }

            @Override
            public void remove(String imageId) {
              if (failing.contains(imageId)) {
                throw new IllegalStateException("image is busy");
              }
              images.remove(imageId);
              removed.add(imageId);
            }
          },
          ImageGarbageCollector.Policy.defaults(),
          () -> {
            long used = other + images.values().stream().mapToLong(Image::getSize).sum();
            return new ImageGarbageCollector.FsUsage(1000 * MB - used, 1000 * MB);
          },
          Set.of(PauseImage.REFERENCE),
          new EventRecorder() {
            @Override
            public void event(HasMetadata involved, String type, String reason, String message) {
              events.add(
                  involved.getMetadata().getName() + " " + type + " " + reason + " " + message);
            }
          },
          new NodeBuilder().withNewMetadata().withName("n1").withUid("n1").endMetadata().build(),
          now::get);

  private void image(String id, String tag, long size) {
    images.put(id, Image.newBuilder().setId(id).addRepoTags(tag).setSize(size).build());
  }

  private void later(Duration d) {
    now.set(now.get().plus(d));
  }

  @Test
  void belowTheHighThresholdNothingIsRemoved() {
    image("sha256:a", "a:1", 100 * MB); // 80 % used
    gc.garbageCollect();
    later(Duration.ofMinutes(5));
    gc.garbageCollect();
    assertThat(removed).isEmpty();
  }

  @Test
  void aboveTheHighThresholdUnusedImagesGoLeastRecentlyUsedFirstDownToTheLowThreshold() {
    image("sha256:pause", PauseImage.REFERENCE, 50 * MB);
    image("sha256:old", "old:1", 40 * MB);
    image("sha256:recent", "recent:1", 40 * MB);
    image("sha256:running", "running:1", 40 * MB);
    image("sha256:newest", "newest:1", 40 * MB);
    other = 650 * MB; // 86 % used
    inUse.add("sha256:recent");
    inUse.add("running:1");
    // first seen now: too young to remove
    assertThatThrownBy(gc::garbageCollect).hasMessageContaining("only found 0 bytes");
    assertThat(removed).isEmpty();
    events.clear();

    later(Duration.ofMinutes(3));
    inUse.remove("sha256:recent"); // recent was used 3 minutes ago, old never
    gc.garbageCollect();

    // 860 MB used, low threshold 800 MB: 60 MB to free: the never used old and newest (40 each)
    // go before recent, used 3 minutes ago
    assertThat(removed).containsExactly("sha256:old", "sha256:newest");
    assertThat(events).isEmpty();
  }

  @Test
  void notEnoughToFreeIsFreeDiskSpaceFailedAndRepeatedFailureImageGcFailed() {
    image("sha256:running", "running:1", 100 * MB);
    image("sha256:unused", "unused:1", 10 * MB);
    other = 800 * MB; // 91 % used
    inUse.add("sha256:running");
    gc.collectAndReport();
    later(Duration.ofMinutes(5));

    gc.collectAndReport();
    String failure =
        "Failed to garbage collect required amount of images. Attempted to free 110000000 bytes,"
            + " but only found 10000000 bytes eligible to free.";
    assertThat(removed).containsExactly("sha256:unused");
    assertThat(events).contains("n1 Warning FreeDiskSpaceFailed " + failure);

    later(Duration.ofMinutes(5));
    gc.collectAndReport();
    assertThat(events)
        .last()
        .isEqualTo(
            "n1 Warning ImageGCFailed "
                + "Failed to garbage collect required amount of images. Attempted to free 100000000 bytes, but only found 0 bytes eligible to free.");
  }

  @Test
  void deleteUnusedImagesFreesEveryOldUnusedImage() {
    image("sha256:a", "a:1", 10 * MB);
    image("sha256:b", "b:1", 20 * MB);
    image("sha256:pinned", "pinned:1", 20 * MB);
    images.put("sha256:pinned", images.get("sha256:pinned").toBuilder().setPinned(true).build());
    gc.deleteUnusedImages();
    later(Duration.ofMinutes(3));
    failing.add("sha256:b");
    assertThatThrownBy(gc::deleteUnusedImages).hasMessageContaining("sha256:b: image is busy");
    failing.clear();
    assertThat(gc.deleteUnusedImages()).isEqualTo(20 * MB);
    assertThat(removed).containsExactly("sha256:a", "sha256:b");
  }
}
