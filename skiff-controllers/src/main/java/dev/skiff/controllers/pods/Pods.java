package dev.skiff.controllers.pods;

import dev.skiff.client.Timestamps;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Pod predicates controllers share (Kubernetes' podutil). */
public final class Pods {
  private Pods() {}

  /** Neither terminal (Succeeded/Failed) nor being deleted. */
  public static boolean isActive(Pod pod) {
    String phase = phase(pod);
    return !"Succeeded".equals(phase)
        && !"Failed".equals(phase)
        && pod.getMetadata().getDeletionTimestamp() == null;
  }

  public static String phase(Pod pod) {
    return pod.getStatus() == null || pod.getStatus().getPhase() == null
        ? "Pending"
        : pod.getStatus().getPhase();
  }

  public static boolean isTerminating(Pod pod) {
    return pod.getMetadata().getDeletionTimestamp() != null;
  }

  public static Optional<PodCondition> readyCondition(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return pod.getStatus().getConditions().stream()
        .filter(c -> "Ready".equals(c.getType()))
        .findFirst();
  }

  public static boolean isReady(Pod pod) {
    return readyCondition(pod).map(c -> "True".equals(c.getStatus())).orElse(false);
  }

  /** Since when the pod has been ready, or null when it is not ready. */
  public static Instant readySince(Pod pod) {
    return readyCondition(pod)
        .filter(c -> "True".equals(c.getStatus()))
        .map(c -> Timestamps.parse(c.getLastTransitionTime()))
        .orElse(null);
  }

  /** Ready for at least minReadySeconds at now (always, when minReadySeconds is 0). */
  public static boolean isAvailable(Pod pod, int minReadySeconds, Instant now) {
    if (!isReady(pod)) {
      return false;
    }
    if (minReadySeconds == 0) {
      return true;
    }
    Instant since = readySince(pod);
    return since != null && !since.plus(Duration.ofSeconds(minReadySeconds)).isAfter(now);
  }

  /** The owner reference with controller=true, if any. */
  public static Optional<OwnerReference> controllerRef(HasMetadata object) {
    if (object.getMetadata().getOwnerReferences() == null) {
      return Optional.empty();
    }
    return object.getMetadata().getOwnerReferences().stream()
        .filter(ref -> Boolean.TRUE.equals(ref.getController()))
        .findFirst();
  }

  public static String cacheKey(HasMetadata object) {
    String namespace = object.getMetadata().getNamespace();
    return namespace == null || namespace.isEmpty()
        ? object.getMetadata().getName()
        : namespace + "/" + object.getMetadata().getName();
  }
}
