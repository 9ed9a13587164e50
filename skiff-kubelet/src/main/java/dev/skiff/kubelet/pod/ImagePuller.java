package dev.skiff.kubelet.pod;

import dev.skiff.client.events.EventRecorder;
import dev.skiff.kubelet.cri.CriClient;
import dev.skiff.kubelet.cri.v1.AuthConfig;
import dev.skiff.kubelet.cri.v1.ImageSpec;
import dev.skiff.kubelet.cri.v1.ImageStatusRequest;
import dev.skiff.kubelet.cri.v1.ImageStatusResponse;
import dev.skiff.kubelet.cri.v1.PodSandboxConfig;
import dev.skiff.kubelet.cri.v1.PullImageRequest;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes a container's image present before it is created, honouring imagePullPolicy and the pod's
 * imagePullSecrets, with a per pod and image back-off between failed pulls; reports Pulling,
 * Pulled, Failed, BackOff and ErrImageNeverPull events with Kubernetes' messages.
 */
public final class ImagePuller {
  public static final String ERR_IMAGE_PULL = "ErrImagePull";
  public static final String IMAGE_PULL_BACK_OFF = "ImagePullBackOff";
  public static final String ERR_IMAGE_NEVER_PULL = "ErrImageNeverPull";

  private final CriClient cri;
  private final PullSecrets secrets;
  private final EventRecorder events;
  private final InstantSource clock;
  private final Backoff backoff;
  private final long pullTimeoutSeconds;

  public ImagePuller(
      CriClient cri,
      PullSecrets secrets,
      EventRecorder events,
      InstantSource clock,
      Backoff backoff,
      Duration pullTimeout) {
    this.cri = cri;
    this.secrets = secrets;
    this.events = events;
    this.clock = clock;
    this.backoff = backoff;
    this.pullTimeoutSeconds = Math.max(1, pullTimeout.toSeconds());
  }

  /** The pull policy the API server defaults when none is set. */
  public static String pullPolicy(Container container) {
    if (container.getImagePullPolicy() != null && !container.getImagePullPolicy().isEmpty()) {
      return container.getImagePullPolicy();
    }
    String image = container.getImage();
    if (image.contains("@")) {
      return "IfNotPresent";
    }
    String last = image.substring(image.lastIndexOf('/') + 1);
    int colon = last.indexOf(':');
    if (colon < 0 || last.substring(colon + 1).equals("latest")) {
      return "Always";
    }
    return "IfNotPresent";
  }

  /**
   * Ensures the image is present.
   *
   * @return the image reference the runtime resolved it to
   * @throws ContainerStartException ErrImageNeverPull, ImagePullBackOff or ErrImagePull
   */
  public String ensureImage(Pod pod, Container container, PodSandboxConfig sandbox)
      throws ContainerStartException {
    String image = container.getImage();
    String policy = pullPolicy(container);
    String present = presentImageId(image);
    if (present != null && !"Always".equals(policy)) {
      events.event(
          pod,
          EventRecorder.NORMAL,
          "Pulled",
          "Container image \"" + image + "\" already present on machine");
      return present;
    }
    if ("Never".equals(policy)) {
      String message = "Container image \"" + image + "\" is not present with pull policy of Never";
      events.event(pod, EventRecorder.WARNING, ERR_IMAGE_NEVER_PULL, message);
      throw new ContainerStartException(ERR_IMAGE_NEVER_PULL, message);
    }
    String key = pod.getMetadata().getUid() + "/image/" + image;
    Instant now = clock.instant();
    if (backoff.inBackOffSinceUpdate(key, now)) {
      String message = "Back-off pulling image \"" + image + "\"";
      events.event(pod, EventRecorder.NORMAL, "BackOff", message);
      throw new ContainerStartException(IMAGE_PULL_BACK_OFF, message);
    }
    events.event(pod, EventRecorder.NORMAL, "Pulling", "Pulling image \"" + image + "\"");
    String ref;
    try {
      ref = pull(pod, image, sandbox);
    } catch (RuntimeException e) {
      String message = "Failed to pull image \"" + image + "\": " + CriErrors.describe(e);
      events.event(pod, EventRecorder.WARNING, "Failed", message);
      backoff.next(key, clock.instant());
      throw new ContainerStartException(ERR_IMAGE_PULL, message);
    }
    Duration took = Duration.between(now, clock.instant());
    StringBuilder message =
        new StringBuilder("Successfully pulled image \"")
            .append(image)
            .append("\" in ")
            .append(Backoff.goDuration(took))
            .append(" (")
            .append(Backoff.goDuration(took))
            .append(" including waiting).");
    long size = imageSize(image);
    if (size > 0) {
      message.append(" Image size: ").append(size).append(" bytes.");
    }
    events.event(pod, EventRecorder.NORMAL, "Pulled", message.toString());
    return ref;
  }

  /** The user an image runs as, as CRI reports it: a numeric uid, or else a user name. */
  public record ImageUser(Long uid, String username) {}

  /**
   * The user the image's config names, as the kubelet reads it for runAsNonRoot: the uid when
   * numeric, else the name; an image that names none runs as root (uid 0).
   */
  public ImageUser imageUser(String image) {
    ImageStatusResponse status = imageStatus(image);
    if (status.hasImage()) {
      if (status.getImage().hasUid()) {
        return new ImageUser(status.getImage().getUid().getValue(), "");
      }
      if (!status.getImage().getUsername().isEmpty()) {
        return new ImageUser(null, status.getImage().getUsername());
      }
    }
    return new ImageUser(0L, "");
  }

  /** When a failed pull of this image for this pod may be retried. */
  public Instant retryAt(Pod pod, String image) {
    String key = pod.getMetadata().getUid() + "/image/" + image;
    return backoff.retryAfterUpdate(key);
  }

  private String pull(Pod pod, String image, PodSandboxConfig sandbox) {
    List<AuthConfig> candidates = new ArrayList<>(secrets.credentials(pod, image));
    if (candidates.isEmpty()) {
      candidates.add(null);
    }
    RuntimeException last = null;
    for (AuthConfig auth : candidates) {
      PullImageRequest.Builder request =
          PullImageRequest.newBuilder()
              .setImage(ImageSpec.newBuilder().setImage(image))
              .setSandboxConfig(sandbox);
      if (auth != null) {
        request.setAuth(auth);
      }
      try {
        return cri.images(pullTimeoutSeconds).pullImage(request.build()).getImageRef();
      } catch (RuntimeException e) {
        last = e;
      }
    }
    throw last;
  }

  private String presentImageId(String image) {
    ImageStatusResponse status = imageStatus(image);
    return status.hasImage() && !status.getImage().getId().isEmpty()
        ? status.getImage().getId()
        : null;
  }

  private long imageSize(String image) {
    try {
      ImageStatusResponse status = imageStatus(image);
      return status.hasImage() ? status.getImage().getSize() : 0;
    } catch (RuntimeException e) {
      return 0;
    }
  }

  private ImageStatusResponse imageStatus(String image) {
    return cri.images()
        .imageStatus(
            ImageStatusRequest.newBuilder()
                .setImage(ImageSpec.newBuilder().setImage(image))
                .build());
  }
}
