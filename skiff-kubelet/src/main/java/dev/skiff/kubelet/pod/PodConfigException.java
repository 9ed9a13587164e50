package dev.skiff.kubelet.pod;

/**
 * A pod or container that cannot be configured yet: the reason is what the container's waiting
 * state (or the event) says, e.g. {@code CreateContainerConfigError} or {@code FailedMount}.
 */
public final class PodConfigException extends Exception {
  private final String reason;

  public PodConfigException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  public PodConfigException(String reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
