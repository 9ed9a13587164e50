package dev.skiff.kubelet.config;

import io.fabric8.kubernetes.api.model.Quantity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link DefaultPodRuntimeConfig} needs to know about its node: identity, where pods and pod
 * logs live ({@code <dataDir>/agent/pods/<uid>}, {@code <podLogRoot>/<ns>_<name>_<uid>}), the
 * kubelet's {@code --cluster-dns} / {@code --cluster-domain}, the host's resolv.conf and hosts
 * file, the root of the pod cgroups (cgroupfs driver), and the node's capacity and allocatable (OOM
 * score adjustment, memory-backed volume sizes, resourceFieldRef defaults).
 *
 * @param hostname the node's own hostname, which hostNetwork pods get
 */
public record PodRuntimeOptions(
    String nodeName,
    String nodeIp,
    String hostname,
    Path dataDir,
    Path podLogRoot,
    List<String> clusterDns,
    String clusterDomain,
    Path resolvConf,
    Path hostsFile,
    String cgroupRoot,
    Map<String, Quantity> capacity,
    Map<String, Quantity> allocatable) {

  public static final String DEFAULT_CLUSTER_DNS = "10.43.0.10";
  public static final String DEFAULT_CLUSTER_DOMAIN = "cluster.local";
  public static final String DEFAULT_CGROUP_ROOT = "/kubepods";

  public PodRuntimeOptions {
    Objects.requireNonNull(nodeName, "nodeName");
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(podLogRoot, "podLogRoot");
    clusterDns = List.copyOf(clusterDns);
    Objects.requireNonNull(clusterDomain, "clusterDomain");
    Objects.requireNonNull(resolvConf, "resolvConf");
    Objects.requireNonNull(hostsFile, "hostsFile");
    Objects.requireNonNull(cgroupRoot, "cgroupRoot");
    capacity = Map.copyOf(capacity);
    allocatable = Map.copyOf(allocatable);
  }

  /**
   * The defaults of a node: cluster DNS 10.43.0.10, domain cluster.local, /etc/resolv.conf,
   * /etc/hosts, cgroups under /kubepods, pod logs under {@code <dataDir>/agent/logs/pods}, the
   * host's hostname; no capacity (set it with {@link #withResources}).
   */
  public static PodRuntimeOptions of(String nodeName, String nodeIp, Path dataDir) {
    return new PodRuntimeOptions(
        nodeName,
        nodeIp,
        hostHostname(nodeName),
        dataDir,
        dataDir.resolve("agent").resolve("logs").resolve("pods"),
        List.of(DEFAULT_CLUSTER_DNS),
        DEFAULT_CLUSTER_DOMAIN,
        Path.of("/etc/resolv.conf"),
        Path.of("/etc/hosts"),
        DEFAULT_CGROUP_ROOT,
        Map.of(),
        Map.of());
  }

  /** {@code <dataDir>/agent/pods}: one directory per pod uid. */
  public Path podsRoot() {
    return dataDir.resolve("agent").resolve("pods");
  }

  /** Where {@code Localhost} seccomp profiles are read from. */
  public Path seccompRoot() {
    return dataDir.resolve("agent").resolve("seccomp");
  }

  public PodRuntimeOptions withClusterDns(List<String> servers, String domain) {
    return new PodRuntimeOptions(
        nodeName,
        nodeIp,
        hostname,
        dataDir,
        podLogRoot,
        servers,
        domain,
        resolvConf,
        hostsFile,
        cgroupRoot,
        capacity,
        allocatable);
  }

  public PodRuntimeOptions withHostFiles(Path resolvConf, Path hostsFile) {
    return new PodRuntimeOptions(
        nodeName,
        nodeIp,
        hostname,
        dataDir,
        podLogRoot,
        clusterDns,
        clusterDomain,
        resolvConf,
        hostsFile,
        cgroupRoot,
        capacity,
        allocatable);
  }

  public PodRuntimeOptions withPodLogRoot(Path podLogRoot) {
    return new PodRuntimeOptions(
        nodeName,
        nodeIp,
        hostname,
        dataDir,
        podLogRoot,
        clusterDns,
        clusterDomain,
        resolvConf,
        hostsFile,
        cgroupRoot,
        capacity,
        allocatable);
  }

  public PodRuntimeOptions withCgroupRoot(String cgroupRoot) {
    return new PodRuntimeOptions(
        nodeName,
        nodeIp,
        hostname,
        dataDir,
        podLogRoot,
        clusterDns,
        clusterDomain,
        resolvConf,
        hostsFile,
        cgroupRoot,
        capacity,
        allocatable);
  }

  public PodRuntimeOptions withHostname(String hostname) {
    return new PodRuntimeOptions(
        nodeName,
        nodeIp,
        hostname,
        dataDir,
        podLogRoot,
        clusterDns,
        clusterDomain,
        resolvConf,
        hostsFile,
        cgroupRoot,
        capacity,
        allocatable);
  }

  /** The node's capacity and allocatable, e.g. from {@code NodeConfig}. */
  public PodRuntimeOptions withResources(
      Map<String, Quantity> capacity, Map<String, Quantity> allocatable) {
    return new PodRuntimeOptions(
        nodeName,
        nodeIp,
        hostname,
        dataDir,
        podLogRoot,
        clusterDns,
        clusterDomain,
        resolvConf,
        hostsFile,
        cgroupRoot,
        capacity,
        allocatable);
  }

  private static String hostHostname(String fallback) {
    try {
      String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
      return name.isEmpty() ? fallback : name;
    } catch (IOException e) {
      return fallback;
    }
  }
}
