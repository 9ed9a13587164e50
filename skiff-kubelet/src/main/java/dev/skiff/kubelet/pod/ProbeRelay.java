package dev.skiff.kubelet.pod;

import java.util.function.Consumer;

/**
 * Where the probes report to, bound later: the probes are built before the pod workers they wake,
 * so they get this relay and the kubelet binds it when it assembles the workers. Reports that
 * arrive before binding are dropped (the first sync probes again).
 */
public final class ProbeRelay implements ContainerProbes.LivenessFailures, Consumer<String> {
  private volatile ContainerProbes.LivenessFailures failures;
  private volatile Consumer<String> resultChanged;

  /** Sends liveness failures and result changes (pod uids) on to the given targets. */
  public void bind(ContainerProbes.LivenessFailures failures, Consumer<String> resultChanged) {
    this.failures = failures;
    this.resultChanged = resultChanged;
  }

  @Override
  public void restart(String podUid, String containerName, String containerId, String message) {
    ContainerProbes.LivenessFailures target = failures;
    if (target != null) {
      target.restart(podUid, containerName, containerId, message);
    }
  }

  /** A readiness or startup result of the pod changed. */
  @Override
  public void accept(String podUid) {
    Consumer<String> target = resultChanged;
    if (target != null) {
      target.accept(podUid);
    }
  }
}
