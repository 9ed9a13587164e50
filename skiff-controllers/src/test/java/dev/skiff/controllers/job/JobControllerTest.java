package dev.skiff.controllers.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.Json;
import dev.skiff.controllers.pods.FakePodControl;
import dev.skiff.controllers.pods.Pods;
import dev.skiff.controllers.runtime.ControllerExpectations;
import dev.skiff.controllers.runtime.DefaultRateLimitingQueue;
import dev.skiff.controllers.runtime.FakeClock;
import dev.skiff.controllers.runtime.FakeEventRecorder;
import dev.skiff.controllers.runtime.Informers;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.QueueMetrics;
import dev.skiff.controllers.runtime.Result;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class JobControllerTest {
  private final FakeClock clock = new FakeClock();
  private final CacheImpl<Job> jobs = new CacheImpl<>();
  private final CacheImpl<Pod> pods = new CacheImpl<>();
  private final FakePodControl podControl = new FakePodControl();
  private final List<String> unfinalized = new ArrayList<>();
  private final FakeEventRecorder recorder = new FakeEventRecorder();
  private final DefaultRateLimitingQueue<ObjectKey> queue =
      DefaultRateLimitingQueue.create(clock, QueueMetrics.NONE);
  private final JobController controller;
  private final ObjectKey key = new ObjectKey("default", "pi");

  JobControllerTest() {
    pods.addIndexFunc(Informers.BY_CONTROLLER_UID, Informers::controllerUid);
    controller =
        new JobController(
            jobs,
            pods,
            podControl,
            new JobWriter() {
              @Override
              public Job updateStatus(Job job) {
                Job stored = Json.MAPPER.convertValue(job, Job.class);
                jobs.put(stored);
                return Json.MAPPER.convertValue(stored, Job.class);
              }

              @Override
              public void removeTrackingFinalizer(Pod pod) {
                unfinalized.add(pod.getMetadata().getName());
                Pod copy = Json.MAPPER.convertValue(pod, Pod.class);
                copy.getMetadata().setFinalizers(List.of());
                pods.put(copy);
              }
            },
            recorder,
            new ControllerExpectations(clock),
            queue,
            clock);
  }

  @AfterEach
  void close() {
    queue.close();
  }

  private static Job job(Integer completions, int parallelism) {
    return new JobBuilder()
        .withNewMetadata()
        .withNamespace("default")
        .withName("pi")
        .withUid("job-uid")
        .endMetadata()
        .withNewSpec()
        .withCompletions(completions)
        .withParallelism(parallelism)
        .withBackoffLimit(1)
        .withNewTemplate()
        .withNewSpec()
        .withRestartPolicy("Never")
        .addNewContainer()
        .withName("main")
        .withImage("busybox")
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private Job stored() {
    return jobs.getByKey("default/pi");
  }

  /** Delivers the created pods to the pod cache, as the informer would. */
  private void observeCreated() {
    for (Pod pod : podControl.created) {
      if (pods.getByKey("default/" + pod.getMetadata().getName()) == null) {
        pods.put(pod);
        controller.podHandler().onAdd(pod);
      }
    }
  }

  private void finish(String name, String phase, int exitCode) {
    Pod pod = Json.MAPPER.convertValue(pods.getByKey("default/" + name), Pod.class);
    if (pod.getStatus() == null) {
      pod.setStatus(new PodStatus());
    }
    pod.getStatus().setPhase(phase);
    pod.getStatus()
        .setContainerStatuses(
            List.of(
                new ContainerStatusBuilder()
                    .withName("main")
                    .withNewState()
                    .withNewTerminated()
                    .withExitCode(exitCode)
                    .endTerminated()
                    .endState()
                    .build()));
    pods.put(pod);
  }

  private Optional<JobCondition> condition(String type) {
    return stored().getStatus().getConditions() == null
        ? Optional.empty()
        : stored().getStatus().getConditions().stream()
            .filter(c -> c.getType().equals(type))
            .findFirst();
  }

  @Test
  void runsToCompletionCountingPodsThroughTheTrackingFinalizer() {
    jobs.put(job(3, 2));
    controller.reconcile(key);

    assertThat(podControl.created).hasSize(2);
    Pod first = podControl.created.get(0);
    assertThat(first.getMetadata().getFinalizers()).contains(JobController.TRACKING_FINALIZER);
    assertThat(first.getMetadata().getLabels())
        .containsEntry("batch.kubernetes.io/job-name", "pi")
        .containsEntry("batch.kubernetes.io/controller-uid", "job-uid");
    assertThat(stored().getStatus().getActive()).isEqualTo(2);
    assertThat(stored().getStatus().getStartTime()).isNotNull();

    observeCreated();
    for (int round = 0; round < 3; round++) {
      for (Pod pod : new ArrayList<>(podControl.created)) {
        Pod live = pods.getByKey("default/" + pod.getMetadata().getName());
        if ("Pending".equals(Pods.phase(live))) {
          finish(pod.getMetadata().getName(), "Succeeded", 0);
        }
      }
      controller.reconcile(key);
      observeCreated();
    }

    assertThat(stored().getStatus().getSucceeded()).isEqualTo(3);
    assertThat(podControl.created).hasSize(3);
    assertThat(unfinalized).hasSize(3);
    assertThat(condition("Complete").orElseThrow().getStatus()).isEqualTo("True");
    assertThat(condition("SuccessCriteriaMet")).isPresent();
    assertThat(stored().getStatus().getCompletionTime()).isNotNull();
    assertThat(recorder.events()).contains("Normal Completed Job completed");
  }

  @Test
  void failuresBeyondTheBackoffLimitFailTheJob() {
    jobs.put(job(1, 1));
    controller.reconcile(key);
    observeCreated();
    finish(podControl.created.get(0).getMetadata().getName(), "Failed", 1);

    Result retry = controller.reconcile(key);
    assertThat(stored().getStatus().getFailed()).isEqualTo(1);
    assertThat(retry.requeueAfter()).contains(Duration.ofSeconds(10));
    assertThat(podControl.created).hasSize(1);

    clock.advance(Duration.ofSeconds(10));
    controller.reconcile(key);
    observeCreated();
    assertThat(podControl.created).hasSize(2);
    finish(podControl.created.get(1).getMetadata().getName(), "Failed", 1);
    controller.reconcile(key);

    assertThat(stored().getStatus().getFailed()).isEqualTo(2);
    assertThat(condition("FailureTarget").orElseThrow().getReason())
        .isEqualTo("BackoffLimitExceeded");
    JobCondition failed = condition("Failed").orElseThrow();
    assertThat(failed.getReason()).isEqualTo("BackoffLimitExceeded");
    assertThat(failed.getMessage()).isEqualTo("Job has reached the specified backoff limit");
  }

  @Test
  void podFailurePolicyFailJobOnAnExitCode() {
    Job job = job(1, 1);
    job.getSpec()
        .setPodFailurePolicy(
            Json.MAPPER.convertValue(
                Map.of(
                    "rules",
                    List.of(
                        Map.of(
                            "action",
                            "FailJob",
                            "onExitCodes",
                            Map.of(
                                "containerName",
                                "main",
                                "operator",
                                "In",
                                "values",
                                List.of(42))))),
                io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicy.class));
    job.getSpec().setBackoffLimit(6);
    jobs.put(job);
    controller.reconcile(key);
    observeCreated();
    String name = podControl.created.get(0).getMetadata().getName();
    finish(name, "Failed", 42);

    controller.reconcile(key);

    JobCondition failed = condition("Failed").orElseThrow();
    assertThat(failed.getReason()).isEqualTo("PodFailurePolicy");
    assertThat(failed.getMessage())
        .isEqualTo(
            "Container main for pod default/"
                + name
                + " failed with exit code 42 matching FailJob rule at index 0");
  }

  @Test
  void indexedJobsGiveEachPodItsIndex() {
    Job job = job(3, 2);
    job.getSpec().setCompletionMode("Indexed");
    jobs.put(job);

    controller.reconcile(key);

    assertThat(podControl.created)
        .extracting(p -> p.getMetadata().getAnnotations().get(JobController.COMPLETION_INDEX))
        .containsExactlyInAnyOrder("0", "1");
    Pod zero =
        podControl.created.stream()
            .filter(
                p ->
                    "0"
                        .equals(
                            p.getMetadata().getAnnotations().get(JobController.COMPLETION_INDEX)))
            .findFirst()
            .orElseThrow();
    assertThat(zero.getSpec().getHostname()).isEqualTo("pi-0");
    assertThat(zero.getSpec().getContainers().get(0).getEnv())
        .anySatisfy(e -> assertThat(e.getName()).isEqualTo("JOB_COMPLETION_INDEX"));

    observeCreated();
    finish(zero.getMetadata().getName(), "Succeeded", 0);
    controller.reconcile(key);
    observeCreated();

    assertThat(stored().getStatus().getCompletedIndexes()).isEqualTo("0");
    assertThat(podControl.created)
        .extracting(p -> p.getMetadata().getAnnotations().get(JobController.COMPLETION_INDEX))
        .containsExactlyInAnyOrder("0", "1", "2");
  }

  @Test
  void suspendingDeletesActivePods() {
    jobs.put(job(2, 2));
    controller.reconcile(key);
    observeCreated();
    Job suspended = Json.MAPPER.convertValue(stored(), Job.class);
    suspended.getSpec().setSuspend(true);
    jobs.put(suspended);

    controller.reconcile(key);

    assertThat(podControl.deleted).hasSize(2);
    JobCondition condition = condition("Suspended").orElseThrow();
    assertThat(condition.getStatus()).isEqualTo("True");
    assertThat(condition.getReason()).isEqualTo("JobSuspended");
  }

  @Test
  void completedIndexesUseRanges() {
    TreeSet<Integer> indexes = CompletedIndexes.parse("1,3-5,7");
    assertThat(indexes).containsExactly(1, 3, 4, 5, 7);
    assertThat(CompletedIndexes.format(indexes)).isEqualTo("1,3-5,7");
    assertThat(CompletedIndexes.format(new TreeSet<>())).isEmpty();
  }
}
