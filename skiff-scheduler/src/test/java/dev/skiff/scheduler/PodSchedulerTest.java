package dev.skiff.scheduler;

import static dev.skiff.scheduler.testing.Objects.node;
import static dev.skiff.scheduler.testing.Objects.onNode;
import static dev.skiff.scheduler.testing.Objects.pod;
import static dev.skiff.scheduler.testing.Objects.taint;
import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.scheduler.framework.Listers;
import dev.skiff.scheduler.framework.Parallelizer;
import dev.skiff.scheduler.framework.PodInfo;
import dev.skiff.scheduler.testing.FakeClock;
import dev.skiff.scheduler.testing.RecordingClusterClient;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The scheduling cycle end to end on constructed objects, with a recording client. */
class PodSchedulerTest {
  final FakeClock clock = new FakeClock();
  final RecordingClusterClient client = new RecordingClusterClient();

  PodScheduler scheduler(SchedulerConfiguration config) {
    return new PodScheduler(
        client,
        Listers.empty(),
        config,
        clock,
        new Parallelizer(1),
        new SplittableRandom(42),
        Runnable::run);
  }

  PodScheduler scheduler() {
    return scheduler(SchedulerConfiguration.defaults());
  }

  static void runAll(PodScheduler s) throws InterruptedException {
    while (s.scheduleOne(Duration.ZERO)) {
      // drain the active queue
    }
  }

  @Test
  void bindsAPodAndReportsScheduled() throws Exception {
    PodScheduler s = scheduler();
    s.onNodeAdd(node("n1"));
    s.onPodAdd(pod("web", "100m", "100Mi").build());
    runAll(s);
    assertThat(client.bindings).containsEntry("default/web", "n1");
    assertThat(client.notes("Scheduled"))
        .containsExactly("Successfully assigned default/web to n1");
    assertThat(client.events.get(0).reportingController()).isEqualTo("default-scheduler");
    assertThat(client.events.get(0).action()).isEqualTo("Binding");
    assertThat(s.cache().isAssumed("9c1b2ba4-0f0b-3b6a-9c4b-4d5fdbf8dd46")).isFalse();
    assertThat(s.metrics().attempts(SchedulerMetrics.SCHEDULED)).isEqualTo(1);
  }

  @Test
  void aggregatesReasonsThenSchedulesWhenANodeIsAdded() throws Exception {
    PodScheduler s = scheduler();
    s.onNodeAdd(node("small-1", "2", "8Gi").build());
    s.onNodeAdd(node("small-2", "2", "8Gi").build());
    s.onPodAdd(onNode(pod("resident-1", "1", "1Gi").build(), "small-1"));
    s.onPodAdd(onNode(pod("resident-2", "1", "1Gi").build(), "small-2"));
    Node tainted =
        node("tainted", "8", "8Gi")
            .editSpec()
            .withTaints(taint("dedicated", "gpu", "NoSchedule"))
            .endSpec()
            .build();
    s.onNodeAdd(tainted);
    Pod big = pod("big", "2", "1Gi").build();
    s.onPodAdd(big);
    runAll(s);

    assertThat(client.bindings).isEmpty();
    assertThat(client.notes("FailedScheduling"))
        .containsExactly(
            "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu."
                + " preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling,"
                + " 2 No preemption victims found for incoming pod.");
    assertThat(client.statusUpdates).hasSize(1);
    assertThat(client.statusUpdates.get(0).condition().getReason()).isEqualTo("Unschedulable");
    assertThat(client.statusUpdates.get(0).condition().getStatus()).isEqualTo("False");
    assertThat(s.pending()).containsEntry("unschedulable", 1);

    s.onNodeAdd(node("roomy", "4", "8Gi").build());
    clock.advance(Duration.ofSeconds(2));
    s.flushBackoff();
    runAll(s);
    assertThat(client.bindings).containsEntry("default/big", "roomy");
  }

  @Test
  void unknownSchedulerNameIsLeftAlone() throws Exception {
    PodScheduler s = scheduler();
    s.onNodeAdd(node("n1"));
    s.onPodAdd(
        pod("other", null, null).editSpec().withSchedulerName("someone-else").endSpec().build());
    runAll(s);
    assertThat(client.bindings).isEmpty();
    assertThat(client.events).isEmpty();
    assertThat(s.pending().values()).allMatch(n -> n == 0);
  }

  @Test
  void twoProfilesScheduleTheirOwnPods() throws Exception {
    SchedulerConfiguration config =
        SchedulerConfiguration.parse(
            """
            apiVersion: kubescheduler.config.k8s.io/v1
            kind: KubeSchedulerConfiguration
            profiles:
            - schedulerName: default-scheduler
            - schedulerName: packing-scheduler
              pluginConfig:
              - name: NodeResourcesFit
                args:
                  scoringStrategy:
                    type: MostAllocated
              plugins:
                score:
                  disabled:
                  - name: NodeResourcesBalancedAllocation
            """);
    PodScheduler s = scheduler(config);
    s.onNodeAdd(node("empty", "4", "8Gi").build());
    s.onNodeAdd(node("busy", "4", "8Gi").build());
    s.onPodAdd(onNode(pod("existing", "3", "6Gi").build(), "busy"));
    s.onPodAdd(pod("spread", "500m", "512Mi").build());
    s.onPodAdd(
        pod("packed", "500m", "512Mi")
            .editSpec()
            .withSchedulerName("packing-scheduler")
            .endSpec()
            .build());
    runAll(s);
    assertThat(client.bindings)
        .containsEntry("default/spread", "empty")
        .containsEntry("default/packed", "busy");
    assertThat(client.events)
        .filteredOn(e -> e.regarding().getMetadata().getName().equals("packed"))
        .extracting(e -> e.reportingController())
        .containsExactly("packing-scheduler");
  }

  @Test
  void preemptsLowerPriorityPodsAndNominatesTheNode() throws Exception {
    PodScheduler s = scheduler();
    s.onNodeAdd(node("n1", "2", "8Gi").build());
    s.onPodAdd(onNode(withPriority(pod("low", "1500m", "1Gi"), 0), "n1"));
    s.onPodAdd(withPriority(pod("high", "1", "1Gi"), 1000));
    runAll(s);

    assertThat(client.preemptions)
        .containsExactly(
            new RecordingClusterClient.Preemption("default/low", "default/high", "n1"));
    assertThat(client.statusUpdates).last().extracting(u -> u.nominatedNodeName()).isEqualTo("n1");
    assertThat(client.bindings).isEmpty();
    assertThat(s.queue().nominatedPodsForNode("n1"))
        .extracting(p -> p.name())
        .containsExactly("high");

    // the victim goes away; the preemptor is retried and lands on the nominated node
    s.onPodDelete(onNode(withPriority(pod("low", "1500m", "1Gi"), 0), "n1"));
    clock.advance(Duration.ofSeconds(2));
    s.flushBackoff();
    runAll(s);
    assertThat(client.bindings).containsEntry("default/high", "n1");
  }

  @Test
  void preemptionPolicyNeverIsNotEligible() throws Exception {
    PodScheduler s = scheduler();
    s.onNodeAdd(node("n1", "2", "8Gi").build());
    s.onPodAdd(onNode(withPriority(pod("low", "1500m", "1Gi"), 0), "n1"));
    s.onPodAdd(
        new PodBuilder(withPriority(pod("polite", "1", "1Gi"), 1000))
            .editSpec()
            .withPreemptionPolicy("Never")
            .endSpec()
            .build());
    runAll(s);
    assertThat(client.preemptions).isEmpty();
    assertThat(client.notes("FailedScheduling"))
        .containsExactly(
            "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.");
  }

  @Test
  void bindFailureForgetsTheAssumedPodAndRetries() throws Exception {
    PodScheduler s = scheduler();
    s.onNodeAdd(node("n1"));
    client.bindFailure = new IllegalStateException("conflict");
    s.onPodAdd(pod("web", "1", "1Gi").build());
    runAll(s);
    assertThat(client.bindings).isEmpty();
    assertThat(client.notes("FailedScheduling")).containsExactly("binding rejected: conflict");
    assertThat(s.pending()).containsEntry("backoff", 1);

    client.bindFailure = null;
    clock.advance(Duration.ofSeconds(1));
    s.flushBackoff();
    runAll(s);
    assertThat(client.bindings).containsEntry("default/web", "n1");
  }

  @Test
  void aPodDeletedWhileBindingIsNotRequeued() throws Exception {
    java.util.List<Runnable> bindings = new java.util.ArrayList<>();
    PodScheduler s =
        new PodScheduler(
            client,
            Listers.empty(),
            SchedulerConfiguration.defaults(),
            clock,
            new Parallelizer(1),
            new SplittableRandom(42),
            bindings::add);
    s.onNodeAdd(node("n1"));
    Pod p = pod("doomed", "1", "1Gi").build();
    s.onPodAdd(p);
    runAll(s);
    assertThat(bindings).hasSize(1);
    s.onPodDelete(p);
    client.bindFailure = new IllegalStateException("pods \"doomed\" not found");
    bindings.get(0).run();
    assertThat(client.notes("FailedScheduling")).isEmpty();
    assertThat(s.pending().values()).allMatch(n -> n == 0);
    assertThat(s.cache().contains(PodInfo.keyOf(p))).isFalse();
  }

  @Test
  void impossibleAffinityStaysPendingWithAClearMessage() throws Exception {
    PodScheduler s = scheduler();
    s.onNodeAdd(node("n1"));
    s.onPodAdd(
        pod("picky", null, null)
            .editSpec()
            .withNodeSelector(java.util.Map.of("disk", "ssd"))
            .endSpec()
            .build());
    runAll(s);
    assertThat(client.notes("FailedScheduling"))
        .containsExactly(
            "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector."
                + " preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.");
  }

  @Test
  void noNodesIsAnErrorRetriedWhenANodeAppears() throws Exception {
    PodScheduler s = scheduler();
    s.onPodAdd(pod("early").toBuilder().build());
    runAll(s);
    assertThat(client.notes("FailedScheduling"))
        .containsExactly("no nodes available to schedule pods");
    s.onNodeAdd(node("n1"));
    clock.advance(Duration.ofSeconds(1));
    s.flushBackoff();
    runAll(s);
    assertThat(client.bindings).containsEntry("default/early", "n1");
  }

  @Test
  void adaptivePercentageOfNodesToScore() {
    PodScheduler s = scheduler();
    assertThat(s.numFeasibleNodesToFind(null, 50)).isEqualTo(50);
    assertThat(s.numFeasibleNodesToFind(null, 1000)).isEqualTo(420);
    assertThat(s.numFeasibleNodesToFind(null, 5000)).isEqualTo(500);
    assertThat(s.numFeasibleNodesToFind(null, 6000)).isEqualTo(300);
    assertThat(s.numFeasibleNodesToFind(null, 1500)).isEqualTo(570);
    assertThat(s.numFeasibleNodesToFind(null, 200)).isEqualTo(100);
    assertThat(s.numFeasibleNodesToFind(30, 1000)).isEqualTo(300);
  }

  @Test
  void metricsTextHasKubernetesNames() throws Exception {
    PodScheduler s = scheduler();
    s.onNodeAdd(node("n1"));
    s.onPodAdd(pod("web", "100m", "100Mi").build());
    runAll(s);
    String text = s.metrics().text();
    assertThat(text)
        .contains(
            "scheduler_schedule_attempts_total{profile=\"default-scheduler\",result=\"scheduled\"} 1")
        .contains("scheduler_scheduling_attempt_duration_seconds_bucket")
        .contains("scheduler_pending_pods{queue=\"active\"} 0")
        .contains("scheduler_pod_scheduling_sli_duration_seconds_count{attempts=\"1\"} 1");
  }

  static Pod withPriority(PodBuilder b, int priority) {
    return b.editSpec().withPriority(priority).endSpec().build();
  }
}
