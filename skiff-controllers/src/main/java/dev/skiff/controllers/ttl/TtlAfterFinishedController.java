package dev.skiff.controllers.ttl;

import dev.skiff.client.Timestamps;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.RateLimitingQueue;
import dev.skiff.controllers.runtime.Reconciler;
import dev.skiff.controllers.runtime.Result;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Deletes finished Jobs (Complete or Failed) once ttlSecondsAfterFinished has passed since they
 * finished; the deletion cascades to their pods in the foreground.
 */
public final class TtlAfterFinishedController implements Reconciler {
  private final Indexer<Job> jobs;
  private final Consumer<Job> delete;
  private final RateLimitingQueue<ObjectKey> queue;
  private final InstantSource clock;

  public TtlAfterFinishedController(
      Indexer<Job> jobs,
      Consumer<Job> delete,
      RateLimitingQueue<ObjectKey> queue,
      InstantSource clock) {
    this.jobs = jobs;
    this.delete = delete;
    this.queue = queue;
    this.clock = clock;
  }

  public ResourceEventHandler<Job> handler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Job job) {
        enqueueIfRelevant(job);
      }

      @Override
      public void onUpdate(Job o, Job job) {
        enqueueIfRelevant(job);
      }

      @Override
      public void onDelete(Job job, boolean unknown) {}
    };
  }

  private void enqueueIfRelevant(Job job) {
    if (job.getSpec() != null
        && job.getSpec().getTtlSecondsAfterFinished() != null
        && finishedAt(job).isPresent()) {
      queue.add(ObjectKey.of(job));
    }
  }

  /** When the job finished: the transition time of its Complete or Failed condition. */
  static Optional<Instant> finishedAt(Job job) {
    if (job.getStatus() == null || job.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    for (JobCondition c : job.getStatus().getConditions()) {
      if (("Complete".equals(c.getType()) || "Failed".equals(c.getType()))
          && "True".equals(c.getStatus())) {
        return Optional.ofNullable(Timestamps.parse(c.getLastTransitionTime()));
      }
    }
    return Optional.empty();
  }

  @Override
  public Result reconcile(ObjectKey key) {
    Job job = jobs.getByKey(key.cacheKey());
    if (job == null
        || job.getMetadata().getDeletionTimestamp() != null
        || job.getSpec().getTtlSecondsAfterFinished() == null) {
      return Result.done();
    }
    Optional<Instant> finished = finishedAt(job);
    if (finished.isEmpty()) {
      return Result.done();
    }
    Instant expiry = finished.get().plusSeconds(job.getSpec().getTtlSecondsAfterFinished());
    Instant now = clock.instant();
    if (now.isBefore(expiry)) {
      return Result.requeueAfter(Duration.between(now, expiry));
    }
    delete.accept(job);
    return Result.done();
  }
}
