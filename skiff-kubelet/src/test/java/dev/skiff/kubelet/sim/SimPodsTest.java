package dev.skiff.kubelet.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SimPodsTest {
  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

  private final SimNode node = new SimNode(3, SimNode.config(SimNodeOptions.of(5), 3));
  private SimPods pods = new SimPods(name -> name.equals("sim-3") ? node : null, null);

  private static Pod pod(String name, String restartPolicy, Map<String, String> annotations) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("default")
        .withUid("uid-" + name)
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .withNodeName("sim-3")
        .withRestartPolicy(restartPolicy)
        .addNewInitContainer()
        .withName("init")
        .withImage("busybox")
        .endInitContainer()
        .addNewContainer()
        .withName("main")
        .withImage("nginx:1.27")
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase("Pending")
        .endStatus()
        .build();
  }

  /** Applies a status write the way the API server and informer would. */
  private Pod written(Pod pod, SimPodAction action) {
    assertThat(action).isInstanceOf(SimPodAction.WriteStatus.class);
    SimPodAction.WriteStatus write = (SimPodAction.WriteStatus) action;
    pods.written(pod.getMetadata().getUid(), write.version());
    return new PodBuilder(pod).withStatus(write.status()).build();
  }

  @Test
  void boundPodStartsRunningWithAnIpFromItsNodeRange() {
    Pod pod = pod("web", "Always", Map.of());

    SimPodAction action = pods.sync(pod, T0);

    SimPodAction.WriteStatus write = (SimPodAction.WriteStatus) action;
    assertThat(write.wakeAt()).isNull();
    var status = write.status();
    assertThat(status.getPhase()).isEqualTo("Running");
    assertThat(status.getPodIP()).isEqualTo("10.128.3.1");
    assertThat(status.getHostIP()).isEqualTo(SimNode.nodeIp(3));
    assertThat(status.getStartTime()).isEqualTo("2026-11-25T10:00:00Z");
    assertThat(status.getConditions()).allMatch(c -> c.getStatus().equals("True"));
    assertThat(status.getConditions())
        .extracting(PodCondition::getType)
        .contains("PodScheduled", "Initialized", "ContainersReady", "Ready");
    ContainerStatus main = status.getContainerStatuses().getFirst();
    assertThat(main.getState().getRunning().getStartedAt()).isEqualTo("2026-11-25T10:00:00Z");
    assertThat(main.getContainerID()).startsWith("sim://").hasSize("sim://".length() + 64);
    assertThat(main.getImageID()).startsWith("sim://sha256:");
    assertThat(main.getImage()).isEqualTo("nginx:1.27");
    assertThat(main.getReady()).isTrue();
    assertThat(main.getStarted()).isTrue();
    assertThat(status.getInitContainerStatuses().getFirst().getState().getTerminated().getReason())
        .isEqualTo("Completed");

    Pod running = written(pod, action);
    assertThat(pods.sync(running, T0.plusSeconds(30))).isInstanceOf(SimPodAction.None.class);
    assertThat(pods.sync(pod("other", "Always", Map.of()), T0).getClass())
        .isEqualTo(SimPodAction.WriteStatus.class);
  }

  @Test
  void podsOfOtherNodesAreNotOurs() {
    Pod pod = pod("web", "Always", Map.of());
    pod.getSpec().setNodeName("real-node");

    assertThat(pods.owns(pod)).isFalse();
    assertThat(pods.sync(pod, T0)).isInstanceOf(SimPodAction.None.class);
  }

  @Test
  void jobStylePodSucceedsAfterItsRunSeconds() {
    Pod pod = pod("job", "Never", Map.of("sim.skiff.io/run-seconds", "5"));

    SimPodAction start = pods.sync(pod, T0);
    assertThat(((SimPodAction.WriteStatus) start).wakeAt()).isEqualTo(T0.plusSeconds(5));
    Pod running = written(pod, start);
    assertThat(pods.sync(running, T0.plusSeconds(4)))
        .isEqualTo(new SimPodAction.WakeAt(T0.plusSeconds(5)));

    SimPodAction finish = pods.sync(running, T0.plusSeconds(5));
    var status = ((SimPodAction.WriteStatus) finish).status();
    assertThat(status.getPhase()).isEqualTo("Succeeded");
    var terminated = status.getContainerStatuses().getFirst().getState().getTerminated();
    assertThat(terminated.getExitCode()).isZero();
    assertThat(terminated.getReason()).isEqualTo("Completed");
    assertThat(terminated.getFinishedAt()).isEqualTo("2026-11-25T10:00:05Z");
    Pod done = written(running, finish);
    assertThat(pods.sync(done, T0.plusSeconds(6))).isInstanceOf(SimPodAction.None.class);
  }

  @Test
  void defaultRunTimeAppliesToNeverAndOnFailureButNotAlways() {
    pods = new SimPods(name -> node, Duration.ofSeconds(30));

    assertThat(((SimPodAction.WriteStatus) pods.sync(pod("a", "Never", Map.of()), T0)).wakeAt())
        .isEqualTo(T0.plusSeconds(30));
    assertThat(((SimPodAction.WriteStatus) pods.sync(pod("b", "OnFailure", Map.of()), T0)).wakeAt())
        .isEqualTo(T0.plusSeconds(30));
    assertThat(((SimPodAction.WriteStatus) pods.sync(pod("c", "Always", Map.of()), T0)).wakeAt())
        .isNull();
  }

  @Test
  void nonZeroExitCodeFailsANeverPodWithReasonError() {
    Pod pod =
        pod(
            "bad",
            "Never",
            Map.of("sim.skiff.io/run-seconds", "1.5", "sim.skiff.io/exit-code", "3"));
    Pod running = written(pod, pods.sync(pod, T0));

    var status = ((SimPodAction.WriteStatus) pods.sync(running, T0.plusMillis(1500))).status();

    assertThat(status.getPhase()).isEqualTo("Failed");
    var terminated = status.getContainerStatuses().getFirst().getState().getTerminated();
    assertThat(terminated.getExitCode()).isEqualTo(3);
    assertThat(terminated.getReason()).isEqualTo("Error");
    assertThat(status.getContainerStatuses().getFirst().getReady()).isFalse();
  }

  @Test
  void onFailurePodWithNonZeroExitRestartsItsContainer() {
    Pod pod =
        pod(
            "retry",
            "OnFailure",
            Map.of("sim.skiff.io/run-seconds", "10", "sim.skiff.io/exit-code", "1"));
    Pod running = written(pod, pods.sync(pod, T0));

    SimPodAction restart = pods.sync(running, T0.plusSeconds(12));

    var write = (SimPodAction.WriteStatus) restart;
    assertThat(write.status().getPhase()).isEqualTo("Running");
    ContainerStatus main = write.status().getContainerStatuses().getFirst();
    assertThat(main.getRestartCount()).isEqualTo(1);
    assertThat(main.getState().getRunning().getStartedAt()).isEqualTo("2026-11-25T10:00:10Z");
    assertThat(main.getLastState().getTerminated().getReason()).isEqualTo("Error");
    assertThat(main.getLastState().getTerminated().getExitCode()).isEqualTo(1);
    assertThat(write.wakeAt()).isEqualTo(T0.plusSeconds(20));
  }

  @Test
  void deletionIsConfirmedOnceTheGracePeriodEnds() {
    Pod running =
        written(pod("web", "Always", Map.of()), pods.sync(pod("web", "Always", Map.of()), T0));
    Pod deleting =
        new PodBuilder(running)
            .editMetadata()
            .withDeletionTimestamp("2026-11-25T10:00:40Z")
            .withDeletionGracePeriodSeconds(30L)
            .endMetadata()
            .build();

    assertThat(pods.sync(deleting, T0.plusSeconds(10)))
        .isEqualTo(new SimPodAction.WakeAt(Instant.parse("2026-11-25T10:00:40Z")));
    assertThat(pods.sync(deleting, T0.plusSeconds(40)))
        .isEqualTo(new SimPodAction.ConfirmDeletion("default", "web", "uid-web"));
    assertThat(node.podIps().allocated()).isZero();
  }

  @Test
  void finishedPodIsConfirmedAtOnceAndItsIpReused() {
    Pod job = pod("job", "Never", Map.of("sim.skiff.io/run-seconds", "0"));
    // a run of zero seconds has ended by the first sync: the pod is reported finished at once
    Pod done = written(job, pods.sync(job, T0));
    assertThat(done.getStatus().getPhase()).isEqualTo("Succeeded");
    assertThat(pods.sync(done, T0)).isInstanceOf(SimPodAction.None.class);

    Pod deleting =
        new PodBuilder(done)
            .editMetadata()
            .withDeletionTimestamp("2026-11-25T10:00:30Z")
            .endMetadata()
            .build();
    assertThat(pods.sync(deleting, T0)).isInstanceOf(SimPodAction.ConfirmDeletion.class);
    var next = (SimPodAction.WriteStatus) pods.sync(pod("next", "Always", Map.of()), T0);
    assertThat(next.status().getPodIP()).isEqualTo(done.getStatus().getPodIP());
  }

  @Test
  void runningPodWrittenBeforeARestartIsAdoptedWithoutAWrite() {
    Pod running =
        written(pod("web", "Always", Map.of()), pods.sync(pod("web", "Always", Map.of()), T0));
    SimNode sameNode = new SimNode(3, node.config());
    SimPods restarted = new SimPods(name -> sameNode, null);

    assertThat(restarted.sync(running, T0.plusSeconds(60))).isInstanceOf(SimPodAction.None.class);
    var other = (SimPodAction.WriteStatus) restarted.sync(pod("other", "Always", Map.of()), T0);
    assertThat(other.status().getPodIP()).isNotEqualTo(running.getStatus().getPodIP());
  }

  @Test
  void hostNetworkPodUsesTheNodeIp() {
    Pod pod = pod("host", "Always", Map.of());
    pod.getSpec().setHostNetwork(true);

    var status = ((SimPodAction.WriteStatus) pods.sync(pod, T0)).status();

    assertThat(status.getPodIP()).isEqualTo(SimNode.nodeIp(3));
    assertThat(node.podIps().allocated()).isZero();
  }

  @Test
  void usageAnnotationsAreReadable() {
    Pod pod =
        pod(
            "busy",
            "Always",
            Map.of("sim.skiff.io/cpu-usage", "1500m", "sim.skiff.io/memory-usage", "2Gi"));

    pods.sync(pod, T0);

    assertThat(pods.usage("default", "busy").orElseThrow().cpu().getNumericalAmount())
        .isEqualByComparingTo("1.5");
    assertThat(pods.usage("default", "other")).isEmpty();
  }
}
