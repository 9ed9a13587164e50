package dev.skiff.controllers.job;

import dev.skiff.api.Json;
import dev.skiff.client.Timestamps;
import dev.skiff.client.events.EventRecorder;
import dev.skiff.controllers.pods.ActivePodsRanking;
import dev.skiff.controllers.pods.PodControl;
import dev.skiff.controllers.pods.Pods;
import dev.skiff.controllers.runtime.ControllerExpectations;
import dev.skiff.controllers.runtime.ControllerRefManager;
import dev.skiff.controllers.runtime.Informers;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.RateLimitingQueue;
import dev.skiff.controllers.runtime.Reconciler;
import dev.skiff.controllers.runtime.Result;
import dev.skiff.controllers.runtime.SlowStart;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.UncountedTerminatedPods;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs a Job's pods to completion: keeps up to parallelism pods active, counts finished pods
 * through the job-tracking finalizer (so no result is lost), applies podFailurePolicy, backoffLimit
 * (with exponential pod-recreation delay) and activeDeadlineSeconds, supports Indexed completion
 * and suspend, and reports the Complete / Failed / SuccessCriteriaMet / FailureTarget / Suspended
 * conditions.
 */
public final class JobController implements Reconciler {
  public static final String TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking";
  public static final String COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index";
  static final Duration BACKOFF_BASE = Duration.ofSeconds(10);
  static final Duration BACKOFF_MAX = Duration.ofMinutes(6);

  private final Indexer<Job> jobs;
  private final Indexer<Pod> pods;
  private final PodControl podControl;
  private final JobWriter writer;
  private final EventRecorder recorder;
  private final ControllerExpectations expectations;
  private final RateLimitingQueue<ObjectKey> queue;
  private final InstantSource clock;
  private final Map<ObjectKey, Instant> lastFailure = new ConcurrentHashMap<>();

  public JobController(
      Indexer<Job> jobs,
      Indexer<Pod> pods,
      PodControl podControl,
      JobWriter writer,
      EventRecorder recorder,
      ControllerExpectations expectations,
      RateLimitingQueue<ObjectKey> queue,
      InstantSource clock) {
    this.jobs = jobs;
    this.pods = pods;
    this.podControl = podControl;
    this.writer = writer;
    this.recorder = recorder;
    this.expectations = expectations;
    this.queue = queue;
    this.clock = clock;
  }

  public ResourceEventHandler<Job> jobHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Job job) {
        queue.add(ObjectKey.of(job));
      }

      @Override
      public void onUpdate(Job o, Job job) {
        queue.add(ObjectKey.of(job));
      }

      @Override
      public void onDelete(Job job, boolean unknown) {
        expectations.delete(ObjectKey.of(job));
        lastFailure.remove(ObjectKey.of(job));
      }
    };
  }

  public ResourceEventHandler<Pod> podHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        ownerKey(pod)
            .ifPresent(
                key -> {
                  if (!Pods.isTerminating(pod)) {
                    expectations.creationObserved(key);
                  } else {
                    expectations.deletionObserved(key, Pods.cacheKey(pod));
                  }
                  queue.add(key);
                });
      }

      @Override
      public void onUpdate(Pod o, Pod pod) {
        ownerKey(pod)
            .ifPresent(
                key -> {
                  if (Pods.isTerminating(pod)) {
                    expectations.deletionObserved(key, Pods.cacheKey(pod));
                  }
                  queue.add(key);
                });
      }

      @Override
      public void onDelete(Pod pod, boolean unknown) {
        ownerKey(pod)
            .ifPresent(
                key -> {
                  expectations.deletionObserved(key, Pods.cacheKey(pod));
                  queue.add(key);
                });
      }
    };
  }

  private Optional<ObjectKey> ownerKey(Pod pod) {
    return ControllerRefManager.controllerOf(pod)
        .filter(ref -> "Job".equals(ref.getKind()))
        .map(ref -> new ObjectKey(pod.getMetadata().getNamespace(), ref.getName()))
        .filter(
            key -> {
              Job job = jobs.getByKey(key.cacheKey());
              return job != null
                  && Objects.equals(
                      job.getMetadata().getUid(),
                      ControllerRefManager.controllerOf(pod).get().getUid());
            });
  }

  // ---- reconcile ----

  @Override
  public Result reconcile(ObjectKey key) {
    Job cached = jobs.getByKey(key.cacheKey());
    if (cached == null) {
      expectations.delete(key);
      return Result.done();
    }
    Job job = Json.MAPPER.convertValue(cached, Job.class);
    if (job.getStatus() == null) {
      job.setStatus(new JobStatus());
    }
    List<Pod> owned = pods.byIndex(Informers.BY_CONTROLLER_UID, job.getMetadata().getUid());
    if (finished(job)) {
      for (Pod pod : owned) {
        if (hasFinalizer(pod)) {
          writer.removeTrackingFinalizer(pod);
        }
      }
      return Result.done();
    }
    return new Sync(key, job, owned).run();
  }

  static boolean finished(Job job) {
    return conditionTrue(job, "Complete") || conditionTrue(job, "Failed");
  }

  static boolean conditionTrue(Job job, String type) {
    return job.getStatus() != null
        && job.getStatus().getConditions() != null
        && job.getStatus().getConditions().stream()
            .anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static boolean hasFinalizer(Pod pod) {
    return pod.getMetadata().getFinalizers() != null
        && pod.getMetadata().getFinalizers().contains(TRACKING_FINALIZER);
  }

  private final class Sync {
    private final ObjectKey key;
    private Job job;
    private final List<Pod> owned;
    private final Instant now = clock.instant();
    private String failJobMessage;

    Sync(ObjectKey key, Job job, List<Pod> owned) {
      this.key = key;
      this.job = job;
      this.owned = owned;
    }

    private JobStatus status() {
      return job.getStatus();
    }

    Result run() {
      String before = Json.MAPPER.writeValueAsString(status());
      countFinishedPods();

      List<Pod> active = owned.stream().filter(Pods::isActive).toList();
      List<Pod> terminating =
          owned.stream().filter(p -> Pods.isTerminating(p) && !isTerminal(p)).toList();

      Optional<String[]> failure = failure();
      if (failure.isPresent() || conditionTrue(job, "FailureTarget")) {
        String[] reason = failure.orElseGet(() -> conditionReason(job, "FailureTarget"));
        setCondition("FailureTarget", "True", reason[0], reason[1]);
        deleteAll(active);
        if (active.isEmpty() && terminating.isEmpty()) {
          setCondition("Failed", "True", reason[0], reason[1]);
          recorder.event(job, EventRecorder.WARNING, reason[0], reason[1]);
        }
        setCounts(List.of(), terminating);
        return write(before, Result.done());
      }
      if (complete(active)) {
        setCondition(
            "SuccessCriteriaMet",
            "True",
            "CompletionsReached",
            "Reached expected number of succeeded pods");
        deleteAll(active);
        if (active.isEmpty() && terminating.isEmpty()) {
          setCondition(
              "Complete",
              "True",
              "CompletionsReached",
              "Reached expected number of succeeded pods");
          status().setCompletionTime(Timestamps.time(now));
          recorder.event(job, EventRecorder.NORMAL, "Completed", "Job completed");
        }
        setCounts(List.of(), terminating);
        return write(before, Result.done());
      }
      if (Boolean.TRUE.equals(job.getSpec().getSuspend())) {
        deleteAll(active);
        if (!conditionTrue(job, "Suspended")) {
          setCondition("Suspended", "True", "JobSuspended", "Job suspended");
          recorder.event(job, EventRecorder.NORMAL, "Suspended", "Job suspended");
        }
        setCounts(List.of(), terminating);
        return write(before, Result.done());
      }
      if (conditionTrue(job, "Suspended")) {
        setCondition("Suspended", "False", "JobResumed", "Job resumed");
        status().setStartTime(Timestamps.time(now));
        recorder.event(job, EventRecorder.NORMAL, "Resumed", "Job resumed");
      }
      if (status().getStartTime() == null) {
        status().setStartTime(Timestamps.time(now));
      }
      Result result = Result.done();
      int activeCount = active.size();
      if (expectations.satisfied(key)) {
        ManageOutcome outcome = manage(active);
        result = outcome.result;
        activeCount = outcome.active;
      }
      setCounts(active, terminating);
      status().setActive(activeCount);
      Long deadline = job.getSpec().getActiveDeadlineSeconds();
      if (deadline != null) {
        Instant start = Timestamps.parse(status().getStartTime());
        Duration left = Duration.between(now, start.plusSeconds(deadline));
        result = result.soonest(Result.requeueAfter(left.isNegative() ? Duration.ZERO : left));
      }
      return write(before, result);
    }

    private Result write(String before, Result result) {
      if (!before.equals(Json.MAPPER.writeValueAsString(status()))) {
        job = writer.updateStatus(job);
      }
      return result;
    }

    private void setCounts(List<Pod> active, List<Pod> terminating) {
      status().setActive(active.size());
      status().setReady((int) active.stream().filter(Pods::isReady).count());
      status().setTerminating(terminating.size());
    }

    // ---- finished pods, through the tracking finalizer ----

    private void countFinishedPods() {
      UncountedTerminatedPods uncounted =
          status().getUncountedTerminatedPods() == null
              ? new UncountedTerminatedPods()
              : status().getUncountedTerminatedPods();
      Set<String> uncountedSucceeded = new HashSet<>(orEmpty(uncounted.getSucceeded()));
      Set<String> uncountedFailed = new HashSet<>(orEmpty(uncounted.getFailed()));
      List<Pod> newlyFinished = new ArrayList<>();
      for (Pod pod : owned) {
        String uid = pod.getMetadata().getUid();
        if (!hasFinalizer(pod)
            || uncountedSucceeded.contains(uid)
            || uncountedFailed.contains(uid)) {
          continue;
        }
        if (isTerminal(pod) || Pods.isTerminating(pod)) {
          newlyFinished.add(pod);
        }
      }
      TreeSet<Integer> completed = CompletedIndexes.parse(status().getCompletedIndexes());
      int succeeded = orZero(status().getSucceeded());
      int failed = orZero(status().getFailed());
      List<Pod> toUnfinalize = new ArrayList<>();
      for (Pod pod : newlyFinished) {
        String uid = pod.getMetadata().getUid();
        if ("Succeeded".equals(Pods.phase(pod))) {
          uncountedSucceeded.add(uid);
          completionIndex(pod).ifPresent(completed::add);
        } else {
          Optional<PodFailurePolicies.Decision> decision =
              PodFailurePolicies.evaluate(job.getSpec().getPodFailurePolicy(), pod);
          String action = decision.map(PodFailurePolicies.Decision::action).orElse("Count");
          if ("FailJob".equals(action) && failJobMessage == null) {
            failJobMessage = decision.get().message();
          }
          if (!"Ignore".equals(action)) {
            uncountedFailed.add(uid);
            lastFailure.put(key, now);
          }
        }
        toUnfinalize.add(pod);
      }
      if (toUnfinalize.isEmpty() && uncountedSucceeded.isEmpty() && uncountedFailed.isEmpty()) {
        return;
      }
      if (!toUnfinalize.isEmpty()) {
        // record before removing finalizers: a crash between the two loses nothing
        uncounted.setSucceeded(new ArrayList<>(uncountedSucceeded));
        uncounted.setFailed(new ArrayList<>(uncountedFailed));
        status().setUncountedTerminatedPods(uncounted);
        job = writer.updateStatus(job);
        toUnfinalize.forEach(writer::removeTrackingFinalizer);
      }
      status().setSucceeded(succeeded + uncountedSucceeded.size());
      status().setFailed(failed + uncountedFailed.size());
      if (isIndexed()) {
        status().setCompletedIndexes(CompletedIndexes.format(completed));
      }
      status().setUncountedTerminatedPods(new UncountedTerminatedPods());
    }

    private boolean isIndexed() {
      return "Indexed".equals(job.getSpec().getCompletionMode());
    }

    // ---- outcomes ----

    private Optional<String[]> failure() {
      if (failJobMessage != null) {
        return Optional.of(new String[] {"PodFailurePolicy", failJobMessage});
      }
      int backoffLimit =
          job.getSpec().getBackoffLimit() == null ? 6 : job.getSpec().getBackoffLimit();
      if (orZero(status().getFailed()) > backoffLimit) {
        return Optional.of(
            new String[] {"BackoffLimitExceeded", "Job has reached the specified backoff limit"});
      }
      Long deadline = job.getSpec().getActiveDeadlineSeconds();
      Instant start = Timestamps.parse(status().getStartTime());
      if (deadline != null && start != null && !now.isBefore(start.plusSeconds(deadline))) {
        return Optional.of(
            new String[] {"DeadlineExceeded", "Job was active longer than specified deadline"});
      }
      return Optional.empty();
    }

    private boolean complete(List<Pod> active) {
      Integer completions = job.getSpec().getCompletions();
      if (isIndexed()) {
        return completions != null
            && CompletedIndexes.parse(status().getCompletedIndexes()).size() >= completions;
      }
      if (completions != null) {
        return orZero(status().getSucceeded()) >= completions;
      }
      return orZero(status().getSucceeded()) > 0 && active.isEmpty();
    }

    // ---- pods ----

    /** How many pods are active after managing, and when to look again. */
    private record ManageOutcome(int active, Result result) {}

    private ManageOutcome manage(List<Pod> active) {
      int parallelism = job.getSpec().getParallelism() == null ? 1 : job.getSpec().getParallelism();
      Integer completions = job.getSpec().getCompletions();
      int succeeded = orZero(status().getSucceeded());
      int want;
      List<Integer> indexes = new ArrayList<>();
      if (isIndexed()) {
        TreeSet<Integer> done = CompletedIndexes.parse(status().getCompletedIndexes());
        Set<Integer> running = new HashSet<>();
        active.forEach(p -> completionIndex(p).ifPresent(running::add));
        for (int i = 0; i < completions && indexes.size() < parallelism - active.size(); i++) {
          if (!done.contains(i) && !running.contains(i)) {
            indexes.add(i);
          }
        }
        want = active.size() + indexes.size();
      } else if (completions != null) {
        want = Math.max(0, Math.min(parallelism, completions - succeeded));
      } else {
        want = succeeded > 0 ? active.size() : parallelism;
      }
      if (active.size() > want) {
        List<Pod> victims =
            ActivePodsRanking.podsToDelete(active, active, active.size() - want, now);
        deleteAll(victims);
        return new ManageOutcome(want, Result.done());
      }
      int toCreate = want - active.size();
      if (toCreate <= 0) {
        return new ManageOutcome(active.size(), Result.done());
      }
      int failed = orZero(status().getFailed());
      Instant lastFailed = lastFailure.get(key);
      if (failed > 0 && lastFailed != null) {
        Duration backoff = BACKOFF_BASE.multipliedBy(1L << Math.min(failed - 1, 10));
        if (backoff.compareTo(BACKOFF_MAX) > 0) {
          backoff = BACKOFF_MAX;
        }
        Instant allowed = lastFailed.plus(backoff);
        if (now.isBefore(allowed)) {
          return new ManageOutcome(
              active.size(), Result.requeueAfter(Duration.between(now, allowed)));
        }
      }
      OwnerReference ref = ControllerRefManager.controllerRef(job, "batch/v1", "Job");
      expectations.expectCreations(key, toCreate);
      SlowStart.Outcome outcome =
          SlowStart.run(
              toCreate,
              1,
              i -> {
                Integer index = isIndexed() ? indexes.get(i) : null;
                podControl.createPod(key.namespace(), template(index), job, ref);
                return true;
              });
      int notCreated = toCreate - outcome.succeeded();
      if (notCreated > 0) {
        expectations.lowerCreations(key, notCreated);
      }
      if (outcome.firstError() != null) {
        throw outcome.firstError();
      }
      return new ManageOutcome(active.size() + outcome.succeeded(), Result.done());
    }

    private PodTemplateSpec template(Integer index) {
      PodTemplateSpec template =
          Json.MAPPER.convertValue(job.getSpec().getTemplate(), PodTemplateSpec.class);
      if (template.getMetadata() == null) {
        template.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMeta());
      }
      Map<String, String> labels =
          template.getMetadata().getLabels() == null
              ? new HashMap<>()
              : new HashMap<>(template.getMetadata().getLabels());
      labels.putIfAbsent("batch.kubernetes.io/controller-uid", job.getMetadata().getUid());
      labels.putIfAbsent("batch.kubernetes.io/job-name", job.getMetadata().getName());
      labels.putIfAbsent("controller-uid", job.getMetadata().getUid());
      labels.putIfAbsent("job-name", job.getMetadata().getName());
      List<String> finalizers =
          template.getMetadata().getFinalizers() == null
              ? new ArrayList<>()
              : new ArrayList<>(template.getMetadata().getFinalizers());
      finalizers.add(TRACKING_FINALIZER);
      template.getMetadata().setFinalizers(finalizers);
      if (index != null) {
        labels.put(COMPLETION_INDEX, index.toString());
        Map<String, String> annotations =
            template.getMetadata().getAnnotations() == null
                ? new HashMap<>()
                : new HashMap<>(template.getMetadata().getAnnotations());
        annotations.put(COMPLETION_INDEX, index.toString());
        template.getMetadata().setAnnotations(annotations);
        if (template.getSpec().getHostname() == null) {
          template.getSpec().setHostname(job.getMetadata().getName() + "-" + index);
        }
        template
            .getSpec()
            .getContainers()
            .forEach(
                c -> {
                  List<io.fabric8.kubernetes.api.model.EnvVar> env =
                      c.getEnv() == null ? new ArrayList<>() : new ArrayList<>(c.getEnv());
                  env.add(
                      new EnvVarBuilder()
                          .withName("JOB_COMPLETION_INDEX")
                          .withNewValueFrom()
                          .withNewFieldRef()
                          .withFieldPath("metadata.annotations['" + COMPLETION_INDEX + "']")
                          .endFieldRef()
                          .endValueFrom()
                          .build());
                  c.setEnv(env);
                });
      }
      template.getMetadata().setLabels(labels);
      return template;
    }

    private void deleteAll(List<Pod> victims) {
      if (victims.isEmpty()) {
        return;
      }
      Set<String> keys = new HashSet<>();
      victims.forEach(p -> keys.add(Pods.cacheKey(p)));
      expectations.expectDeletions(key, keys);
      for (Pod pod : victims) {
        try {
          podControl.deletePod(key.namespace(), pod.getMetadata().getName(), job);
        } catch (KubernetesClientException e) {
          expectations.deletionObserved(key, Pods.cacheKey(pod));
          if (e.getCode() != 404) {
            throw e;
          }
        }
      }
    }

    private void setCondition(String type, String conditionStatus, String reason, String message) {
      List<JobCondition> conditions =
          status().getConditions() == null
              ? new ArrayList<>()
              : new ArrayList<>(status().getConditions());
      for (JobCondition existing : conditions) {
        if (type.equals(existing.getType())) {
          if (conditionStatus.equals(existing.getStatus())) {
            return;
          }
          existing.setStatus(conditionStatus);
          existing.setReason(reason);
          existing.setMessage(message);
          existing.setLastProbeTime(Timestamps.time(now));
          existing.setLastTransitionTime(Timestamps.time(now));
          status().setConditions(conditions);
          return;
        }
      }
      String time = Timestamps.time(now);
      conditions.add(new JobCondition(time, time, message, reason, conditionStatus, type));
      status().setConditions(conditions);
    }
  }

  private static String[] conditionReason(Job job, String type) {
    for (JobCondition c : job.getStatus().getConditions()) {
      if (type.equals(c.getType())) {
        return new String[] {c.getReason(), c.getMessage()};
      }
    }
    return new String[] {"", ""};
  }

  static Optional<Integer> completionIndex(Pod pod) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    if (annotations == null || annotations.get(COMPLETION_INDEX) == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Integer.parseInt(annotations.get(COMPLETION_INDEX)));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static boolean isTerminal(Pod pod) {
    String phase = Pods.phase(pod);
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  private static List<String> orEmpty(List<String> list) {
    return list == null ? List.of() : list;
  }

  private static int orZero(Integer value) {
    return value == null ? 0 : value;
  }
}
