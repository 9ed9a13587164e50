package dev.skiff.kubelet.pod;

import dev.skiff.kubelet.cri.v1.ContainerConfig;
import dev.skiff.kubelet.cri.v1.PodSandboxConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;

/**
 * Turns a pod's spec into what CRI runs: the sandbox config, the pod's volumes on the node, and
 * each container's config (image, command, env, mounts, resources, security context, log path). The
 * pod workers call it; they decide when, it decides what.
 */
public interface PodRuntimeConfig {

  /**
   * The sandbox of a pod: metadata (with {@code attempt}), hostname, DNS config, port mappings,
   * hostNetwork and other namespace options, sysctls, cgroup parent, log directory, and the {@link
   * dev.skiff.kubelet.cri.CriLabels} labels.
   */
  PodSandboxConfig sandboxConfig(Pod pod, int attempt) throws PodConfigException;

  /**
   * Makes every volume of the pod ready on the node (directories, configMap/secret/projected
   * contents). Idempotent: called on every sync so updated configMaps and secrets propagate.
   *
   * @throws PodConfigException with reason {@code FailedMount} when a volume cannot be set up
   */
  void setUpVolumes(Pod pod) throws PodConfigException;

  /**
   * The config of one container (init, sidecar or regular) for its {@code restartCount}-th run in
   * the given sandbox.
   *
   * @throws PodConfigException with reason {@code CreateContainerConfigError} when, for example, a
   *     referenced configMap key is missing
   */
  ContainerConfig containerConfig(
      Pod pod, Container container, PodSandboxConfig sandbox, String podIp, int restartCount)
      throws PodConfigException;

  /** Removes what {@link #setUpVolumes} made for a pod that is gone. */
  void tearDown(String podUid);
}
