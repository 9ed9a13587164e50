package dev.skiff.kubelet.cri;

/**
 * The labels and annotations the kubelet puts on CRI sandboxes and containers to find its pods
 * again after a restart (the same keys Kubernetes' kubelet uses, so {@code crictl ps} reads the
 * same).
 */
public final class CriLabels {
  public static final String POD_NAME = "io.kubernetes.pod.name";
  public static final String POD_NAMESPACE = "io.kubernetes.pod.namespace";
  public static final String POD_UID = "io.kubernetes.pod.uid";
  public static final String CONTAINER_NAME = "io.kubernetes.container.name";

  /** Annotations on containers. */
  public static final String RESTART_COUNT = "io.kubernetes.container.restartCount";

  public static final String CONTAINER_HASH = "io.kubernetes.container.hash";
  public static final String TERMINATION_MESSAGE_PATH =
      "io.kubernetes.container.terminationMessagePath";
  public static final String TERMINATION_MESSAGE_POLICY =
      "io.kubernetes.container.terminationMessagePolicy";
  public static final String TERMINATION_GRACE_PERIOD = "io.kubernetes.pod.terminationGracePeriod";

  /** The name containerd reports for a sandbox's pause container. */
  public static final String POD_INFRA_CONTAINER = "POD";

  private CriLabels() {}
}
