package dev.skiff.kubelet.pod;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;

/** A container's lifecycle hooks: postStart after it starts, preStop before it is stopped. */
public interface ContainerHooks {

  /**
   * Runs the postStart hook, if any (exec, httpGet or sleep), and waits for it.
   *
   * @throws PodConfigException with reason {@code FailedPostStartHook}: the container is killed
   */
  void postStart(Pod pod, Container container, String containerId, String podIp)
      throws PodConfigException;

  /**
   * Runs the preStop hook, if any, giving it at most {@code budget} (what is left of the grace
   * period); a failure is reported as a {@code FailedPreStopHook} event and the stop goes on.
   */
  void preStop(Pod pod, Container container, String containerId, String podIp, Duration budget);
}
