package dev.skiff.controllers.cronjob;

import dev.skiff.api.Json;
import dev.skiff.client.Timestamps;
import dev.skiff.client.events.EventRecorder;
import dev.skiff.controllers.runtime.ControllerRefManager;
import dev.skiff.controllers.runtime.Informers;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.RateLimitingQueue;
import dev.skiff.controllers.runtime.Reconciler;
import dev.skiff.controllers.runtime.Result;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Starts Jobs on a CronJob's schedule (in its timeZone, UTC by default): one Job per scheduled
 * minute named {@code <cronjob>-<minutes since epoch>}, honouring startingDeadlineSeconds, suspend
 * and the Allow / Forbid / Replace concurrency policies; tracks active jobs, lastScheduleTime and
 * lastSuccessfulTime; keeps successfulJobsHistoryLimit / failedJobsHistoryLimit finished Jobs.
 */
public final class CronJobController implements Reconciler {
  public static final String SCHEDULED_TIMESTAMP =
      "batch.kubernetes.io/cronjob-scheduled-timestamp";
  static final int MAX_MISSED = 100;

  private final Indexer<CronJob> cronJobs;
  private final Indexer<Job> jobs;
  private final CronJobWriter writer;
  private final EventRecorder recorder;
  private final RateLimitingQueue<ObjectKey> queue;
  private final InstantSource clock;

  public CronJobController(
      Indexer<CronJob> cronJobs,
      Indexer<Job> jobs,
      CronJobWriter writer,
      EventRecorder recorder,
      RateLimitingQueue<ObjectKey> queue,
      InstantSource clock) {
    this.cronJobs = cronJobs;
    this.jobs = jobs;
    this.writer = writer;
    this.recorder = recorder;
    this.queue = queue;
    this.clock = clock;
  }

  public ResourceEventHandler<CronJob> cronJobHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(CronJob cj) {
        queue.add(ObjectKey.of(cj));
      }

      @Override
      public void onUpdate(CronJob o, CronJob cj) {
        queue.add(ObjectKey.of(cj));
      }

      @Override
      public void onDelete(CronJob cj, boolean unknown) {}
    };
  }

  public ResourceEventHandler<Job> jobHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Job job) {
        enqueueOwner(job);
      }

      @Override
      public void onUpdate(Job o, Job job) {
        enqueueOwner(job);
      }

      @Override
      public void onDelete(Job job, boolean unknown) {
        enqueueOwner(job);
      }
    };
  }

  private void enqueueOwner(Job job) {
    ControllerRefManager.controllerOf(job)
        .filter(ref -> "CronJob".equals(ref.getKind()))
        .ifPresent(
            ref -> queue.add(new ObjectKey(job.getMetadata().getNamespace(), ref.getName())));
  }

  @Override
  public Result reconcile(ObjectKey key) {
    CronJob cached = cronJobs.getByKey(key.cacheKey());
    if (cached == null) {
      return Result.done();
    }
    CronJob cj = Json.MAPPER.convertValue(cached, CronJob.class);
    if (cj.getStatus() == null) {
      cj.setStatus(new CronJobStatus());
    }
    String before = Json.MAPPER.writeValueAsString(cj.getStatus());
    Instant now = clock.instant();
    List<Job> owned = jobs.byIndex(Informers.BY_CONTROLLER_UID, cj.getMetadata().getUid());

    trackActive(cj, owned);
    cleanupFinished(cj, owned);

    Result result = Result.done();
    if (cj.getMetadata().getDeletionTimestamp() == null
        && !Boolean.TRUE.equals(cj.getSpec().getSuspend())) {
      result = schedule(cj, owned, now);
    }
    if (!before.equals(Json.MAPPER.writeValueAsString(cj.getStatus()))) {
      writer.updateStatus(cj);
    }
    return result;
  }

  private void trackActive(CronJob cj, List<Job> owned) {
    List<ObjectReference> active = new ArrayList<>();
    Instant lastSuccess = Timestamps.parse(cj.getStatus().getLastSuccessfulTime());
    Map<String, Job> byUid = new HashMap<>();
    owned.forEach(j -> byUid.put(j.getMetadata().getUid(), j));
    List<ObjectReference> previouslyActive =
        cj.getStatus().getActive() == null ? List.of() : cj.getStatus().getActive();
    for (Job job : owned) {
      Optional<String> finished = finishedType(job);
      boolean wasActive =
          previouslyActive.stream()
              .anyMatch(r -> Objects.equals(r.getUid(), job.getMetadata().getUid()));
      if (finished.isEmpty()) {
        active.add(reference(job));
        continue;
      }
      if (wasActive) {
        recorder.event(
            cj,
            EventRecorder.NORMAL,
            "SawCompletedJob",
            "Saw completed job: " + job.getMetadata().getName() + ", condition: " + finished.get());
      }
      if (finished.get().equals("Complete") && job.getStatus().getCompletionTime() != null) {
        Instant completed = Timestamps.parse(job.getStatus().getCompletionTime());
        if (completed != null && (lastSuccess == null || completed.isAfter(lastSuccess))) {
          lastSuccess = completed;
        }
      }
    }
    active.sort(Comparator.comparing(ObjectReference::getName));
    cj.getStatus().setActive(active.isEmpty() ? null : active);
    if (lastSuccess != null) {
      cj.getStatus().setLastSuccessfulTime(Timestamps.time(lastSuccess));
    }
  }

  private void cleanupFinished(CronJob cj, List<Job> owned) {
    int successfulLimit =
        cj.getSpec().getSuccessfulJobsHistoryLimit() == null
            ? 3
            : cj.getSpec().getSuccessfulJobsHistoryLimit();
    int failedLimit =
        cj.getSpec().getFailedJobsHistoryLimit() == null
            ? 1
            : cj.getSpec().getFailedJobsHistoryLimit();
    removeOldest(cj, owned, "Complete", successfulLimit);
    removeOldest(cj, owned, "Failed", failedLimit);
  }

  private void removeOldest(CronJob cj, List<Job> owned, String type, int limit) {
    List<Job> finished =
        new ArrayList<>(
            owned.stream()
                .filter(j -> finishedType(j).map(type::equals).orElse(false))
                .filter(j -> j.getMetadata().getDeletionTimestamp() == null)
                .toList());
    if (finished.size() <= limit) {
      return;
    }
    finished.sort(
        Comparator.comparing(
            (Job j) ->
                Optional.ofNullable(
                        Timestamps.parse(
                            j.getStatus() == null ? null : j.getStatus().getStartTime()))
                    .orElse(Instant.EPOCH)));
    for (Job job : finished.subList(0, finished.size() - limit)) {
      try {
        writer.deleteJob(job);
        recorder.event(
            cj,
            EventRecorder.NORMAL,
            "SuccessfulDelete",
            "Deleted job " + job.getMetadata().getName());
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404) {
          throw e;
        }
      }
    }
  }

  private Result schedule(CronJob cj, List<Job> owned, Instant now) {
    CronSchedule schedule;
    try {
      ZoneId zone =
          cj.getSpec().getTimeZone() == null
              ? ZoneOffset.UTC
              : ZoneId.of(cj.getSpec().getTimeZone());
      schedule = CronSchedule.parse(cj.getSpec().getSchedule(), zone);
    } catch (RuntimeException e) {
      recorder.event(
          cj,
          EventRecorder.WARNING,
          "UnparseableSchedule",
          "unparseable schedule: \"" + cj.getSpec().getSchedule() + "\" : " + e.getMessage());
      return Result.done();
    }
    Instant earliest =
        Optional.ofNullable(Timestamps.parse(cj.getStatus().getLastScheduleTime()))
            .orElseGet(
                () ->
                    Optional.ofNullable(Timestamps.parse(cj.getMetadata().getCreationTimestamp()))
                        .orElse(now));
    Long deadline = cj.getSpec().getStartingDeadlineSeconds();
    if (deadline != null && earliest.isBefore(now.minusSeconds(deadline))) {
      earliest = now.minusSeconds(deadline);
    }
    Instant mostRecent = null;
    int missed = 0;
    for (Optional<Instant> t = schedule.next(earliest);
        t.isPresent() && !t.get().isAfter(now);
        t = schedule.next(t.get())) {
      mostRecent = t.get();
      missed++;
    }
    if (missed > MAX_MISSED) {
      recorder.event(
          cj,
          EventRecorder.WARNING,
          "TooManyMissedTimes",
          "too many missed start times: "
              + missed
              + ". Set or decrease .spec.startingDeadlineSeconds or check clock skew");
    }
    Result next = requeueAtNext(schedule, now);
    if (mostRecent == null) {
      return next;
    }
    if (deadline != null && mostRecent.plusSeconds(deadline).isBefore(now)) {
      recorder.event(
          cj,
          EventRecorder.WARNING,
          "MissSchedule",
          "Missed scheduled time to start a job: " + mostRecent.atZone(schedule.zone()));
      return next;
    }
    String jobName = cj.getMetadata().getName() + "-" + (mostRecent.getEpochSecond() / 60);
    boolean alreadyCreated =
        owned.stream().anyMatch(j -> j.getMetadata().getName().equals(jobName));
    if (alreadyCreated) {
      return next;
    }
    List<ObjectReference> active =
        cj.getStatus().getActive() == null ? List.of() : cj.getStatus().getActive();
    String policy =
        cj.getSpec().getConcurrencyPolicy() == null ? "Allow" : cj.getSpec().getConcurrencyPolicy();
    if ("Forbid".equals(policy) && !active.isEmpty()) {
      recorder.event(
          cj,
          EventRecorder.NORMAL,
          "JobAlreadyActive",
          "Not starting job because prior execution is running and concurrency policy is Forbid");
      return next;
    }
    if ("Replace".equals(policy)) {
      for (ObjectReference ref : active) {
        Job running = jobs.getByKey(cj.getMetadata().getNamespace() + "/" + ref.getName());
        if (running != null) {
          try {
            writer.deleteJob(running);
            recorder.event(
                cj, EventRecorder.NORMAL, "SuccessfulDelete", "Deleted job " + ref.getName());
          } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
              throw e;
            }
          }
        }
      }
      cj.getStatus().setActive(null);
    }
    Job job = jobFor(cj, jobName, mostRecent, schedule.zone());
    Job created;
    try {
      created = writer.createJob(job);
      recorder.event(cj, EventRecorder.NORMAL, "SuccessfulCreate", "Created job " + jobName);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        recorder.event(
            cj, EventRecorder.WARNING, "FailedCreate", "Error creating job: " + e.getMessage());
        throw e;
      }
      created = jobs.getByKey(cj.getMetadata().getNamespace() + "/" + jobName);
    }
    List<ObjectReference> nowActive =
        cj.getStatus().getActive() == null
            ? new ArrayList<>()
            : new ArrayList<>(cj.getStatus().getActive());
    if (created != null
        && nowActive.stream().noneMatch(r -> Objects.equals(r.getName(), jobName))) {
      nowActive.add(reference(created));
    }
    cj.getStatus().setActive(nowActive.isEmpty() ? null : nowActive);
    cj.getStatus().setLastScheduleTime(Timestamps.time(mostRecent));
    return next;
  }

  private Result requeueAtNext(CronSchedule schedule, Instant now) {
    return schedule
        .next(now)
        .map(t -> Result.requeueAfter(Duration.between(now, t).plusMillis(100)))
        .orElse(Result.done());
  }

  private static Job jobFor(CronJob cj, String name, Instant scheduled, ZoneId zone) {
    ObjectMeta templateMeta =
        cj.getSpec().getJobTemplate().getMetadata() == null
            ? new ObjectMeta()
            : cj.getSpec().getJobTemplate().getMetadata();
    Map<String, String> annotations =
        templateMeta.getAnnotations() == null
            ? new HashMap<>()
            : new HashMap<>(templateMeta.getAnnotations());
    annotations.put(SCHEDULED_TIMESTAMP, scheduled.atZone(zone).toOffsetDateTime().toString());
    Job job = new Job();
    ObjectMeta meta = new ObjectMeta();
    meta.setName(name);
    meta.setNamespace(cj.getMetadata().getNamespace());
    meta.setLabels(
        templateMeta.getLabels() == null ? null : new HashMap<>(templateMeta.getLabels()));
    meta.setAnnotations(annotations);
    meta.setOwnerReferences(List.of(ControllerRefManager.controllerRef(cj, "batch/v1", "CronJob")));
    job.setMetadata(meta);
    job.setSpec(Json.MAPPER.convertValue(cj.getSpec().getJobTemplate().getSpec(), JobSpec.class));
    return job;
  }

  private static ObjectReference reference(Job job) {
    return new ObjectReferenceBuilder()
        .withApiVersion("batch/v1")
        .withKind("Job")
        .withNamespace(job.getMetadata().getNamespace())
        .withName(job.getMetadata().getName())
        .withUid(job.getMetadata().getUid())
        .withResourceVersion(job.getMetadata().getResourceVersion())
        .build();
  }

  /** "Complete" or "Failed" when the Job has finished. */
  static Optional<String> finishedType(Job job) {
    if (job.getStatus() == null || job.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    for (JobCondition c : job.getStatus().getConditions()) {
      if (("Complete".equals(c.getType()) || "Failed".equals(c.getType()))
          && "True".equals(c.getStatus())) {
        return Optional.of(c.getType());
      }
    }
    return Optional.empty();
  }
}
