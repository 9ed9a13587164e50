package dev.skiff.kubelet.pod;

import dev.skiff.client.events.EventRecorder;
import dev.skiff.kubelet.cri.CriLabels;
import dev.skiff.kubelet.cri.v1.ContainerConfig;
import dev.skiff.kubelet.cri.v1.ContainerMetadata;
import dev.skiff.kubelet.cri.v1.ImageSpec;
import dev.skiff.kubelet.cri.v1.Mount;
import dev.skiff.kubelet.cri.v1.PodSandboxConfig;
import dev.skiff.kubelet.cri.v1.PodSandboxMetadata;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Hand-written fakes of the pod workers' seams. */
final class PodTestFakes {
  private PodTestFakes() {}

  /** One recorded event. */
  record Recorded(String type, String reason, String message) {}

  static final class RecordingEvents implements EventRecorder {
    final List<Recorded> events = new CopyOnWriteArrayList<>();

    @Override
    public void event(HasMetadata involved, String type, String reason, String message) {
      events.add(new Recorded(type, reason, message));
    }

    List<String> reasons() {
      return events.stream().map(Recorded::reason).toList();
    }

    List<String> messages(String reason) {
      return events.stream().filter(e -> e.reason().equals(reason)).map(Recorded::message).toList();
    }

    void clear() {
      events.clear();
    }
  }

  /**
   * Sandbox and container configs with the CRI labels; each container gets its termination message
   * file mounted from a directory of the test and a log file beside it.
   */
  static final class FakeRuntimeConfig implements PodRuntimeConfig {
    final Path dir;
    final Map<String, PodConfigException> configErrors = new ConcurrentHashMap<>();
    volatile PodConfigException mountError;
    volatile PodConfigException sandboxError;
    final List<String> volumeSetUps = new CopyOnWriteArrayList<>();
    final List<String> tornDown = new CopyOnWriteArrayList<>();

    FakeRuntimeConfig(Path dir) {
      this.dir = dir;
    }

    @Override
    public PodSandboxConfig sandboxConfig(Pod pod, int attempt) throws PodConfigException {
      if (sandboxError != null) {
        throw sandboxError;
      }
      return PodSandboxConfig.newBuilder()
          .setMetadata(
              PodSandboxMetadata.newBuilder()
                  .setName(pod.getMetadata().getName())
                  .setNamespace(pod.getMetadata().getNamespace())
                  .setUid(pod.getMetadata().getUid())
                  .setAttempt(attempt))
          .setHostname(pod.getMetadata().getName())
          .putLabels(CriLabels.POD_UID, pod.getMetadata().getUid())
          .putLabels(CriLabels.POD_NAME, pod.getMetadata().getName())
          .putLabels(CriLabels.POD_NAMESPACE, pod.getMetadata().getNamespace())
          .build();
    }

    @Override
    public void setUpVolumes(Pod pod) throws PodConfigException {
      if (mountError != null) {
        throw mountError;
      }
      volumeSetUps.add(pod.getMetadata().getUid());
    }

    @Override
    public ContainerConfig containerConfig(
        Pod pod, Container container, PodSandboxConfig sandbox, String podIp, int restartCount)
        throws PodConfigException {
      PodConfigException error = configErrors.get(container.getName());
      if (error != null) {
        throw error;
      }
      String path =
          container.getTerminationMessagePath() == null
              ? "/dev/termination-log"
              : container.getTerminationMessagePath();
      return ContainerConfig.newBuilder()
          .setMetadata(
              ContainerMetadata.newBuilder().setName(container.getName()).setAttempt(restartCount))
          .setImage(ImageSpec.newBuilder().setImage(container.getImage()))
          .addMounts(
              Mount.newBuilder()
                  .setContainerPath(path)
                  .setHostPath(terminationFile(container.getName(), restartCount).toString()))
          .setLogPath(logFile(container.getName(), restartCount).toString())
          .build();
    }

    @Override
    public void tearDown(String podUid) {
      tornDown.add(podUid);
    }

    Path terminationFile(String container, int restartCount) {
      return dir.resolve(container + "-" + restartCount + ".termination");
    }

    Path logFile(String container, int restartCount) {
      return dir.resolve(container + "-" + restartCount + ".log");
    }

    void write(Path file, String content) {
      try {
        Files.writeString(file, content);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Probes that report what the test sets: ready and started default to true. */
  static final class FakeProbes implements ContainerProbes {
    final Set<String> notReady = ConcurrentHashMap.newKeySet();
    final Set<String> notStarted = ConcurrentHashMap.newKeySet();
    final List<String> synced = new CopyOnWriteArrayList<>();
    final List<String> removed = new CopyOnWriteArrayList<>();

    @Override
    public void sync(Pod pod, PodRuntimeStatus status) {
      synced.add(pod.getMetadata().getUid());
    }

    @Override
    public void removePod(String podUid) {
      removed.add(podUid);
    }

    @Override
    public boolean ready(String podUid, String containerName, String containerId) {
      return !notReady.contains(containerName);
    }

    @Override
    public boolean started(String podUid, String containerName, String containerId) {
      return !notStarted.contains(containerName);
    }
  }

  static final class FakeHooks implements ContainerHooks {
    final List<String> preStops = new CopyOnWriteArrayList<>();
    final Map<String, PodConfigException> postStartFailures = new ConcurrentHashMap<>();

    @Override
    public void postStart(Pod pod, Container container, String containerId, String podIp)
        throws PodConfigException {
      PodConfigException failure = postStartFailures.get(container.getName());
      if (failure != null) {
        throw failure;
      }
    }

    @Override
    public void preStop(
        Pod pod, Container container, String containerId, String podIp, Duration budget) {
      preStops.add(container.getName() + " " + budget.toSeconds());
    }
  }

  static final class FakePodApi implements PodApi {
    final List<PodStatus> statuses = new CopyOnWriteArrayList<>();
    final List<String> confirmed = new CopyOnWriteArrayList<>();
    volatile int failWith;

    @Override
    public void patchStatus(Pod pod, PodStatus status) {
      if (failWith != 0) {
        throw new KubernetesClientException("fake", failWith, null);
      }
      statuses.add(status);
    }

    @Override
    public void confirmDeletion(String namespace, String name, String uid) {
      confirmed.add(namespace + "/" + name + "/" + uid);
    }

    PodStatus last() {
      return statuses.getLast();
    }
  }
}
