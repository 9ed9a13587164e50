package dev.skiff.kubelet.network;

import java.util.List;

/** A host command (ip, iptables, a CNI plugin) that failed or could not be started. */
public final class HostCommandException extends RuntimeException {
  private final int exitCode;

  public HostCommandException(List<String> command, int exitCode, String output) {
    super(String.join(" ", command) + " exited with " + exitCode + ": " + output.strip());
    this.exitCode = exitCode;
  }

  public HostCommandException(List<String> command, Throwable cause) {
    super(String.join(" ", command) + ": " + cause.getMessage(), cause);
    this.exitCode = -1;
  }

  /** The command's exit code; -1 when it could not be started or was interrupted. */
  public int exitCode() {
    return exitCode;
  }
}
