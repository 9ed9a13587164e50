package dev.skiff.kubelet.pod;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.kubelet.cri.CriClient;
import dev.skiff.kubelet.cri.v1.ContainerState;
import dev.skiff.kubelet.pod.FakeRuntimeService.FakeContainer;
import dev.skiff.kubelet.pod.PodTestFakes.FakeHooks;
import dev.skiff.kubelet.pod.PodTestFakes.FakePodApi;
import dev.skiff.kubelet.pod.PodTestFakes.FakeProbes;
import dev.skiff.kubelet.pod.PodTestFakes.FakeRuntimeConfig;
import dev.skiff.kubelet.pod.PodTestFakes.RecordingEvents;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CriPodSyncerTest {
  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
  private static final String IMAGE = "registry.local:5000/app:1.0";

  @TempDir Path dir;

  private FakeClock clock;
  private FakeRuntimeService runtime;
  private CriClient cri;
  private FakeRuntimeConfig config;
  private FakeProbes probes;
  private FakeHooks hooks;
  private RecordingEvents events;
  private FakePodApi api;
  private Map<String, Secret> secrets;
  private List<String> woken;
  private CriPodSyncer syncer;

  @BeforeEach
  void setUp() {
    clock = new FakeClock(T0);
    runtime = new FakeRuntimeService(clock);
    runtime.images.add(IMAGE);
    cri = runtime.client();
    config = new FakeRuntimeConfig(dir);
    probes = new FakeProbes();
    hooks = new FakeHooks();
    events = new RecordingEvents();
    api = new FakePodApi();
    secrets = new java.util.concurrent.ConcurrentHashMap<>();
    woken = new CopyOnWriteArrayList<>();
    syncer =
        new CriPodSyncer(
            new CriPodSyncer.Dependencies(
                cri,
                config,
                probes,
                hooks,
                events,
                api,
                new PullSecrets((ns, name) -> secrets.get(ns + "/" + name)),
                clock,
                List.of("192.168.1.10"),
                "containerd",
                Duration.ofMinutes(1)),
            woken::add);
  }

  @AfterEach
  void tearDown() {
    cri.close();
    runtime.close();
  }

  private static PodBuilder podBuilder(String restartPolicy) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("p")
        .withNamespace("default")
        .withUid("u1")
        .endMetadata()
        .withNewSpec()
        .withNodeName("n1")
        .withRestartPolicy(restartPolicy)
        .withTerminationGracePeriodSeconds(20L)
        .endSpec();
  }

  private static Pod pod(String restartPolicy, String image) {
    return podBuilder(restartPolicy)
        .editSpec()
        .addNewContainer()
        .withName("app")
        .withImage(image)
        .endContainer()
        .endSpec()
        .build();
  }

  private static ContainerStatus status(PodStatus status, String name) {
    return status.getContainerStatuses().stream()
        .filter(s -> s.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static ContainerStatus initStatus(PodStatus status, String name) {
    return status.getInitContainerStatuses().stream()
        .filter(s -> s.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void firstSyncCreatesSandboxStartsContainerAndReportsRunning() {
    Pod pod = pod("Always", IMAGE);

    PodSyncer.SyncResult result = syncer.syncPod(pod);

    assertThat(result.finished()).isFalse();
    assertThat(runtime.calls)
        .containsSubsequence("RunPodSandbox", "CreateContainer app", "StartContainer app");
    assertThat(config.volumeSetUps).containsExactly("u1");
    assertThat(events.reasons()).containsExactly("Pulled", "Created", "Started");
    assertThat(events.messages("Pulled"))
        .containsExactly("Container image \"" + IMAGE + "\" already present on machine");
    assertThat(events.messages("Created")).containsExactly("Created container app");
    assertThat(events.messages("Started")).containsExactly("Started container app");
    PodStatus status = api.last();
    assertThat(status.getPhase()).isEqualTo("Running");
    assertThat(status.getPodIP()).isEqualTo("10.88.0.1");
    assertThat(status.getPodIPs()).hasSize(2);
    assertThat(status.getHostIP()).isEqualTo("192.168.1.10");
    ContainerStatus app = status(status, "app");
    FakeContainer created = runtime.running("app");
    assertThat(app.getContainerID()).isEqualTo("containerd://" + created.id);
    assertThat(app.getState().getRunning()).isNotNull();
    assertThat(app.getReady()).isTrue();
    assertThat(app.getStarted()).isTrue();
    assertThat(app.getRestartCount()).isZero();
    assertThat(app.getImageID()).startsWith("sha256:");
    assertThat(created.config.getAnnotationsMap())
        .containsEntry("io.kubernetes.container.restartCount", "0")
        .containsEntry("io.kubernetes.container.terminationMessagePath", "/dev/termination-log");
    assertThat(created.config.getLabelsMap())
        .containsEntry("io.kubernetes.pod.uid", "u1")
        .containsEntry("io.kubernetes.container.name", "app");
    assertThat(probes.synced).contains("u1");
  }

  @Test
  void statusIsWrittenOnlyWhenItChanges() {
    Pod pod = pod("Always", IMAGE);
    syncer.syncPod(pod);
    syncer.syncPod(pod);
    syncer.syncPod(pod);
    assertThat(api.statuses).hasSize(1);

    probes.notReady.add("app");
    syncer.syncPod(pod);
    assertThat(api.statuses).hasSize(2);
    assertThat(status(api.last(), "app").getReady()).isFalse();
    assertThat(api.last().getConditions())
        .anySatisfy(
            c -> {
              assertThat(c.getType()).isEqualTo("Ready");
              assertThat(c.getStatus()).isEqualTo("False");
              assertThat(c.getReason()).isEqualTo("ContainersNotReady");
            });
  }

  @Test
  void pullPolicyAlwaysPullsAndReportsPullingAndPulled() {
    Pod pod = pod("Always", "registry.local:5000/app"); // no tag: Always
    syncer.syncPod(pod);

    assertThat(runtime.calls).contains("PullImage registry.local:5000/app");
    assertThat(events.messages("Pulling"))
        .containsExactly("Pulling image \"registry.local:5000/app\"");
    assertThat(events.messages("Pulled"))
        .singleElement()
        .asString()
        .startsWith("Successfully pulled image \"registry.local:5000/app\" in ")
        .endsWith("including waiting). Image size: 1234 bytes.");
  }

  @Test
  void pullPolicyNeverWithMissingImageIsErrImageNeverPull() {
    Pod pod =
        podBuilder("Always")
            .editSpec()
            .addNewContainer()
            .withName("app")
            .withImage("missing:1")
            .withImagePullPolicy("Never")
            .endContainer()
            .endSpec()
            .build();

    syncer.syncPod(pod);

    ContainerStatus app = status(api.last(), "app");
    assertThat(app.getState().getWaiting().getReason()).isEqualTo("ErrImageNeverPull");
    assertThat(app.getState().getWaiting().getMessage())
        .isEqualTo("Container image \"missing:1\" is not present with pull policy of Never");
    assertThat(events.messages("ErrImageNeverPull"))
        .containsExactly("Container image \"missing:1\" is not present with pull policy of Never");
    assertThat(runtime.pulls).isEmpty();
  }

  @Test
  void failedPullIsErrImagePullThenImagePullBackOffThenRetried() {
    runtime.pullFailures.put(
        "nope:1", Status.NOT_FOUND.withDescription("failed to resolve reference \"nope:1\""));
    Pod pod = pod("Always", "nope:1");

    PodSyncer.SyncResult first = syncer.syncPod(pod);
    ContainerStatus app = status(api.last(), "app");
    assertThat(app.getState().getWaiting().getReason()).isEqualTo("ErrImagePull");
    assertThat(app.getState().getWaiting().getMessage())
        .isEqualTo(
            "Failed to pull image \"nope:1\": rpc error: code = NotFound desc = failed to"
                + " resolve reference \"nope:1\"");
    assertThat(events.messages("Failed"))
        .containsExactly(
            "Failed to pull image \"nope:1\": rpc error: code = NotFound desc = failed to resolve"
                + " reference \"nope:1\"",
            "Error: ErrImagePull");
    assertThat(first.resyncAfter()).isEqualTo(Duration.ofSeconds(10));

    clock.advance(Duration.ofSeconds(5));
    syncer.syncPod(pod);
    app = status(api.last(), "app");
    assertThat(app.getState().getWaiting().getReason()).isEqualTo("ImagePullBackOff");
    assertThat(app.getState().getWaiting().getMessage())
        .isEqualTo("Back-off pulling image \"nope:1\"");
    assertThat(events.messages("BackOff")).containsExactly("Back-off pulling image \"nope:1\"");
    assertThat(runtime.pulls).hasSize(1);

    clock.advance(Duration.ofSeconds(6));
    runtime.pullFailures.clear();
    syncer.syncPod(pod);
    assertThat(runtime.pulls).hasSize(2);
    assertThat(status(api.last(), "app").getState().getRunning()).isNotNull();
  }

  @Test
  void imagePullSecretsBecomeCriAuthConfig() {
    String auth = Base64.getEncoder().encodeToString("bob:s3cret".getBytes(StandardCharsets.UTF_8));
    String json = "{\"auths\":{\"registry.local:5000\":{\"auth\":\"" + auth + "\"}}}";
    secrets.put(
        "default/regcred",
        new SecretBuilder()
            .withNewMetadata()
            .withName("regcred")
            .endMetadata()
            .withType("kubernetes.io/dockerconfigjson")
            .addToData(
                ".dockerconfigjson",
                Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8)))
            .build());
    Pod pod =
        podBuilder("Always")
            .editSpec()
            .addNewImagePullSecret("regcred")
            .addNewContainer()
            .withName("app")
            .withImage("registry.local:5000/private:latest")
            .endContainer()
            .endSpec()
            .build();

    syncer.syncPod(pod);

    assertThat(runtime.pulls).hasSize(1);
    assertThat(runtime.pulls.getFirst().getAuth().getUsername()).isEqualTo("bob");
    assertThat(runtime.pulls.getFirst().getAuth().getPassword()).isEqualTo("s3cret");
    assertThat(runtime.pulls.getFirst().getAuth().getServerAddress())
        .isEqualTo("registry.local:5000");
  }

  @Test
  void crashingContainerBacksOffTenSecondsDoublingToFiveMinutes() {
    runtime.exitAtStart("app", 1);
    Pod pod = pod("Always", IMAGE);

    syncer.syncPod(pod); // first run, exits at once
    ContainerStatus app = status(api.last(), "app");
    assertThat(app.getState().getTerminated().getExitCode()).isEqualTo(1);
    assertThat(app.getState().getTerminated().getReason()).isEqualTo("Error");
    assertThat(api.last().getPhase()).isEqualTo("Running");

    clock.advance(Duration.ofSeconds(1));
    syncer.syncPod(pod); // first restart is immediate and arms 10 s
    assertThat(runtime.attempts("app")).hasSize(2);

    clock.advance(Duration.ofSeconds(1));
    PodSyncer.SyncResult result = syncer.syncPod(pod);
    assertThat(runtime.attempts("app")).hasSize(2);
    app = status(api.last(), "app");
    assertThat(app.getState().getWaiting().getReason()).isEqualTo("CrashLoopBackOff");
    assertThat(app.getState().getWaiting().getMessage())
        .isEqualTo("back-off 10s restarting failed container=app pod=p_default(u1)");
    assertThat(app.getLastState().getTerminated().getExitCode()).isEqualTo(1);
    assertThat(app.getRestartCount()).isEqualTo(1);
    assertThat(events.messages("BackOff"))
        .containsExactly("Back-off restarting failed container app in pod p_default(u1)");
    assertThat(result.resyncAfter()).isEqualTo(Duration.ofSeconds(9));

    List<String> expected = List.of("20s", "40s", "1m20s", "2m40s", "5m0s", "5m0s");
    for (String backoff : expected) {
      clock.advance(Duration.ofMinutes(5));
      syncer.syncPod(pod); // restarts, exits at once
      syncer.syncPod(pod);
      assertThat(status(api.last(), "app").getState().getWaiting().getMessage())
          .isEqualTo("back-off " + backoff + " restarting failed container=app pod=p_default(u1)");
    }
    assertThat(status(api.last(), "app").getRestartCount()).isEqualTo(1 + expected.size());
    // dead attempts beyond the current and the previous one are removed from the runtime
    assertThat(runtime.attempts("app")).hasSize(2);
    assertThat(status(api.last(), "app").getLastState().getTerminated().getExitCode()).isEqualTo(1);
  }

  @Test
  void backOffResetsAfterTenMinutesOfRunning() {
    runtime.exitAtStart("app", 1);
    Pod pod = pod("Always", IMAGE);
    syncer.syncPod(pod);
    syncer.syncPod(pod); // immediate restart arms 10 s
    clock.advance(Duration.ofSeconds(11));
    syncer.syncPod(pod); // restart arms 20 s
    runtime.exitAtStart.clear();
    clock.advance(Duration.ofSeconds(21));
    syncer.syncPod(pod); // restarts and keeps running
    assertThat(status(api.last(), "app").getState().getRunning()).isNotNull();

    clock.advance(Duration.ofMinutes(11));
    runtime.exit("app", 2);
    syncer.syncPod(pod);
    FakeContainer latest = runtime.attempts("app").getLast();
    assertThat(latest.state).isEqualTo(ContainerState.CONTAINER_RUNNING);
    runtime.exit("app", 2);
    clock.advance(Duration.ofSeconds(1));
    syncer.syncPod(pod);
    assertThat(status(api.last(), "app").getState().getWaiting().getMessage())
        .isEqualTo("back-off 10s restarting failed container=app pod=p_default(u1)");
  }

  @Test
  void restartPolicyNeverFailsThePodAndOnFailureSucceedsOnExitZero() {
    runtime.exitAtStart("app", 3);
    PodSyncer.SyncResult never = syncer.syncPod(pod("Never", IMAGE));
    assertThat(api.last().getPhase()).isEqualTo("Failed");
    assertThat(never.finished()).isTrue();
    assertThat(syncer.syncPod(pod("Never", IMAGE)).finished()).isTrue();
    assertThat(runtime.attempts("app")).hasSize(1);
  }

  @Test
  void restartPolicyOnFailureRestartsFailuresButNotSuccess() {
    runtime.exitAtStart("app", 3);
    Pod pod = pod("OnFailure", IMAGE);
    syncer.syncPod(pod);
    syncer.syncPod(pod);
    assertThat(runtime.attempts("app")).hasSize(2);

    runtime.exitAtStart("app", 0);
    clock.advance(Duration.ofSeconds(11));
    syncer.syncPod(pod);
    PodSyncer.SyncResult result = syncer.syncPod(pod);
    assertThat(status(api.last(), "app").getRestartCount()).isEqualTo(2);
    assertThat(api.last().getPhase()).isEqualTo("Succeeded");
    assertThat(result.finished()).isTrue();
    assertThat(status(api.last(), "app").getState().getTerminated().getReason())
        .isEqualTo("Completed");
  }

  @Test
  void oomKilledReasonComesFromTheRuntime() {
    Pod pod = pod("Never", IMAGE);
    syncer.syncPod(pod);
    runtime.oomKill("app");
    syncer.syncPod(pod);
    ContainerStatus app = status(api.last(), "app");
    assertThat(app.getState().getTerminated().getReason()).isEqualTo("OOMKilled");
    assertThat(app.getState().getTerminated().getExitCode()).isEqualTo(137);
    assertThat(api.last().getPhase()).isEqualTo("Failed");
  }

  @Test
  void terminationMessageIsReadFromTheMountedFile() {
    Pod pod = pod("Never", IMAGE);
    syncer.syncPod(pod);
    config.write(config.terminationFile("app", 0), "bye from app");
    runtime.exit("app", 0);
    syncer.syncPod(pod);
    assertThat(status(api.last(), "app").getState().getTerminated().getMessage())
        .isEqualTo("bye from app");
  }

  @Test
  void fallbackToLogsOnErrorUsesTheLogTail() {
    Pod pod =
        podBuilder("Never")
            .editSpec()
            .addNewContainer()
            .withName("app")
            .withImage(IMAGE)
            .withTerminationMessagePolicy("FallbackToLogsOnError")
            .endContainer()
            .endSpec()
            .build();
    syncer.syncPod(pod);
    config.write(
        config.logFile("app", 0),
        "2026-11-25T10:00:00.1Z stdout F starting\n"
            + "2026-11-25T10:00:00.2Z stderr P panic: \n"
            + "2026-11-25T10:00:00.3Z stderr F disk full\n");
    runtime.exit("app", 2);
    syncer.syncPod(pod);
    assertThat(status(api.last(), "app").getState().getTerminated().getMessage())
        .isEqualTo("starting\npanic: disk full\n");
  }

  @Test
  void configErrorIsCreateContainerConfigError() {
    config.configErrors.put(
        "app",
        new PodConfigException("CreateContainerConfigError", "configmap \"settings\" not found"));
    syncer.syncPod(pod("Always", IMAGE));
    ContainerStatus app = status(api.last(), "app");
    assertThat(app.getState().getWaiting().getReason()).isEqualTo("CreateContainerConfigError");
    assertThat(app.getState().getWaiting().getMessage())
        .isEqualTo("configmap \"settings\" not found");
    assertThat(events.messages("Failed"))
        .containsExactly("Error: configmap \"settings\" not found");

    config.configErrors.clear();
    syncer.syncPod(pod("Always", IMAGE));
    assertThat(status(api.last(), "app").getState().getRunning()).isNotNull();
  }

  @Test
  void runAsNonRootIsCheckedAgainstTheImageUser() {
    Pod pod =
        new PodBuilder(pod("Always", IMAGE))
            .editSpec()
            .withNewSecurityContext()
            .withRunAsNonRoot(true)
            .endSecurityContext()
            .endSpec()
            .build();
    syncer.syncPod(pod);
    ContainerStatus app = status(api.last(), "app");
    assertThat(app.getState().getWaiting().getReason()).isEqualTo("CreateContainerConfigError");
    assertThat(app.getState().getWaiting().getMessage())
        .isEqualTo(
            "container has runAsNonRoot and image will run as root (pod: \"p_default(u1)\","
                + " container: app)");
    assertThat(runtime.containers).isEmpty();

    runtime.imageUsers.put(IMAGE, "nginx");
    syncer.syncPod(pod);
    assertThat(status(api.last(), "app").getState().getWaiting().getMessage())
        .isEqualTo(
            "container has runAsNonRoot and image has non-numeric user (nginx), cannot verify"
                + " user is non-root (pod: \"p_default(u1)\", container: app)");
    assertThat(events.messages("Failed"))
        .last()
        .isEqualTo(
            "Error: container has runAsNonRoot and image has non-numeric user (nginx), cannot"
                + " verify user is non-root (pod: \"p_default(u1)\", container: app)");

    runtime.imageUsers.put(IMAGE, "1000");
    syncer.syncPod(pod);
    assertThat(status(api.last(), "app").getState().getRunning()).isNotNull();
  }

  @Test
  void livenessKillUsesTheProbesOwnGracePeriod() {
    Pod pod =
        new PodBuilder(pod("Always", IMAGE))
            .editSpec()
            .editFirstContainer()
            .withNewLivenessProbe()
            .withNewExec()
            .withCommand("true")
            .endExec()
            .withTerminationGracePeriodSeconds(5L)
            .endLivenessProbe()
            .endContainer()
            .endSpec()
            .build();
    syncer.syncPod(pod);
    FakeContainer first = runtime.running("app");
    syncer.restart("u1", "app", first.id, "Container app failed liveness probe, will be restarted");
    syncer.syncPod(pod);
    assertThat(hooks.preStops).containsExactly("app 5");
    assertThat(runtime.calls).contains("StopContainer app 5");

    // a kill for another reason keeps the pod's grace period
    syncer.syncPod(pod);
    FakeContainer second = runtime.running("app");
    syncer.restart("u1", "app", second.id, "Container app failed startup probe, will be restarted");
    syncer.syncPod(pod);
    assertThat(runtime.calls).contains("StopContainer app 20");
  }

  @Test
  void waitingReasonIsContainerCreatingBeforeVolumesMount() {
    config.mountError = new PodConfigException("FailedMount", "secret \"tls\" not found");
    syncer.syncPod(pod("Always", IMAGE));
    assertThat(events.messages("FailedMount")).containsExactly("secret \"tls\" not found");
    assertThat(status(api.last(), "app").getState().getWaiting().getReason())
        .isEqualTo("ContainerCreating");
    assertThat(runtime.calls).doesNotContain("CreateContainer app");
  }

  @Test
  void failedSandboxIsReportedAndRetried() {
    runtime.failSandbox.add("u1");
    syncer.syncPod(pod("Always", IMAGE));
    assertThat(events.messages("FailedCreatePodSandBox"))
        .containsExactly(
            "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup"
                + " network for sandbox");
    assertThat(api.last().getPhase()).isEqualTo("Pending");

    runtime.failSandbox.clear();
    syncer.syncPod(pod("Always", IMAGE));
    assertThat(status(api.last(), "app").getState().getRunning()).isNotNull();
  }

  @Test
  void deadSandboxIsRecreatedWithTheNextAttemptAndContainersRestart() {
    Pod pod = pod("Always", IMAGE);
    syncer.syncPod(pod);
    runtime.killSandbox("u1");

    syncer.syncPod(pod);

    assertThat(events.messages("SandboxChanged"))
        .containsExactly("Pod sandbox changed, it will be killed and re-created.");
    assertThat(runtime.sandboxes.values())
        .extracting(s -> s.config.getMetadata().getAttempt())
        .containsExactlyInAnyOrder(0, 1);
    ContainerStatus app = status(api.last(), "app");
    assertThat(app.getState().getRunning()).isNotNull();
    assertThat(app.getRestartCount()).isEqualTo(1);
    assertThat(api.last().getPodIP()).isEqualTo("10.88.0.3");
  }

  @Test
  void initContainersRunInOrderBeforeTheContainers() {
    Pod pod =
        podBuilder("Always")
            .editSpec()
            .addNewInitContainer()
            .withName("init1")
            .withImage(IMAGE)
            .endInitContainer()
            .addNewInitContainer()
            .withName("init2")
            .withImage(IMAGE)
            .endInitContainer()
            .addNewContainer()
            .withName("app")
            .withImage(IMAGE)
            .endContainer()
            .endSpec()
            .build();

    syncer.syncPod(pod);
    assertThat(runtime.calls)
        .contains("StartContainer init1")
        .doesNotContain("StartContainer init2");
    assertThat(status(api.last(), "app").getState().getWaiting().getReason())
        .isEqualTo("PodInitializing");
    assertThat(api.last().getPhase()).isEqualTo("Pending");

    runtime.exit("init1", 1);
    syncer.syncPod(pod); // failed init container is restarted (restartPolicy Always)
    assertThat(runtime.attempts("init1")).hasSize(2);
    assertThat(runtime.calls).doesNotContain("StartContainer init2");

    runtime.exit("init1", 0);
    syncer.syncPod(pod);
    assertThat(runtime.calls).contains("StartContainer init2").doesNotContain("StartContainer app");

    runtime.exit("init2", 0);
    syncer.syncPod(pod);
    assertThat(runtime.calls).contains("StartContainer app");
    PodStatus status = api.last();
    assertThat(status.getPhase()).isEqualTo("Running");
    assertThat(initStatus(status, "init1").getState().getTerminated().getReason())
        .isEqualTo("Completed");
    assertThat(initStatus(status, "init1").getRestartCount()).isEqualTo(1);
    // a finished init container is ready, and its runs name their containers
    assertThat(initStatus(status, "init1").getReady()).isTrue();
    assertThat(initStatus(status, "init1").getState().getTerminated().getContainerID())
        .isEqualTo(initStatus(status, "init1").getContainerID())
        .startsWith("containerd://");
    assertThat(initStatus(status, "init1").getLastState().getTerminated().getContainerID())
        .startsWith("containerd://")
        .isNotEqualTo(initStatus(status, "init1").getContainerID());
  }

  @Test
  void failedInitContainerWithRestartPolicyNeverFailsThePod() {
    runtime.exitAtStart("init1", 1);
    Pod pod =
        podBuilder("Never")
            .editSpec()
            .addNewInitContainer()
            .withName("init1")
            .withImage(IMAGE)
            .endInitContainer()
            .addNewContainer()
            .withName("app")
            .withImage(IMAGE)
            .endContainer()
            .endSpec()
            .build();
    syncer.syncPod(pod);
    PodSyncer.SyncResult result = syncer.syncPod(pod);
    assertThat(api.last().getPhase()).isEqualTo("Failed");
    assertThat(result.finished()).isTrue();
    assertThat(runtime.calls).doesNotContain("StartContainer app");
  }

  @Test
  void sidecarStartsBeforeTheNextInitContainerAndIsStoppedWhenThePodCompletes() {
    Pod pod =
        podBuilder("Never")
            .editSpec()
            .addNewInitContainer()
            .withName("proxy")
            .withImage(IMAGE)
            .withRestartPolicy("Always")
            .endInitContainer()
            .addNewInitContainer()
            .withName("migrate")
            .withImage(IMAGE)
            .endInitContainer()
            .addNewContainer()
            .withName("app")
            .withImage(IMAGE)
            .endContainer()
            .endSpec()
            .build();

    probes.notStarted.add("proxy");
    syncer.syncPod(pod);
    syncer.syncPod(pod);
    assertThat(runtime.calls)
        .contains("StartContainer proxy")
        .doesNotContain("StartContainer migrate");

    probes.notStarted.clear(); // startup probe passed
    syncer.syncPod(pod);
    assertThat(runtime.calls).contains("StartContainer migrate");

    runtime.exit("migrate", 0);
    syncer.syncPod(pod);
    assertThat(runtime.calls).contains("StartContainer app");
    assertThat(runtime.running("proxy")).isNotNull();

    runtime.exit("proxy", 1); // a sidecar is restarted whatever the pod's restartPolicy
    syncer.syncPod(pod);
    assertThat(runtime.attempts("proxy")).hasSize(2);

    runtime.exit("app", 0);
    syncer.syncPod(pod); // the last regular container finished: sidecars are stopped
    assertThat(runtime.calls).anyMatch(c -> c.startsWith("StopContainer proxy"));
    assertThat(api.last().getPhase()).isEqualTo("Succeeded");
  }

  @Test
  void livenessFailureKillsTheContainerWhichThenRestarts() {
    Pod pod = pod("Always", IMAGE);
    syncer.syncPod(pod);
    FakeContainer first = runtime.running("app");

    syncer.restart("u1", "app", first.id, "Container app failed liveness probe, will be restarted");
    assertThat(woken).containsExactly("u1");
    syncer.syncPod(pod);

    assertThat(events.messages("Killing"))
        .containsExactly("Container app failed liveness probe, will be restarted");
    assertThat(hooks.preStops).containsExactly("app 20");
    assertThat(first.state).isEqualTo(ContainerState.CONTAINER_EXITED);
    syncer.syncPod(pod);
    assertThat(runtime.attempts("app")).hasSize(2);
    assertThat(status(api.last(), "app").getRestartCount()).isEqualTo(1);
  }

  @Test
  void changedImageRestartsTheContainer() {
    syncer.syncPod(pod("Always", IMAGE));
    runtime.images.add("registry.local:5000/app:2.0");
    Pod updated = pod("Always", "registry.local:5000/app:2.0");
    syncer.syncPod(updated);
    assertThat(events.messages("Killing"))
        .containsExactly("Container app definition changed, will be restarted");
    syncer.syncPod(updated);
    assertThat(runtime.running("app").config.getImage().getImage())
        .isEqualTo("registry.local:5000/app:2.0");
  }

  @Test
  void terminationRunsPreStopStopsWithTheGracePeriodAndConfirmsTheDeletion() {
    Pod pod = pod("Always", IMAGE);
    syncer.syncPod(pod);
    Pod deleting =
        new PodBuilder(pod)
            .editMetadata()
            .withDeletionTimestamp("2026-11-25T10:00:05Z")
            .withDeletionGracePeriodSeconds(15L)
            .endMetadata()
            .build();

    syncer.terminatePod(deleting, PodWorkers.gracePeriod(deleting));

    assertThat(hooks.preStops).containsExactly("app 15");
    assertThat(runtime.calls).contains("StopContainer app 15", "StopPodSandbox");
    assertThat(events.messages("Killing")).containsExactly("Stopping container app");
    assertThat(api.last().getPhase()).isEqualTo("Failed");
    assertThat(probes.removed).contains("u1");

    syncer.terminatedPod(deleting, true, false);
    assertThat(runtime.containers).isEmpty();
    assertThat(runtime.sandboxes).isEmpty();
    assertThat(config.tornDown).containsExactly("u1");
    assertThat(api.confirmed).containsExactly("default/p/u1");
  }

  @Test
  void podGoneFromTheApiIsRemovedWithoutConfirmation() {
    Pod pod = pod("Always", IMAGE);
    syncer.syncPod(pod);
    syncer.terminatePod(pod, Duration.ofSeconds(30));
    syncer.terminatedPod(pod, true, true);
    assertThat(runtime.containers).isEmpty();
    assertThat(api.confirmed).isEmpty();
  }

  @Test
  void orphanSandboxesAndContainersAreRemoved() {
    syncer.syncPod(pod("Always", IMAGE));
    syncer.removeOrphan("u1");
    assertThat(runtime.containers).isEmpty();
    assertThat(runtime.sandboxes).isEmpty();
    assertThat(config.tornDown).containsExactly("u1");
  }

  @Test
  void finishedPodIsNotSyncedAgain() {
    Pod done =
        new PodBuilder(pod("Never", IMAGE))
            .withNewStatus()
            .withPhase("Succeeded")
            .endStatus()
            .build();
    assertThat(syncer.syncPod(done).finished()).isTrue();
    assertThat(runtime.calls).isEmpty();
  }

  @Test
  void terminalPhaseInTheApiIsNeverRewritten() {
    Pod done =
        new PodBuilder(pod("Always", IMAGE))
            .withNewStatus()
            .withPhase("Succeeded")
            .endStatus()
            .editMetadata()
            .withDeletionTimestamp("2026-11-25T10:00:05Z")
            .endMetadata()
            .build();
    syncer.terminatePod(done, Duration.ofSeconds(30));
    syncer.terminatedPod(done, true, false);
    assertThat(api.statuses).isEmpty();
    assertThat(api.confirmed).containsExactly("default/p/u1");
  }

  @Test
  void activeDeadlineFailsThePodAndStopsItsContainers() {
    Pod pod =
        podBuilder("Always")
            .editSpec()
            .withActiveDeadlineSeconds(30L)
            .addNewContainer()
            .withName("app")
            .withImage(IMAGE)
            .endContainer()
            .endSpec()
            .build();
    PodSyncer.SyncResult first = syncer.syncPod(pod);
    assertThat(first.resyncAfter()).isEqualTo(Duration.ofSeconds(30));

    clock.advance(Duration.ofSeconds(30));
    PodSyncer.SyncResult result = syncer.syncPod(pod);

    assertThat(result.finished()).isTrue();
    assertThat(api.last().getPhase()).isEqualTo("Failed");
    assertThat(api.last().getPodIP()).isEqualTo("10.88.0.1"); // kept after the sandbox stopped
    assertThat(api.last().getReason()).isEqualTo("DeadlineExceeded");
    assertThat(api.last().getMessage())
        .isEqualTo("Pod was active on the node longer than the specified deadline");
    assertThat(events.messages("DeadlineExceeded")).hasSize(1);
    assertThat(runtime.calls).contains("StopContainer app 20", "StopPodSandbox");
  }

  @Test
  void evictedPodStopsAtOnceAndFailsWithReasonEvicted() {
    Pod pod = pod("Always", IMAGE);
    syncer.syncPod(pod);
    String message =
        "The node was low on resource: memory. Threshold quantity: 100Mi, available: 50Mi. ";

    syncer.evict("u1", message);
    assertThat(woken).containsExactly("u1");
    PodSyncer.SyncResult result = syncer.syncPod(pod);

    assertThat(result.finished()).isTrue();
    assertThat(runtime.calls).contains("StopContainer app 2", "StopPodSandbox");
    PodStatus status = api.last();
    assertThat(status.getPhase()).isEqualTo("Failed");
    assertThat(status.getReason()).isEqualTo("Evicted");
    assertThat(status.getMessage()).isEqualTo(message);
    assertThat(status.getConditions())
        .anySatisfy(
            c -> {
              assertThat(c.getType()).isEqualTo("DisruptionTarget");
              assertThat(c.getStatus()).isEqualTo("True");
              assertThat(c.getReason()).isEqualTo("TerminationByKubelet");
              assertThat(c.getMessage()).isEqualTo(message);
            });
    assertThat(status(status, "app").getState().getTerminated()).isNotNull();
  }

  @Test
  void hostNetworkPodReportsTheHostsAddresses() {
    Pod pod =
        new PodBuilder(pod("Always", IMAGE)).editSpec().withHostNetwork(true).endSpec().build();
    runtime.hostNetworkSandboxes = true;
    syncer.syncPod(pod);
    assertThat(api.last().getPodIP()).isEqualTo("192.168.1.10");
  }

  @Test
  void failedPostStartHookKillsTheContainer() {
    hooks.postStartFailures.put(
        "app",
        new PodConfigException(
            "FailedPostStartHook",
            "Exec lifecycle hook ([/bin/false]) for Container \"app\" failed"));
    syncer.syncPod(pod("Always", IMAGE));

    assertThat(events.messages("FailedPostStartHook"))
        .containsExactly("Exec lifecycle hook ([/bin/false]) for Container \"app\" failed");
    assertThat(events.messages("Killing")).containsExactly("FailedPostStartHook");
    assertThat(runtime.attempts("app").getFirst().state).isEqualTo(ContainerState.CONTAINER_EXITED);
  }

  @Test
  void containerSpecHelpersMatchKubernetesDefaults() {
    assertThat(ImagePuller.pullPolicy(new ContainerBuilder().withImage("busybox").build()))
        .isEqualTo("Always");
    assertThat(ImagePuller.pullPolicy(new ContainerBuilder().withImage("busybox:latest").build()))
        .isEqualTo("Always");
    assertThat(
            ImagePuller.pullPolicy(
                new ContainerBuilder().withImage("localhost:5000/busybox").build()))
        .isEqualTo("Always");
    assertThat(ImagePuller.pullPolicy(new ContainerBuilder().withImage("busybox:1.36").build()))
        .isEqualTo("IfNotPresent");
    assertThat(
            ImagePuller.pullPolicy(new ContainerBuilder().withImage("busybox@sha256:abc").build()))
        .isEqualTo("IfNotPresent");
  }
}
