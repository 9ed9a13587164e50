package dev.skiff.kubelet.pod;

/**
 * A container that could not be started this time: the reason and message become its waiting state
 * (ErrImagePull, ImagePullBackOff, ErrImageNeverPull, CreateContainerConfigError,
 * CreateContainerError, RunContainerError ...) until a later sync starts it.
 */
public final class ContainerStartException extends Exception {
  private final String reason;

  public ContainerStartException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
