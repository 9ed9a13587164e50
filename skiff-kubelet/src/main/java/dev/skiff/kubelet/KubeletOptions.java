package dev.skiff.kubelet;

import dev.skiff.kubelet.eviction.NodePressure;
import dev.skiff.kubelet.pod.ProbeRelay;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;

/**
 * How the {@link Kubelet} runs pods.
 *
 * @param hostIps the node's IPs, reported as each pod's hostIP(s)
 * @param runtimeName the prefix of container ids in pod status ({@code containerd://ID})
 * @param relistPeriod how often the runtime is relisted for state changes (PLEG)
 * @param imagePullTimeout the deadline of one image pull
 * @param probeRelay the relay the probes were built with, bound to the pod workers; may be null
 * @param podManifestPath the static pod manifests (a directory or one file); null for none
 * @param nodePressure eviction thresholds and image garbage collection; null for neither
 */
public record KubeletOptions(
    InstantSource clock,
    List<String> hostIps,
    String runtimeName,
    Duration relistPeriod,
    Duration imagePullTimeout,
    ProbeRelay probeRelay,
    Path podManifestPath,
    NodePressure nodePressure) {

  public KubeletOptions {
    hostIps = List.copyOf(hostIps);
  }

  /** The system clock, relist every second, 5 minute pulls, containerd. */
  public static KubeletOptions defaults(List<String> hostIps, ProbeRelay probeRelay) {
    return new KubeletOptions(
        InstantSource.system(),
        hostIps,
        "containerd",
        Duration.ofSeconds(1),
        Duration.ofMinutes(5),
        probeRelay,
        null,
        null);
  }

  /** These options with static pods read from {@code path}. */
  public KubeletOptions withPodManifestPath(Path path) {
    return new KubeletOptions(
        clock,
        hostIps,
        runtimeName,
        relistPeriod,
        imagePullTimeout,
        probeRelay,
        path,
        nodePressure);
  }

  /** These options with node-pressure eviction and image garbage collection. */
  public KubeletOptions withNodePressure(NodePressure pressure) {
    return new KubeletOptions(
        clock,
        hostIps,
        runtimeName,
        relistPeriod,
        imagePullTimeout,
        probeRelay,
        podManifestPath,
        pressure);
  }
}
