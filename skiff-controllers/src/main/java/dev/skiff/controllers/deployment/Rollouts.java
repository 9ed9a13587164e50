package dev.skiff.controllers.deployment;

import dev.skiff.client.Timestamps;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The arithmetic and conditions of Deployment rollouts, as Kubernetes defines them: surge and
 * unavailability fenceposts, replica counts over ReplicaSets, proportional scaling, and the
 * Progressing / Available conditions.
 */
public final class Rollouts {
  public static final String REVISION = "deployment.kubernetes.io/revision";
  public static final String REVISION_HISTORY = "deployment.kubernetes.io/revision-history";
  public static final String DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas";
  public static final String MAX_REPLICAS = "deployment.kubernetes.io/max-replicas";
  public static final String POD_TEMPLATE_HASH = "pod-template-hash";

  public static final String PROGRESSING = "Progressing";
  public static final String AVAILABLE = "Available";
  public static final String REPLICA_FAILURE = "ReplicaFailure";

  public static final String NEW_RS_AVAILABLE = "NewReplicaSetAvailable";
  public static final String RS_UPDATED = "ReplicaSetUpdated";
  public static final String TIMED_OUT = "ProgressDeadlineExceeded";
  public static final String NEW_RS_CREATED = "NewReplicaSetCreated";
  public static final String FOUND_NEW_RS = "FoundNewReplicaSet";
  public static final String RS_CREATE_ERROR = "ReplicaSetCreateError";
  public static final String PAUSED = "DeploymentPaused";
  public static final String RESUMED = "DeploymentResumed";
  public static final String MIN_AVAILABLE = "MinimumReplicasAvailable";
  public static final String MIN_UNAVAILABLE = "MinimumReplicasUnavailable";

  private Rollouts() {}

  public static int replicas(Deployment d) {
    Integer replicas = d.getSpec().getReplicas();
    return replicas == null ? 1 : replicas;
  }

  public static int replicas(ReplicaSet rs) {
    Integer replicas = rs.getSpec() == null ? null : rs.getSpec().getReplicas();
    return replicas == null ? 1 : replicas;
  }

  public static int statusReplicas(ReplicaSet rs) {
    return rs.getStatus() == null || rs.getStatus().getReplicas() == null
        ? 0
        : rs.getStatus().getReplicas();
  }

  public static int readyReplicas(ReplicaSet rs) {
    return rs.getStatus() == null || rs.getStatus().getReadyReplicas() == null
        ? 0
        : rs.getStatus().getReadyReplicas();
  }

  public static int availableReplicas(ReplicaSet rs) {
    return rs.getStatus() == null || rs.getStatus().getAvailableReplicas() == null
        ? 0
        : rs.getStatus().getAvailableReplicas();
  }

  public static boolean isRollingUpdate(Deployment d) {
    return d.getSpec().getStrategy() == null
        || d.getSpec().getStrategy().getType() == null
        || "RollingUpdate".equals(d.getSpec().getStrategy().getType());
  }

  public static boolean isPaused(Deployment d) {
    return Boolean.TRUE.equals(d.getSpec().getPaused());
  }

  /** An int, or a percentage of total rounded up or down. */
  static int scaled(IntOrString value, int total, boolean roundUp, int defaultPercent) {
    if (value == null) {
      return percent(defaultPercent, total, roundUp);
    }
    if (value.getIntVal() != null) {
      return value.getIntVal();
    }
    String text = value.getStrVal();
    if (text != null && text.endsWith("%")) {
      return percent(Integer.parseInt(text.substring(0, text.length() - 1)), total, roundUp);
    }
    return Integer.parseInt(String.valueOf(text));
  }

  private static int percent(int percent, int total, boolean roundUp) {
    double value = percent * (double) total / 100.0;
    return (int) (roundUp ? Math.ceil(value) : Math.floor(value));
  }

  /** maxSurge (rounded up) and maxUnavailable (rounded down); never both zero. */
  static int[] fenceposts(Deployment d) {
    int desired = replicas(d);
    IntOrString surge = null;
    IntOrString unavailable = null;
    if (d.getSpec().getStrategy() != null && d.getSpec().getStrategy().getRollingUpdate() != null) {
      surge = d.getSpec().getStrategy().getRollingUpdate().getMaxSurge();
      unavailable = d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable();
    }
    int maxSurge = scaled(surge, desired, true, 25);
    int maxUnavailable = scaled(unavailable, desired, false, 25);
    if (maxSurge == 0 && maxUnavailable == 0) {
      maxUnavailable = 1;
    }
    return new int[] {maxSurge, maxUnavailable};
  }

  public static int maxSurge(Deployment d) {
    return isRollingUpdate(d) ? fenceposts(d)[0] : 0;
  }

  public static int maxUnavailable(Deployment d) {
    if (!isRollingUpdate(d) || replicas(d) == 0) {
      return 0;
    }
    return Math.min(fenceposts(d)[1], replicas(d));
  }

  public static int specReplicaSum(List<ReplicaSet> sets) {
    return sets.stream().filter(Objects::nonNull).mapToInt(Rollouts::replicas).sum();
  }

  public static int statusReplicaSum(List<ReplicaSet> sets) {
    return sets.stream().filter(Objects::nonNull).mapToInt(Rollouts::statusReplicas).sum();
  }

  public static int availableSum(List<ReplicaSet> sets) {
    return sets.stream().filter(Objects::nonNull).mapToInt(Rollouts::availableReplicas).sum();
  }

  public static int readySum(List<ReplicaSet> sets) {
    return sets.stream().filter(Objects::nonNull).mapToInt(Rollouts::readyReplicas).sum();
  }

  /** ReplicaSets with spec.replicas > 0. */
  public static List<ReplicaSet> active(List<ReplicaSet> sets) {
    return sets.stream().filter(rs -> rs != null && replicas(rs) > 0).toList();
  }

  /** The size a rolling update may give the new ReplicaSet now. */
  public static int newReplicaSetReplicas(Deployment d, List<ReplicaSet> all, ReplicaSet newRs) {
    if (!isRollingUpdate(d)) {
      return replicas(d);
    }
    int current = specReplicaSum(all);
    int maxTotal = replicas(d) + maxSurge(d);
    int newSize = newRs == null ? 0 : replicas(newRs);
    if (current >= maxTotal) {
      return newSize;
    }
    int scaleUp = Math.min(maxTotal - current, replicas(d) - newSize);
    return newSize + scaleUp;
  }

  public static Optional<Integer> intAnnotation(ReplicaSet rs, String name) {
    Map<String, String> annotations = rs.getMetadata().getAnnotations();
    if (annotations == null || !annotations.containsKey(name)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Integer.parseInt(annotations.get(name)));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  public static long revision(ReplicaSet rs) {
    Map<String, String> annotations = rs.getMetadata().getAnnotations();
    if (annotations == null || annotations.get(REVISION) == null) {
      return 0;
    }
    try {
      return Long.parseLong(annotations.get(REVISION));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** New ReplicaSet saturated: it alone provides all the desired, available replicas. */
  public static boolean isSaturated(Deployment d, ReplicaSet rs) {
    if (rs == null) {
      return false;
    }
    Optional<Integer> desired = intAnnotation(rs, DESIRED_REPLICAS);
    return desired.isPresent()
        && desired.get() == replicas(d)
        && replicas(rs) == replicas(d)
        && availableReplicas(rs) == replicas(d);
  }

  /** The change of one ReplicaSet's size for proportional scaling (may be negative). */
  public static int proportion(ReplicaSet rs, Deployment d, int toAdd, int added) {
    if (rs == null || replicas(rs) == 0 || toAdd == 0 || toAdd == added) {
      return 0;
    }
    int fraction = fraction(rs, d);
    int allowed = toAdd - added;
    return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
  }

  private static int fraction(ReplicaSet rs, Deployment d) {
    if (replicas(d) == 0) {
      return -replicas(rs);
    }
    int deploymentReplicas = replicas(d) + maxSurge(d);
    int annotated =
        intAnnotation(rs, MAX_REPLICAS)
            .orElse(
                d.getStatus() == null || d.getStatus().getReplicas() == null
                    ? 0
                    : d.getStatus().getReplicas());
    if (annotated == 0) {
      return 0;
    }
    double size = (double) replicas(rs) * deploymentReplicas / annotated;
    return (int) Math.round(size) - replicas(rs);
  }

  public static final Comparator<ReplicaSet> BY_CREATION =
      Comparator.comparing(
              (ReplicaSet rs) ->
                  Optional.ofNullable(Timestamps.parse(rs.getMetadata().getCreationTimestamp()))
                      .orElse(Instant.MAX))
          .thenComparing(rs -> rs.getMetadata().getName());

  /** Larger first; on ties the newer first (used when scaling up). */
  public static final Comparator<ReplicaSet> BY_SIZE_NEWER =
      Comparator.comparingInt((ReplicaSet rs) -> -replicas(rs))
          .thenComparing(BY_CREATION.reversed());

  /** Larger first; on ties the older first (used when scaling down). */
  public static final Comparator<ReplicaSet> BY_SIZE_OLDER =
      Comparator.comparingInt((ReplicaSet rs) -> -replicas(rs)).thenComparing(BY_CREATION);

  public static final Comparator<ReplicaSet> BY_REVISION =
      Comparator.comparingLong(Rollouts::revision).thenComparing(BY_CREATION);

  // ---- status and conditions ----

  public static boolean hasProgressDeadline(Deployment d) {
    Integer seconds = d.getSpec().getProgressDeadlineSeconds();
    return seconds != null && seconds != Integer.MAX_VALUE;
  }

  public static Optional<DeploymentCondition> condition(DeploymentStatus status, String type) {
    if (status == null || status.getConditions() == null) {
      return Optional.empty();
    }
    return status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  public static DeploymentCondition newCondition(
      String type, String status, String reason, String message, Instant now) {
    String time = Timestamps.time(now);
    return new DeploymentCondition(time, time, message, reason, status, type);
  }

  /**
   * Sets a condition; nothing changes when status and reason are the same, and the transition time
   * is kept when only the reason changes.
   */
  public static void setCondition(DeploymentStatus status, DeploymentCondition condition) {
    Optional<DeploymentCondition> current = condition(status, condition.getType());
    if (current.isPresent()
        && Objects.equals(current.get().getStatus(), condition.getStatus())
        && Objects.equals(current.get().getReason(), condition.getReason())) {
      return;
    }
    if (current.isPresent() && Objects.equals(current.get().getStatus(), condition.getStatus())) {
      condition.setLastTransitionTime(current.get().getLastTransitionTime());
    }
    removeCondition(status, condition.getType());
    status.getConditions().add(condition);
  }

  public static void removeCondition(DeploymentStatus status, String type) {
    List<DeploymentCondition> kept = new ArrayList<>();
    if (status.getConditions() != null) {
      status.getConditions().stream().filter(c -> !type.equals(c.getType())).forEach(kept::add);
    }
    status.setConditions(kept);
  }

  /** Everything updated, available and observed. */
  public static boolean complete(Deployment d, DeploymentStatus status) {
    int desired = replicas(d);
    return orZero(status.getUpdatedReplicas()) == desired
        && orZero(status.getReplicas()) == desired
        && orZero(status.getAvailableReplicas()) == desired
        && orZero(status.getObservedGeneration()) >= orZero(d.getMetadata().getGeneration());
  }

  /** Some progress since the recorded status: more updated, fewer old, more ready or available. */
  public static boolean progressing(Deployment d, DeploymentStatus next) {
    DeploymentStatus old = d.getStatus() == null ? new DeploymentStatus() : d.getStatus();
    int oldOld = orZero(old.getReplicas()) - orZero(old.getUpdatedReplicas());
    int newOld = orZero(next.getReplicas()) - orZero(next.getUpdatedReplicas());
    return orZero(next.getUpdatedReplicas()) > orZero(old.getUpdatedReplicas())
        || newOld < oldOld
        || orZero(next.getReadyReplicas()) > orZero(old.getReadyReplicas())
        || orZero(next.getAvailableReplicas()) > orZero(old.getAvailableReplicas());
  }

  /** No progress for progressDeadlineSeconds since the Progressing condition last changed. */
  public static boolean timedOut(Deployment d, DeploymentStatus status, Instant now) {
    if (!hasProgressDeadline(d)) {
      return false;
    }
    Optional<DeploymentCondition> condition = condition(status, PROGRESSING);
    if (condition.isEmpty() || NEW_RS_AVAILABLE.equals(condition.get().getReason())) {
      return false;
    }
    if (TIMED_OUT.equals(condition.get().getReason())) {
      return true;
    }
    Instant from = Timestamps.parse(condition.get().getLastUpdateTime());
    if (from == null) {
      return false;
    }
    return from.plus(Duration.ofSeconds(d.getSpec().getProgressDeadlineSeconds())).isBefore(now);
  }

  /** Status computed from the ReplicaSets, with the Available condition set. */
  public static DeploymentStatus calculateStatus(
      List<ReplicaSet> all, ReplicaSet newRs, Deployment d, Instant now) {
    int available = availableSum(all);
    int total = specReplicaSum(all);
    DeploymentStatus status = new DeploymentStatus();
    status.setObservedGeneration(d.getMetadata().getGeneration());
    status.setReplicas(statusReplicaSum(all));
    status.setUpdatedReplicas(newRs == null ? 0 : statusReplicas(newRs));
    status.setReadyReplicas(readySum(all));
    status.setAvailableReplicas(available);
    status.setUnavailableReplicas(Math.max(0, total - available));
    status.setCollisionCount(d.getStatus() == null ? null : d.getStatus().getCollisionCount());
    List<DeploymentCondition> conditions = new ArrayList<>();
    if (d.getStatus() != null && d.getStatus().getConditions() != null) {
      for (DeploymentCondition c : d.getStatus().getConditions()) {
        conditions.add(
            new DeploymentCondition(
                c.getLastTransitionTime(),
                c.getLastUpdateTime(),
                c.getMessage(),
                c.getReason(),
                c.getStatus(),
                c.getType()));
      }
    }
    status.setConditions(conditions);
    if (available >= replicas(d) - maxUnavailable(d)) {
      setCondition(
          status,
          newCondition(
              AVAILABLE, "True", MIN_AVAILABLE, "Deployment has minimum availability.", now));
    } else {
      setCondition(
          status,
          newCondition(
              AVAILABLE,
              "False",
              MIN_UNAVAILABLE,
              "Deployment does not have minimum availability.",
              now));
    }
    return status;
  }

  static long orZero(Number value) {
    return value == null ? 0 : value.longValue();
  }

  static int orZero(Integer value) {
    return value == null ? 0 : value;
  }
}
