package dev.skiff.kubelet.prober;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.kubelet.pod.ContainerRuntimeStatus;
import dev.skiff.kubelet.pod.PodRuntimeStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The default constructor: probes on the real timer, each run on a virtual thread. */
class ProbeManagerRealTimeTest {

  @Test
  void probesRunOnTheSystemScheduler() throws Exception {
    List<String> restarts = new CopyOnWriteArrayList<>();
    List<String> changes = new CopyOnWriteArrayList<>();
    RecordingEvents events = new RecordingEvents();
    try (FakeRuntime runtime = new FakeRuntime();
        ProbeManager probes =
            new ProbeManager(
                runtime.client(),
                events,
                (uid, name, id, message) -> restarts.add(message),
                changes::add)) {
      runtime.script =
          r -> FakeRuntime.exit(r.getCmd(0).equals("live") ? 1 : 0, "", "exit status 1");
      Pod pod =
          ProbeManagerTest.pod(
              "Always",
              ProbeManagerTest.container(
                  "web",
                  c ->
                      c.withReadinessProbe(ProbeManagerTest.exec("ready", p -> p))
                          .withLivenessProbe(
                              ProbeManagerTest.exec(
                                  "live", p -> p.withPeriodSeconds(1).withFailureThreshold(2)))));
      probes.sync(
          pod,
          new PodRuntimeStatus(
              true,
              List.of("127.0.0.1"),
              List.of(),
              Map.of(
                  "web",
                  new ContainerRuntimeStatus(
                      "web",
                      "c1",
                      "busybox",
                      "sha256:1",
                      new ContainerRuntimeStatus.Running(Instant.now()),
                      false,
                      false,
                      0,
                      null))));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> probes.ready(ProbeManagerTest.UID, "web", "c1"));
      await().atMost(Duration.ofSeconds(30)).until(() -> !restarts.isEmpty());
      assertThat(restarts)
          .containsExactly("Container web failed liveness probe, will be restarted");
      assertThat(events.messages("Unhealthy"))
          .startsWith(
              "Liveness probe failed: exit status 1", "Liveness probe failed: exit status 1");
      assertThat(changes).contains(ProbeManagerTest.UID);
    }
  }
}
