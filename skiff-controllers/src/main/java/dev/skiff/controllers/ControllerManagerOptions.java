package dev.skiff.controllers;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Options of the controller manager, mirroring kube-controller-manager's flags.
 *
 * @param controllers the {@code --controllers} list: "*" for every default controller, "name" to
 *     enable one, "-name" to disable one
 * @param concurrentSyncs worker count per controller name ({@code --concurrent-<name>-syncs});
 *     absent names use {@link #defaultWorkers(String)}
 * @param leaderElect whether to run only while holding the kube-system/kube-controller-manager
 *     Lease
 * @param identity this process's leader-election identity
 * @param rootCaPem the cluster CA certificate (PEM) published as kube-root-ca.crt; empty disables
 *     the publisher
 * @param clusterCidr the pod network node podCIDRs are cut from
 * @param nodeCidrMaskSize prefix length of each node's podCIDR
 * @param nodeMonitorGracePeriod how long a node may go without a heartbeat before it is Unknown
 * @param terminatedPodGcThreshold terminated pods kept before pod GC deletes the oldest
 * @param localStoragePath where the built-in local-path provisioner puts volume directories on
 *     nodes ({@code --default-local-storage-path}); empty turns the provisioner off
 * @param horizontalPodAutoscalerSyncPeriod how often each autoscaler is synced ({@code
 *     --horizontal-pod-autoscaler-sync-period}, 15 s)
 */
public record ControllerManagerOptions(
    List<String> controllers,
    Map<String, Integer> concurrentSyncs,
    boolean leaderElect,
    String identity,
    Optional<String> rootCaPem,
    String clusterCidr,
    int nodeCidrMaskSize,
    Duration nodeMonitorGracePeriod,
    int terminatedPodGcThreshold,
    Optional<Path> localStoragePath,
    Duration horizontalPodAutoscalerSyncPeriod) {

  public ControllerManagerOptions {
    controllers = List.copyOf(controllers);
    concurrentSyncs = Map.copyOf(concurrentSyncs);
  }

  public static ControllerManagerOptions defaults() {
    return new ControllerManagerOptions(
        List.of("*"),
        Map.of(),
        true,
        "skiff-controller-manager",
        Optional.empty(),
        "10.42.0.0/16",
        24,
        Duration.ofSeconds(40),
        12500,
        Optional.empty(),
        Duration.ofSeconds(15));
  }

  public ControllerManagerOptions withControllers(List<String> value) {
    return new ControllerManagerOptions(
        value,
        concurrentSyncs,
        leaderElect,
        identity,
        rootCaPem,
        clusterCidr,
        nodeCidrMaskSize,
        nodeMonitorGracePeriod,
        terminatedPodGcThreshold,
        localStoragePath,
        horizontalPodAutoscalerSyncPeriod);
  }

  public ControllerManagerOptions withConcurrentSyncs(Map<String, Integer> value) {
    return new ControllerManagerOptions(
        controllers,
        value,
        leaderElect,
        identity,
        rootCaPem,
        clusterCidr,
        nodeCidrMaskSize,
        nodeMonitorGracePeriod,
        terminatedPodGcThreshold,
        localStoragePath,
        horizontalPodAutoscalerSyncPeriod);
  }

  public ControllerManagerOptions withLeaderElect(boolean value, String newIdentity) {
    return new ControllerManagerOptions(
        controllers,
        concurrentSyncs,
        value,
        newIdentity,
        rootCaPem,
        clusterCidr,
        nodeCidrMaskSize,
        nodeMonitorGracePeriod,
        terminatedPodGcThreshold,
        localStoragePath,
        horizontalPodAutoscalerSyncPeriod);
  }

  public ControllerManagerOptions withRootCaPem(String pem) {
    return new ControllerManagerOptions(
        controllers,
        concurrentSyncs,
        leaderElect,
        identity,
        Optional.ofNullable(pem).filter(p -> !p.isBlank()),
        clusterCidr,
        nodeCidrMaskSize,
        nodeMonitorGracePeriod,
        terminatedPodGcThreshold,
        localStoragePath,
        horizontalPodAutoscalerSyncPeriod);
  }

  public ControllerManagerOptions withLocalStoragePath(Path path) {
    return new ControllerManagerOptions(
        controllers,
        concurrentSyncs,
        leaderElect,
        identity,
        rootCaPem,
        clusterCidr,
        nodeCidrMaskSize,
        nodeMonitorGracePeriod,
        terminatedPodGcThreshold,
        Optional.ofNullable(path),
        horizontalPodAutoscalerSyncPeriod);
  }

  public ControllerManagerOptions withHorizontalPodAutoscalerSyncPeriod(Duration value) {
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(
          "--horizontal-pod-autoscaler-sync-period must be positive, got " + value);
    }
    return new ControllerManagerOptions(
        controllers,
        concurrentSyncs,
        leaderElect,
        identity,
        rootCaPem,
        clusterCidr,
        nodeCidrMaskSize,
        nodeMonitorGracePeriod,
        terminatedPodGcThreshold,
        localStoragePath,
        value);
  }

  /** Workers for a controller: the configured count or Kubernetes' default for it. */
  public int workers(String controller) {
    return concurrentSyncs.getOrDefault(controller, defaultWorkers(controller));
  }

  /** kube-controller-manager's default --concurrent-*-syncs values. */
  public static int defaultWorkers(String controller) {
    return switch (controller) {
      case "namespace", "daemonset", "job", "cronjob", "ttl-after-finished" -> 2;
      case "garbage-collector" -> 20;
      case "serviceaccount", "root-ca-cert-publisher", "persistentvolume-binder" -> 5;
      default -> 5;
    };
  }
}
