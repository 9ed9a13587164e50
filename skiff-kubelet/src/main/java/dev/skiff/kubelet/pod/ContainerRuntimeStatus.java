package dev.skiff.kubelet.pod;

import java.time.Instant;
import java.util.Objects;

/**
 * What the runtime reports about one container of a pod: the kubelet's input for the container
 * statuses it writes. The real kubelet fills it from CRI, the simulated one by rule.
 *
 * @param lastTerminated the previous run, when the container has restarted; may be null
 */
public record ContainerRuntimeStatus(
    String name,
    String containerId,
    String image,
    String imageId,
    State state,
    boolean ready,
    boolean started,
    int restartCount,
    Terminated lastTerminated) {

  public ContainerRuntimeStatus {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(state, "state");
  }

  /** A container's state, as in {@code ContainerState}. */
  public sealed interface State permits Waiting, Running, Terminated {}

  public record Waiting(String reason, String message) implements State {}

  public record Running(Instant startedAt) implements State {}

  /**
   * A finished run; {@code containerId} ("containerd://...") is what {@code kubectl logs
   * --previous} finds it by, null when the runtime no longer knows it.
   */
  public record Terminated(
      int exitCode,
      String reason,
      String message,
      Instant startedAt,
      Instant finishedAt,
      String containerId)
      implements State {

    public Terminated(
        int exitCode, String reason, String message, Instant startedAt, Instant finishedAt) {
      this(exitCode, reason, message, startedAt, finishedAt, null);
    }

    /** The reason Kubernetes gives a container that exited on its own with this code. */
    public static String reasonFor(int exitCode) {
      return exitCode == 0 ? "Completed" : "Error";
    }
  }

  public boolean succeeded() {
    return state instanceof Terminated t && t.exitCode() == 0;
  }
}
