package dev.skiff.kubelet.image;

import dev.skiff.client.events.EventRecorder;
import dev.skiff.kubelet.cri.CriClient;
import dev.skiff.kubelet.cri.v1.Image;
import dev.skiff.kubelet.cri.v1.ImageSpec;
import dev.skiff.kubelet.cri.v1.ListContainersRequest;
import dev.skiff.kubelet.cri.v1.ListImagesRequest;
import dev.skiff.kubelet.cri.v1.RemoveImageRequest;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet's image garbage collection: when the image filesystem's usage reaches the high
 * threshold, unused images are removed, least recently used first, until usage is back at the low
 * threshold. An image is in use while any container (running or not) was made from it; pinned
 * images and the sandbox (pause) image are never removed, nor images first seen less than the
 * minimum age ago. When it cannot free enough it records FreeDiskSpaceFailed on the node, and
 * ImageGCFailed when collection fails twice in a row, as the kubelet does.
 */
public final class ImageGarbageCollector implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ImageGarbageCollector.class);

  /**
   * @param highThresholdPercent the imagefs usage (percent) that starts a collection
   * @param lowThresholdPercent the usage a collection frees down to
   * @param minAge how long an image is left alone after it was first seen
   */
  public record Policy(int highThresholdPercent, int lowThresholdPercent, Duration minAge) {
    public Policy {
      if (highThresholdPercent < 0 || highThresholdPercent > 100) {
        throw new IllegalArgumentException(
            "--image-gc-high-threshold must be 0-100, got " + highThresholdPercent);
      }
      if (lowThresholdPercent < 0 || lowThresholdPercent > 100) {
        throw new IllegalArgumentException(
            "--image-gc-low-threshold must be 0-100, got " + lowThresholdPercent);
      }
      if (lowThresholdPercent > highThresholdPercent) {
        throw new IllegalArgumentException(
            "--image-gc-low-threshold ("
                + lowThresholdPercent
                + ") must not be above --image-gc-high-threshold ("
                + highThresholdPercent
                + ")");
      }
    }

    /** Kubernetes' defaults: 85 %, 80 %, 2 minutes. */
    public static Policy defaults() {
      return new Policy(85, 80, Duration.ofMinutes(2));
    }
  }

  /** The image filesystem's free bytes and size. */
  public record FsUsage(long available, long capacity) {}

  /** What the collector needs from the container runtime. */
  public interface ImageRuntime {
    List<Image> images();

    /** The ids of the images some container (in any state) was made from. */
    Set<String> imagesInUse();

    void remove(String imageId);
  }

  /** Thrown when a collection fails; its message is the event's. */
  public static final class ImageGcException extends RuntimeException {
    public ImageGcException(String message) {
      super(message);
    }
  }

  private record Record(Instant firstDetected, Instant lastUsed, long size) {}

  private final ImageRuntime runtime;
  private final Policy policy;
  private final Supplier<FsUsage> imageFs;
  private final Set<String> neverRemove;
  private final EventRecorder events;
  private final HasMetadata node;
  private final InstantSource clock;
  private final Map<String, Record> records = new HashMap<>();
  // unused, unpinned images as of the last detection
  private final List<String> eligible = new ArrayList<>();
  private boolean previousFailed;
  private volatile boolean closed;
  private Thread loop;

  /**
   * @param neverRemove image references (tags) never collected, e.g. the sandbox image
   * @param node the Node the events are about
   */
  public ImageGarbageCollector(
      ImageRuntime runtime,
      Policy policy,
      Supplier<FsUsage> imageFs,
      Set<String> neverRemove,
      EventRecorder events,
      HasMetadata node,
      InstantSource clock) {
    this.runtime = runtime;
    this.policy = policy;
    this.imageFs = imageFs;
    this.neverRemove = Set.copyOf(neverRemove);
    this.events = events;
    this.node = node;
    this.clock = clock;
  }

  /** The runtime side over CRI. */
  public static ImageRuntime cri(CriClient cri) {
    return new ImageRuntime() {
      @Override
      public List<Image> images() {
        return cri.images().listImages(ListImagesRequest.getDefaultInstance()).getImagesList();
      }

      @Override
      public Set<String> imagesInUse() {
        Set<String> inUse = new HashSet<>();
        for (var c :
            cri.runtime()
                .listContainers(ListContainersRequest.getDefaultInstance())
                .getContainersList()) {
          inUse.add(c.getImageRef());
          inUse.add(c.getImage().getImage());
        }
        return inUse;
      }

      @Override
      public void remove(String imageId) {
        cri.images()
            .removeImage(
                RemoveImageRequest.newBuilder()
                    .setImage(ImageSpec.newBuilder().setImage(imageId))
                    .build());
      }
    };
  }

  /** Collects every {@code period} (the kubelet's is 5 minutes) on a virtual thread. */
  public void start(Duration period) {
    loop =
        Thread.ofVirtual()
            .name("image-gc")
            .start(
                () -> {
                  while (!closed) {
                    try {
                      Thread.sleep(period);
                      collectAndReport();
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                });
  }

  /**
   * One collection as the kubelet's loop runs it: a failure is logged, and recorded as an
   * ImageGCFailed event on the node when the previous one failed too.
   */
  public synchronized void collectAndReport() {
    try {
      garbageCollect();
      previousFailed = false;
    } catch (RuntimeException e) {
      if (previousFailed) {
        events.event(node, EventRecorder.WARNING, "ImageGCFailed", e.getMessage());
        LOG.warn("image garbage collection failed again error=\"{}\"", e.getMessage());
      } else {
        LOG.warn("image garbage collection failed error=\"{}\"", e.getMessage());
      }
      previousFailed = true;
    }
  }

  /**
   * Frees images when the image filesystem is at or above the high threshold.
   *
   * @throws ImageGcException when not enough could be freed (after recording FreeDiskSpaceFailed)
   */
  public synchronized void garbageCollect() {
    Instant now = clock.instant();
    detect(now);
    FsUsage fs = imageFs.get();
    if (fs == null || fs.capacity() <= 0) {
      throw new ImageGcException("invalid capacity 0 on image filesystem");
    }
    int usagePercent = 100 - (int) (fs.available() * 100 / fs.capacity());
    if (usagePercent < policy.highThresholdPercent()) {
      return;
    }
    long amountToFree = fs.capacity() * (100 - policy.lowThresholdPercent()) / 100 - fs.available();
    LOG.info(
        "image filesystem over the high threshold usage={}% high={}% bytesToFree={}",
        usagePercent, policy.highThresholdPercent(), amountToFree);
    long freed = freeSpace(amountToFree, now);
    if (freed < amountToFree) {
      String message =
          "Failed to garbage collect required amount of images. Attempted to free "
              + amountToFree
              + " bytes, but only found "
              + freed
              + " bytes eligible to free.";
      events.event(node, EventRecorder.WARNING, "FreeDiskSpaceFailed", message);
      throw new ImageGcException(message);
    }
  }

  /** Removes every unused image (for disk-pressure eviction); returns the bytes freed. */
  public synchronized long deleteUnusedImages() {
    Instant now = clock.instant();
    detect(now);
    return freeSpace(Long.MAX_VALUE, now);
  }

  /** Refreshes what images exist, when each was first seen, and which are in use now. */
  private void detect(Instant now) {
    List<Image> images = runtime.images();
    Set<String> inUse = runtime.imagesInUse();
    Set<String> present = new HashSet<>();
    for (Image image : images) {
      String id = image.getId();
      present.add(id);
      Record previous = records.get(id);
      boolean used =
          inUse.contains(id) || image.getRepoTagsList().stream().anyMatch(inUse::contains);
      Instant firstDetected = previous == null ? now : previous.firstDetected();
      Instant lastUsed = used ? now : previous == null ? Instant.EPOCH : previous.lastUsed();
      records.put(id, new Record(firstDetected, lastUsed, image.getSize()));
    }
    records.keySet().retainAll(present);
    eligible.clear();
    for (Image image : images) {
      boolean used =
          inUse.contains(image.getId())
              || image.getRepoTagsList().stream().anyMatch(inUse::contains);
      boolean pinned =
          image.getPinned() || image.getRepoTagsList().stream().anyMatch(neverRemove::contains);
      if (!used && !pinned) {
        eligible.add(image.getId());
      }
    }
  }

  private long freeSpace(long amountToFree, Instant now) {
    List<String> candidates = new ArrayList<>(eligible);
    candidates.sort(
        Comparator.comparing((String id) -> records.get(id).lastUsed())
            .thenComparing(id -> records.get(id).firstDetected()));
    long freed = 0;
    List<String> failures = new ArrayList<>();
    for (String id : candidates) {
      if (freed >= amountToFree) {
        break;
      }
      Record record = records.get(id);
      if (Duration.between(record.firstDetected(), now).compareTo(policy.minAge()) < 0) {
        continue;
      }
      try {
        runtime.remove(id);
        LOG.info("image removed id={} size={}", id, record.size());
        records.remove(id);
        eligible.remove(id);
        freed += record.size();
      } catch (RuntimeException e) {
        failures.add(id + ": " + e.getMessage());
      }
    }
    if (!failures.isEmpty() && freed < amountToFree) {
      throw new ImageGcException(
          "wanted to free "
              + amountToFree
              + " bytes, but freed "
              + freed
              + " bytes space with errors in image deletion: "
              + String.join("; ", failures));
    }
    return freed;
  }

  @Override
  public void close() {
    closed = true;
    if (loop != null) {
      loop.interrupt();
    }
  }
}
