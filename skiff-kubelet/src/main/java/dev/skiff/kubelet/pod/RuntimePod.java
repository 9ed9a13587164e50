package dev.skiff.kubelet.pod;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What the container runtime holds for one pod at one moment: its sandboxes and its containers
 * (every attempt still present), as the kubelet reads them through CRI before deciding what to do.
 */
public record RuntimePod(String uid, List<Sandbox> sandboxes, List<RuntimeContainer> containers) {

  public RuntimePod {
    sandboxes =
        sandboxes.stream().sorted(Comparator.comparing(Sandbox::createdAt).reversed()).toList();
    containers =
        containers.stream()
            .sorted(Comparator.comparing(RuntimeContainer::createdAt).reversed())
            .toList();
  }

  public static RuntimePod empty(String uid) {
    return new RuntimePod(uid, List.of(), List.of());
  }

  /** One sandbox (pause container, network namespace) of the pod. */
  public record Sandbox(
      String id, int attempt, boolean ready, Instant createdAt, List<String> podIps) {
    public Sandbox {
      podIps = List.copyOf(podIps);
    }
  }

  /** The states CRI reports for a container. */
  public enum State {
    CREATED,
    RUNNING,
    EXITED,
    UNKNOWN
  }

  /**
   * One container of the pod as CRI's ContainerStatus reports it.
   *
   * @param restartCount from the kubelet's restartCount annotation on the container
   * @param message for an exited container, its termination message (file or log tail)
   * @param hash the kubelet's hash of the container spec it was created from
   */
  public record RuntimeContainer(
      String id,
      String sandboxId,
      String name,
      int restartCount,
      State state,
      Instant createdAt,
      Instant startedAt,
      Instant finishedAt,
      int exitCode,
      String reason,
      String message,
      String image,
      String imageRef,
      String hash) {

    public boolean running() {
      return state == State.RUNNING;
    }

    public boolean exited() {
      return state == State.EXITED;
    }
  }

  /** The newest sandbox, if any. */
  public Optional<Sandbox> latestSandbox() {
    return sandboxes.stream().findFirst();
  }

  /** The attempts of one container, newest first. */
  public List<RuntimeContainer> attempts(String name) {
    return containers.stream().filter(c -> c.name().equals(name)).toList();
  }

  /** The newest attempt of one container, if it ever ran. */
  public Optional<RuntimeContainer> latest(String name) {
    return containers.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  public boolean anyRunning() {
    return containers.stream().anyMatch(RuntimeContainer::running);
  }
}
