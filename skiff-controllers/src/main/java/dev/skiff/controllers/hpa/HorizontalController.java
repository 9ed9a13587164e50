package dev.skiff.controllers.hpa;

import dev.skiff.api.Json;
import dev.skiff.api.selector.LabelSelector;
import dev.skiff.client.Timestamps;
import dev.skiff.client.events.EventRecorder;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.RateLimitingQueue;
import dev.skiff.controllers.runtime.Reconciler;
import dev.skiff.controllers.runtime.Result;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.autoscaling.v1.Scale;
import io.fabric8.kubernetes.api.model.autoscaling.v2.ContainerResourceMetricStatus;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerCondition;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerStatus;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpecBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricStatus;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricTarget;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricValueStatus;
import io.fabric8.kubernetes.api.model.autoscaling.v2.ResourceMetricStatus;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The horizontal pod autoscaler (autoscaling/v2): every sync period it reads the target's scale
 * subresource and its pods' resource metrics, computes the replica count each metric asks for,
 * takes the largest, bounds it by min/max replicas and the behavior (stabilization windows, rate
 * policies), writes the new scale and reports status, conditions and events as Kubernetes does.
 */
public final class HorizontalController implements Reconciler {
  private static final Logger LOG = LoggerFactory.getLogger(HorizontalController.class);
  static final String ABLE_TO_SCALE = "AbleToScale";
  static final String SCALING_ACTIVE = "ScalingActive";
  static final String SCALING_LIMITED = "ScalingLimited";

  /** What Kubernetes defaults an autoscaler without metrics to: 80 % average cpu utilization. */
  static final MetricSpec DEFAULT_METRIC =
      new MetricSpecBuilder()
          .withType("Resource")
          .withNewResource()
          .withName("cpu")
          .withNewTarget()
          .withType("Utilization")
          .withAverageUtilization(80)
          .endTarget()
          .endResource()
          .build();

  private final Indexer<HorizontalPodAutoscaler> autoscalers;
  private final Indexer<Pod> pods;
  private final ScaleClient scales;
  private final ResourceMetricsClient metrics;
  private final Consumer<HorizontalPodAutoscaler> statusWriter;
  private final EventRecorder recorder;
  private final RateLimitingQueue<ObjectKey> queue;
  private final InstantSource clock;
  private final Duration syncPeriod;
  private final ReplicaCalculator calculator;
  private final ReplicaNormalizer normalizer;
  private final Duration downscaleStabilization;

  /** What the metrics ask for: the largest proposal and the metric that made it. */
  private record MetricsProposal(int replicas, String metric, List<MetricStatus> statuses) {}

  /** A failed metric: the condition reason and the error text. */
  private static final class MetricFailure extends RuntimeException {
    final String reason;
    final String detail;

    /**
     * @param detail the calculation's own error, for the event and the condition
     * @param message the error with the metric named, for FailedComputeMetricsReplicas
     */
    MetricFailure(String reason, String detail, String message) {
      super(message);
      this.reason = reason;
      this.detail = detail;
    }

    MetricFailure(String reason, String message) {
      this(reason, message, message);
    }
  }

  /**
   * @param statusWriter writes the status subresource of the given autoscaler
   * @param syncPeriod {@code --horizontal-pod-autoscaler-sync-period}
   * @param downscaleStabilization {@code --horizontal-pod-autoscaler-downscale-stabilization}
   */
  public HorizontalController(
      Indexer<HorizontalPodAutoscaler> autoscalers,
      Indexer<Pod> pods,
      ScaleClient scales,
      ResourceMetricsClient metrics,
      Consumer<HorizontalPodAutoscaler> statusWriter,
      EventRecorder recorder,
      RateLimitingQueue<ObjectKey> queue,
      InstantSource clock,
      Duration syncPeriod,
      ReplicaCalculator calculator,
      Duration downscaleStabilization) {
    this.autoscalers = autoscalers;
    this.pods = pods;
    this.scales = scales;
    this.metrics = metrics;
    this.statusWriter = statusWriter;
    this.recorder = recorder;
    this.queue = queue;
    this.clock = clock;
    this.syncPeriod = syncPeriod;
    this.calculator = calculator;
    this.downscaleStabilization = downscaleStabilization;
    this.normalizer = new ReplicaNormalizer(clock, downscaleStabilization);
  }

  /**
   * New autoscalers and spec changes are synced at once; everything else waits for the sync period,
   * so the controller's own status writes do not make it loop.
   */
  public ResourceEventHandler<HorizontalPodAutoscaler> handler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(HorizontalPodAutoscaler hpa) {
        queue.add(ObjectKey.of(hpa));
      }

      @Override
      public void onUpdate(HorizontalPodAutoscaler old, HorizontalPodAutoscaler hpa) {
        if (!Objects.equals(old.getMetadata().getGeneration(), hpa.getMetadata().getGeneration())) {
          queue.add(ObjectKey.of(hpa));
        }
      }

      @Override
      public void onDelete(HorizontalPodAutoscaler hpa, boolean unknown) {
        queue.add(ObjectKey.of(hpa));
      }
    };
  }

  @Override
  public Result reconcile(ObjectKey key) {
    HorizontalPodAutoscaler cached = autoscalers.getByKey(key.cacheKey());
    if (cached == null) {
      normalizer.forget(key);
      return Result.done();
    }
    HorizontalPodAutoscaler hpa = Json.MAPPER.convertValue(cached, HorizontalPodAutoscaler.class);
    if (hpa.getStatus() == null) {
      hpa.setStatus(new HorizontalPodAutoscalerStatus());
    }
    HorizontalPodAutoscalerStatus original =
        Json.MAPPER.convertValue(hpa.getStatus(), HorizontalPodAutoscalerStatus.class);
    try {
      reconcile(key, hpa, original);
    } catch (RuntimeException e) {
      LOG.info("event=hpa_sync_failed hpa={} error=\"{}\"", key, e.getMessage());
    }
    return Result.requeueAfter(syncPeriod);
  }

  private void reconcile(
      ObjectKey key, HorizontalPodAutoscaler hpa, HorizontalPodAutoscalerStatus original) {
    String namespace = hpa.getMetadata().getNamespace();
    Scale scale;
    try {
      scale = scales.get(namespace, hpa.getSpec().getScaleTargetRef());
    } catch (RuntimeException e) {
      String message = message(e);
      recorder.event(hpa, EventRecorder.WARNING, "FailedGetScale", message);
      setCondition(
          hpa,
          ABLE_TO_SCALE,
          "False",
          "FailedGetScale",
          "the HPA controller was unable to get the target's current scale: " + message);
      updateStatusIfNeeded(original, hpa);
      return;
    }
    setCondition(
        hpa,
        ABLE_TO_SCALE,
        "True",
        "SucceededGetScale",
        "the HPA controller was able to get the target's current scale");
    int currentReplicas = replicas(scale);
    normalizer.recordInitial(key, currentReplicas);
    int minReplicas = hpa.getSpec().getMinReplicas() == null ? 1 : hpa.getSpec().getMinReplicas();
    int maxReplicas = hpa.getSpec().getMaxReplicas() == null ? 0 : hpa.getSpec().getMaxReplicas();
    int desiredReplicas = 0;
    String rescaleReason = "";
    List<MetricStatus> metricStatuses = null;
    boolean rescale = true;
    if (currentReplicas == 0 && minReplicas != 0) {
      rescale = false;
      setCondition(
          hpa,
          SCALING_ACTIVE,
          "False",
          "ScalingDisabled",
          "scaling is disabled since the replica count of the target is zero");
    } else if (currentReplicas > maxReplicas) {
      rescaleReason = "Current number of replicas above Spec.MaxReplicas";
      desiredReplicas = maxReplicas;
    } else if (currentReplicas < minReplicas) {
      rescaleReason = "Current number of replicas below Spec.MinReplicas";
      desiredReplicas = minReplicas;
    } else {
      MetricsProposal proposal;
      try {
        proposal = computeReplicasForMetrics(hpa, scale, currentReplicas);
      } catch (MetricFailure e) {
        setStatus(hpa, currentReplicas, desiredReplicasOf(hpa), currentMetricsOf(hpa), false);
        updateStatusIfNeeded(original, hpa);
        recorder.event(hpa, EventRecorder.WARNING, "FailedComputeMetricsReplicas", e.getMessage());
        return;
      }
      metricStatuses = proposal.statuses();
      String rescaleMetric = "";
      if (proposal.replicas() > desiredReplicas) {
        desiredReplicas = proposal.replicas();
        rescaleMetric = proposal.metric();
      }
      if (desiredReplicas > currentReplicas) {
        rescaleReason = rescaleMetric + " above target";
      }
      if (desiredReplicas < currentReplicas) {
        rescaleReason = "All metrics below target";
      }
      ReplicaNormalizer.Normalized normalized;
      if (hpa.getSpec().getBehavior() == null) {
        normalized =
            normalizer.normalize(key, currentReplicas, desiredReplicas, minReplicas, maxReplicas);
      } else {
        ScalingRules[] rules = rules(hpa);
        normalized =
            normalizer.normalize(
                key,
                rules[0],
                rules[1],
                currentReplicas,
                desiredReplicas,
                minReplicas,
                maxReplicas);
      }
      setCondition(hpa, ABLE_TO_SCALE, "True", normalized.ableReason(), normalized.ableMessage());
      setCondition(
          hpa,
          SCALING_LIMITED,
          normalized.limited() ? "True" : "False",
          normalized.limitReason(),
          normalized.limitMessage());
      desiredReplicas = normalized.replicas();
      rescale = desiredReplicas != currentReplicas;
    }
    if (rescale) {
      scale.getSpec().setReplicas(desiredReplicas);
      try {
        scales.update(namespace, hpa.getSpec().getScaleTargetRef(), scale);
      } catch (RuntimeException e) {
        String message = message(e);
        recorder.event(
            hpa,
            EventRecorder.WARNING,
            "FailedRescale",
            "New size: " + desiredReplicas + "; reason: " + rescaleReason + "; error: " + message);
        setCondition(
            hpa,
            ABLE_TO_SCALE,
            "False",
            "FailedUpdateScale",
            "the HPA controller was unable to update the target scale: " + message);
        setStatus(hpa, currentReplicas, desiredReplicasOf(hpa), currentMetricsOf(hpa), false);
        updateStatusIfNeeded(original, hpa);
        return;
      }
      setCondition(
          hpa,
          ABLE_TO_SCALE,
          "True",
          "SucceededRescale",
          "the HPA controller was able to update the target scale to " + desiredReplicas);
      recorder.event(
          hpa,
          EventRecorder.NORMAL,
          "SuccessfulRescale",
          "New size: " + desiredReplicas + "; reason: " + rescaleReason);
      if (hpa.getSpec().getBehavior() != null) {
        ScalingRules[] rules = rules(hpa);
        normalizer.recordScale(key, rules[0], rules[1], currentReplicas, desiredReplicas);
      }
      LOG.info(
          "event=hpa_rescale hpa={} old={} new={} reason=\"{}\"",
          key,
          currentReplicas,
          desiredReplicas,
          rescaleReason);
    } else {
      desiredReplicas = currentReplicas;
    }
    setStatus(hpa, currentReplicas, desiredReplicas, metricStatuses, rescale);
    updateStatusIfNeeded(original, hpa);
  }

  private ScalingRules[] rules(HorizontalPodAutoscaler hpa) {
    return ScalingRules.of(hpa.getSpec().getBehavior(), (int) downscaleStabilization.toSeconds());
  }

  private MetricsProposal computeReplicasForMetrics(
      HorizontalPodAutoscaler hpa, Scale scale, int currentReplicas) {
    String selectorText = scale.getStatus() == null ? null : scale.getStatus().getSelector();
    if (selectorText == null || selectorText.isEmpty()) {
      recorder.event(hpa, EventRecorder.WARNING, "SelectorRequired", "selector is required");
      setCondition(
          hpa,
          SCALING_ACTIVE,
          "False",
          "InvalidSelector",
          "the HPA target's scale is missing a selector");
      throw new MetricFailure("InvalidSelector", "selector is required");
    }
    LabelSelector selector;
    try {
      selector = LabelSelector.parse(selectorText);
    } catch (RuntimeException e) {
      String message =
          "couldn't convert selector into a corresponding internal selector object: " + message(e);
      recorder.event(hpa, EventRecorder.WARNING, "InvalidSelector", message);
      setCondition(hpa, SCALING_ACTIVE, "False", "InvalidSelector", message);
      throw new MetricFailure("InvalidSelector", message);
    }
    List<MetricSpec> specs =
        hpa.getSpec().getMetrics() == null || hpa.getSpec().getMetrics().isEmpty()
            ? List.of(DEFAULT_METRIC)
            : hpa.getSpec().getMetrics();
    List<MetricStatus> statuses = new ArrayList<>();
    int replicas = 0;
    String metric = "";
    int invalid = 0;
    MetricFailure firstFailure = null;
    for (MetricSpec spec : specs) {
      try {
        MetricProposal proposal =
            computeReplicasForMetric(hpa, spec, currentReplicas, selectorText, selector);
        statuses.add(proposal.status());
        if (replicas == 0 || proposal.replicas() > replicas) {
          replicas = proposal.replicas();
          metric = proposal.name();
        }
      } catch (MetricFailure e) {
        MetricStatus empty = new MetricStatus();
        empty.setType("");
        statuses.add(empty);
        recorder.event(hpa, EventRecorder.WARNING, e.reason, e.detail);
        if (invalid == 0) {
          firstFailure = e;
        }
        invalid++;
      }
    }
    if (invalid >= specs.size()) {
      String first = firstFailure == null ? "no metrics specified" : firstFailure.getMessage();
      if (firstFailure != null) {
        setCondition(
            hpa,
            SCALING_ACTIVE,
            "False",
            firstFailure.reason,
            "the HPA was unable to compute the replica count: " + firstFailure.detail);
      }
      throw new MetricFailure(
          firstFailure == null ? "" : firstFailure.reason,
          "invalid metrics ("
              + invalid
              + " invalid out of "
              + specs.size()
              + "), first error is: "
              + first);
    }
    setCondition(
        hpa,
        SCALING_ACTIVE,
        "True",
        "ValidMetricFound",
        "the HPA was able to successfully calculate a replica count from " + metric);
    return new MetricsProposal(replicas, metric, statuses);
  }

  private record MetricProposal(int replicas, String name, MetricStatus status) {}

  private MetricProposal computeReplicasForMetric(
      HorizontalPodAutoscaler hpa,
      MetricSpec spec,
      int currentReplicas,
      String selectorText,
      LabelSelector selector) {
    String type = spec.getType() == null ? "" : spec.getType();
    return switch (type) {
      case "Resource" ->
          resourceMetric(
              hpa,
              spec.getResource().getName(),
              spec.getResource().getTarget(),
              null,
              currentReplicas,
              selectorText,
              selector);
      case "ContainerResource" ->
          resourceMetric(
              hpa,
              spec.getContainerResource().getName(),
              spec.getContainerResource().getTarget(),
              spec.getContainerResource().getContainer(),
              currentReplicas,
              selectorText,
              selector);
      case "Pods" ->
          throw unsupported(
              "FailedGetPodsMetric",
              "failed to get pods metric value: unable to get metric "
                  + spec.getPods().getMetric().getName());
      case "Object" ->
          throw unsupported(
              "FailedGetObjectMetric",
              "failed to get object metric value: unable to get metric "
                  + spec.getObject().getMetric().getName());
      case "External" ->
          throw unsupported(
              "FailedGetExternalMetric",
              "unable to get external metric "
                  + hpa.getMetadata().getNamespace()
                  + "/"
                  + spec.getExternal().getMetric().getName());
      default ->
          throw new MetricFailure(
              "InvalidMetricSourceType", "unknown metric source type \"" + type + "\"");
    };
  }

  /** Custom and external metrics need an aggregated metrics API, which Skiff does not serve. */
  private static MetricFailure unsupported(String reason, String message) {
    return new MetricFailure(reason, message + ": no custom or external metrics API is served");
  }

  /** A Resource metric, or with a container name a ContainerResource metric. */
  private MetricProposal resourceMetric(
      HorizontalPodAutoscaler hpa,
      String resource,
      MetricTarget target,
      String container,
      int currentReplicas,
      String selectorText,
      LabelSelector selector) {
    String namespace = hpa.getMetadata().getNamespace();
    String reason =
        container == null ? "FailedGetResourceMetric" : "FailedGetContainerResourceMetric";
    String kind = container == null ? " resource" : " container resource";
    boolean averageValue = target != null && target.getAverageValue() != null;
    if (!averageValue && (target == null || target.getAverageUtilization() == null)) {
      String message =
          "invalid"
              + (container == null ? "" : " container")
              + " resource metric source: neither a utilization target nor a value target was"
              + " set";
      throw new MetricFailure(reason, message);
    }
    ReplicaCalculator.Proposal proposal;
    try {
      Map<String, PodMetric> usage = fetch(resource, namespace, selectorText, container);
      List<Pod> matching = pods(namespace, selector);
      proposal =
          averageValue
              ? calculator.averageValueReplicas(
                  currentReplicas,
                  ReplicaCalculator.milli(target.getAverageValue()),
                  resource,
                  matching,
                  usage)
              : calculator.utilizationReplicas(
                  currentReplicas,
                  target.getAverageUtilization(),
                  resource,
                  container,
                  matching,
                  usage);
    } catch (MetricsUnavailableException e) {
      throw new MetricFailure(
          reason, e.getMessage(), "failed to get " + resource + " utilization: " + e.getMessage());
    }
    MetricValueStatus current = new MetricValueStatus();
    current.setAverageValue(milliQuantity(proposal.averageMilli()));
    if (!averageValue) {
      current.setAverageUtilization(proposal.utilization());
    }
    MetricStatus status = new MetricStatus();
    if (container == null) {
      status.setType("Resource");
      status.setResource(new ResourceMetricStatus(current, resource));
    } else {
      status.setType("ContainerResource");
      status.setContainerResource(new ContainerResourceMetricStatus(container, current, resource));
    }
    return new MetricProposal(
        proposal.replicas(),
        resource + kind + (averageValue ? "" : " utilization (percentage of request)"),
        status);
  }

  private Map<String, PodMetric> fetch(
      String resource, String namespace, String selector, String container) {
    try {
      return metrics.podMetrics(resource, namespace, selector, container);
    } catch (MetricsUnavailableException e) {
      throw new MetricsUnavailableException(
          "unable to get metrics for resource " + resource + ": " + e.getMessage());
    }
  }

  private List<Pod> pods(String namespace, LabelSelector selector) {
    List<Pod> matching = new ArrayList<>();
    for (Pod pod : pods.byIndex(Cache.NAMESPACE_INDEX, namespace)) {
      Map<String, String> labels = pod.getMetadata().getLabels();
      if (selector.matches(labels == null ? Map.of() : labels)) {
        matching.add(pod);
      }
    }
    return matching;
  }

  /** A milli-value as Kubernetes prints it: "250m", or whole units when exact ("2"). */
  static Quantity milliQuantity(long milli) {
    if (milli % 1000 == 0) {
      return new Quantity(Long.toString(milli / 1000));
    }
    return new Quantity(milli + "m");
  }

  private void setStatus(
      HorizontalPodAutoscaler hpa,
      int currentReplicas,
      Integer desiredReplicas,
      List<MetricStatus> metricStatuses,
      boolean rescale) {
    HorizontalPodAutoscalerStatus status = hpa.getStatus();
    status.setCurrentReplicas(currentReplicas);
    status.setDesiredReplicas(desiredReplicas == null ? 0 : desiredReplicas);
    status.setCurrentMetrics(
        metricStatuses == null || metricStatuses.isEmpty() ? null : metricStatuses);
    status.setObservedGeneration(hpa.getMetadata().getGeneration());
    if (rescale) {
      status.setLastScaleTime(Timestamps.time(clock.instant()));
    }
  }

  private static Integer desiredReplicasOf(HorizontalPodAutoscaler hpa) {
    return hpa.getStatus().getDesiredReplicas();
  }

  private static List<MetricStatus> currentMetricsOf(HorizontalPodAutoscaler hpa) {
    return hpa.getStatus().getCurrentMetrics();
  }

  private void updateStatusIfNeeded(
      HorizontalPodAutoscalerStatus original, HorizontalPodAutoscaler hpa) {
    if (Json.MAPPER.valueToTree(original).equals(Json.MAPPER.valueToTree(hpa.getStatus()))) {
      return;
    }
    try {
      statusWriter.accept(hpa);
    } catch (RuntimeException e) {
      recorder.event(hpa, EventRecorder.WARNING, "FailedUpdateStatus", message(e));
      throw e;
    }
  }

  private void setCondition(
      HorizontalPodAutoscaler hpa, String type, String status, String reason, String message) {
    List<HorizontalPodAutoscalerCondition> conditions =
        hpa.getStatus().getConditions() == null
            ? new ArrayList<>()
            : new ArrayList<>(hpa.getStatus().getConditions());
    HorizontalPodAutoscalerCondition existing = null;
    for (HorizontalPodAutoscalerCondition condition : conditions) {
      if (type.equals(condition.getType())) {
        existing = condition;
        break;
      }
    }
    if (existing == null) {
      existing = new HorizontalPodAutoscalerCondition();
      existing.setType(type);
      conditions.add(existing);
    }
    if (!status.equals(existing.getStatus())) {
      existing.setLastTransitionTime(Timestamps.time(clock.instant()));
    }
    existing.setStatus(status);
    existing.setReason(reason);
    existing.setMessage(message);
    hpa.getStatus().setConditions(conditions);
  }

  private static int replicas(Scale scale) {
    return scale.getSpec() == null || scale.getSpec().getReplicas() == null
        ? 0
        : scale.getSpec().getReplicas();
  }

  private static String message(RuntimeException e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
