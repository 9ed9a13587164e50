package dev.skiff.kubelet.pod;

import dev.skiff.kubelet.cri.CriClient;
import dev.skiff.kubelet.cri.CriLabels;
import dev.skiff.kubelet.cri.v1.ContainerFilter;
import dev.skiff.kubelet.cri.v1.ContainerStatus;
import dev.skiff.kubelet.cri.v1.ContainerStatusRequest;
import dev.skiff.kubelet.cri.v1.ListContainersRequest;
import dev.skiff.kubelet.cri.v1.ListPodSandboxRequest;
import dev.skiff.kubelet.cri.v1.Mount;
import dev.skiff.kubelet.cri.v1.PodSandbox;
import dev.skiff.kubelet.cri.v1.PodSandboxFilter;
import dev.skiff.kubelet.cri.v1.PodSandboxState;
import dev.skiff.kubelet.cri.v1.PodSandboxStatus;
import dev.skiff.kubelet.cri.v1.PodSandboxStatusRequest;
import dev.skiff.kubelet.pod.RuntimePod.RuntimeContainer;
import dev.skiff.kubelet.pod.RuntimePod.Sandbox;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Reads a pod's sandboxes and containers from CRI into a {@link RuntimePod}. */
final class CriPods {
  static final int MAX_TERMINATION_MESSAGE_BYTES = 4096;
  static final int FALLBACK_LOG_LINES = 80;
  static final int FALLBACK_LOG_BYTES = 2048;

  private final CriClient cri;

  CriPods(CriClient cri) {
    this.cri = cri;
  }

  RuntimePod inspect(String uid) {
    List<Sandbox> sandboxes = new ArrayList<>();
    for (PodSandbox s :
        cri.runtime()
            .listPodSandbox(
                ListPodSandboxRequest.newBuilder()
                    .setFilter(
                        PodSandboxFilter.newBuilder().putLabelSelector(CriLabels.POD_UID, uid))
                    .build())
            .getItemsList()) {
      boolean ready = s.getState() == PodSandboxState.SANDBOX_READY;
      List<String> ips = new ArrayList<>();
      if (ready) {
        try {
          PodSandboxStatus status =
              cri.runtime()
                  .podSandboxStatus(
                      PodSandboxStatusRequest.newBuilder().setPodSandboxId(s.getId()).build())
                  .getStatus();
          if (status.hasNetwork() && !status.getNetwork().getIp().isEmpty()) {
            ips.add(status.getNetwork().getIp());
            status.getNetwork().getAdditionalIpsList().forEach(ip -> ips.add(ip.getIp()));
          }
        } catch (RuntimeException e) {
          if (!CriErrors.isNotFound(e)) {
            throw e;
          }
          ready = false;
        }
      }
      sandboxes.add(
          new Sandbox(
              s.getId(), s.getMetadata().getAttempt(), ready, nanos(s.getCreatedAt()), ips));
    }
    List<RuntimeContainer> containers = new ArrayList<>();
    for (dev.skiff.kubelet.cri.v1.Container c :
        cri.runtime()
            .listContainers(
                ListContainersRequest.newBuilder()
                    .setFilter(
                        ContainerFilter.newBuilder().putLabelSelector(CriLabels.POD_UID, uid))
                    .build())
            .getContainersList()) {
      ContainerStatus status;
      try {
        status =
            cri.runtime()
                .containerStatus(
                    ContainerStatusRequest.newBuilder().setContainerId(c.getId()).build())
                .getStatus();
      } catch (RuntimeException e) {
        if (CriErrors.isNotFound(e)) {
          continue;
        }
        throw e;
      }
      containers.add(container(c.getPodSandboxId(), status));
    }
    return new RuntimePod(uid, sandboxes, containers);
  }

  static RuntimeContainer container(String sandboxId, ContainerStatus s) {
    RuntimePod.State state =
        switch (s.getState()) {
          case CONTAINER_CREATED -> RuntimePod.State.CREATED;
          case CONTAINER_RUNNING -> RuntimePod.State.RUNNING;
          case CONTAINER_EXITED -> RuntimePod.State.EXITED;
          default -> RuntimePod.State.UNKNOWN;
        };
    String name = s.getLabelsOrDefault(CriLabels.CONTAINER_NAME, s.getMetadata().getName());
    int restartCount =
        parseInt(
            s.getAnnotationsOrDefault(CriLabels.RESTART_COUNT, ""), s.getMetadata().getAttempt());
    String message = s.getMessage();
    if (state == RuntimePod.State.EXITED) {
      message = terminationMessage(s);
    }
    return new RuntimeContainer(
        s.getId(),
        sandboxId,
        name,
        restartCount,
        state,
        nanos(s.getCreatedAt()),
        s.getStartedAt() == 0 ? null : nanos(s.getStartedAt()),
        s.getFinishedAt() == 0 ? null : nanos(s.getFinishedAt()),
        s.getExitCode(),
        s.getReason(),
        message,
        s.getImage().getImage(),
        s.getImageRef(),
        s.getAnnotationsOrDefault(CriLabels.CONTAINER_HASH, ""));
  }

  /**
   * The runtime's message followed by what the container wrote to its terminationMessagePath (read
   * through the mount that backs it), or the tail of its log for FallbackToLogsOnError.
   */
  private static String terminationMessage(ContainerStatus s) {
    String path = s.getAnnotationsOrDefault(CriLabels.TERMINATION_MESSAGE_PATH, "");
    String policy = s.getAnnotationsOrDefault(CriLabels.TERMINATION_MESSAGE_POLICY, "File");
    String written = "";
    if (!path.isEmpty()) {
      for (Mount m : s.getMountsList()) {
        if (m.getContainerPath().equals(path)) {
          written = readHead(Path.of(m.getHostPath()), MAX_TERMINATION_MESSAGE_BYTES);
          break;
        }
      }
    }
    if (written.isEmpty()
        && "FallbackToLogsOnError".equals(policy)
        && s.getExitCode() != 0
        && !"ContainerCannotRun".equals(s.getReason())
        && !s.getLogPath().isEmpty()) {
      written = logTail(Path.of(s.getLogPath()));
    }
    if (written.isEmpty()) {
      return s.getMessage();
    }
    return s.getMessage().isEmpty() ? written : s.getMessage() + ": " + written;
  }

  private static String readHead(Path file, int limit) {
    try (var in = Files.newInputStream(file)) {
      return new String(in.readNBytes(limit), StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  /** The last lines of a CRI log file (timestamp stream tag content), without their prefixes. */
  static String logTail(Path file) {
    List<String> lines;
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long length = raf.length();
      long from = Math.max(0, length - 64 * 1024);
      byte[] bytes = new byte[(int) (length - from)];
      raf.seek(from);
      raf.readFully(bytes);
      lines = new ArrayList<>(List.of(new String(bytes, StandardCharsets.UTF_8).split("\n")));
      if (from > 0 && !lines.isEmpty()) {
        lines.removeFirst();
      }
    } catch (IOException e) {
      return "";
    }
    StringBuilder content = new StringBuilder();
    List<String> out = new ArrayList<>();
    for (String line : lines) {
      String[] parts = line.split(" ", 4);
      if (parts.length < 3) {
        continue;
      }
      content.append(parts.length == 4 ? parts[3] : "");
      if (!"P".equals(parts[2])) {
        out.add(content.append('\n').toString());
        content.setLength(0);
      }
    }
    List<String> last = out.subList(Math.max(0, out.size() - FALLBACK_LOG_LINES), out.size());
    byte[] joined = String.join("", last).getBytes(StandardCharsets.UTF_8);
    int start = Math.max(0, joined.length - FALLBACK_LOG_BYTES);
    return new String(joined, start, joined.length - start, StandardCharsets.UTF_8);
  }

  private static int parseInt(String value, int fallback) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  static Instant nanos(long epochNanos) {
    return Instant.ofEpochSecond(0, epochNanos);
  }
}
