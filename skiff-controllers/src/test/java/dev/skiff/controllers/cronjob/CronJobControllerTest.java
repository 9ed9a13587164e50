package dev.skiff.controllers.cronjob;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.Json;
import dev.skiff.controllers.runtime.DefaultRateLimitingQueue;
import dev.skiff.controllers.runtime.FakeClock;
import dev.skiff.controllers.runtime.FakeEventRecorder;
import dev.skiff.controllers.runtime.Informers;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.QueueMetrics;
import dev.skiff.controllers.runtime.Result;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CronJobControllerTest {
  private final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T10:00:30Z"));
  private final CacheImpl<CronJob> cronJobs = new CacheImpl<>();
  private final CacheImpl<Job> jobs = new CacheImpl<>();
  private final List<String> deleted = new ArrayList<>();
  private final FakeEventRecorder recorder = new FakeEventRecorder();
  private final DefaultRateLimitingQueue<ObjectKey> queue =
      DefaultRateLimitingQueue.create(clock, QueueMetrics.NONE);
  private final CronJobController controller;
  private final ObjectKey key = new ObjectKey("default", "tick");

  CronJobControllerTest() {
    jobs.addIndexFunc(Informers.BY_CONTROLLER_UID, Informers::controllerUid);
    controller =
        new CronJobController(
            cronJobs,
            jobs,
            new CronJobWriter() {
              @Override
              public Job createJob(Job job) {
                if (jobs.getByKey("default/" + job.getMetadata().getName()) != null) {
                  throw new KubernetesClientException("exists", 409, null);
                }
                job.getMetadata().setUid("uid-" + job.getMetadata().getName());
                jobs.put(job);
                return job;
              }

              @Override
              public void deleteJob(Job job) {
                deleted.add(job.getMetadata().getName());
                jobs.remove(job);
              }

              @Override
              public CronJob updateStatus(CronJob cronJob) {
                cronJobs.put(Json.MAPPER.convertValue(cronJob, CronJob.class));
                return cronJob;
              }
            },
            recorder,
            queue,
            clock);
  }

  @AfterEach
  void close() {
    queue.close();
  }

  private void cronJob(String policy) {
    cronJobs.put(
        new CronJobBuilder()
            .withNewMetadata()
            .withNamespace("default")
            .withName("tick")
            .withUid("cj-uid")
            .withCreationTimestamp("2026-01-01T09:58:00Z")
            .endMetadata()
            .withNewSpec()
            .withSchedule("*/5 * * * *")
            .withConcurrencyPolicy(policy)
            .withNewJobTemplate()
            .withNewSpec()
            .withNewTemplate()
            .withNewSpec()
            .withRestartPolicy("Never")
            .addNewContainer()
            .withName("c")
            .withImage("busybox")
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .endJobTemplate()
            .endSpec()
            .build());
  }

  private CronJob stored() {
    return cronJobs.getByKey("default/tick");
  }

  private void complete(String jobName) {
    Job job = Json.MAPPER.convertValue(jobs.getByKey("default/" + jobName), Job.class);
    JobStatus status = new JobStatus();
    status.setStartTime(clock.instant().toString());
    status.setCompletionTime(clock.instant().toString());
    status.setConditions(
        List.of(new JobConditionBuilder().withType("Complete").withStatus("True").build()));
    job.setStatus(status);
    jobs.put(job);
  }

  @Test
  void startsAJobForTheScheduledMinuteOnce() {
    cronJob("Allow");

    Result result = controller.reconcile(key);

    String name = "tick-" + (Instant.parse("2026-01-01T10:00:00Z").getEpochSecond() / 60);
    Job job = jobs.getByKey("default/" + name);
    assertThat(job).isNotNull();
    assertThat(job.getMetadata().getOwnerReferences().get(0).getKind()).isEqualTo("CronJob");
    assertThat(job.getMetadata().getAnnotations())
        .containsEntry(CronJobController.SCHEDULED_TIMESTAMP, "2026-01-01T10:00Z");
    assertThat(stored().getStatus().getLastScheduleTime()).isEqualTo("2026-01-01T10:00:00Z");
    assertThat(stored().getStatus().getActive()).extracting(r -> r.getName()).containsExactly(name);
    assertThat(result.requeueAfter()).contains(Duration.ofSeconds(270).plusMillis(100));
    assertThat(recorder.events()).contains("Normal SuccessfulCreate Created job " + name);

    controller.reconcile(key);
    assertThat(jobs.list()).hasSize(1);
  }

  @Test
  void forbidSkipsWhileAJobRuns() {
    cronJob("Forbid");
    controller.reconcile(key);
    clock.advance(Duration.ofMinutes(5));

    controller.reconcile(key);

    assertThat(jobs.list()).hasSize(1);
    assertThat(recorder.events()).anyMatch(e -> e.contains("JobAlreadyActive"));
  }

  @Test
  void replaceDeletesTheRunningJob() {
    cronJob("Replace");
    controller.reconcile(key);
    String first = jobs.list().get(0).getMetadata().getName();
    clock.advance(Duration.ofMinutes(5));

    controller.reconcile(key);

    assertThat(deleted).containsExactly(first);
    assertThat(jobs.list()).hasSize(1);
    assertThat(jobs.list().get(0).getMetadata().getName()).isNotEqualTo(first);
  }

  @Test
  void completedJobsUpdateLastSuccessfulTimeAndHistoryIsLimited() {
    cronJob("Allow");
    for (int i = 0; i < 5; i++) {
      controller.reconcile(key);
      complete(
          jobs.list().stream()
              .filter(j -> j.getStatus() == null)
              .findFirst()
              .orElseThrow()
              .getMetadata()
              .getName());
      clock.advance(Duration.ofMinutes(5));
    }
    controller.reconcile(key);

    assertThat(stored().getStatus().getLastSuccessfulTime()).isNotNull();
    long finished = jobs.list().stream().filter(j -> j.getStatus() != null).count();
    assertThat(finished).isEqualTo(3);
    assertThat(deleted).hasSize(2);
  }

  @Test
  void suspendedCronJobsStartNothing() {
    cronJob("Allow");
    CronJob suspended = Json.MAPPER.convertValue(stored(), CronJob.class);
    suspended.getSpec().setSuspend(true);
    cronJobs.put(suspended);

    controller.reconcile(key);

    assertThat(jobs.list()).isEmpty();
  }
}
