package dev.skiff.cli;

import dev.skiff.kubelet.config.PodRuntimeOptions;
import dev.skiff.kubelet.eviction.Threshold;
import dev.skiff.kubelet.image.ImageGarbageCollector;
import dev.skiff.kubelet.network.PodNetworkOptions;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The node flags {@code skiff agent} takes and {@code skiff server} accepts for its local agent
 * (k3s' names where it has them).
 */
final class AgentFlags {

  @Option(
      names = "--node-name",
      paramLabel = "NAME",
      description = "this node's name (default: the host name)")
  String nodeName;

  @Option(
      names = "--node-ip",
      paramLabel = "IP",
      description = "the node's InternalIP (default: the first non-loopback IPv4 address)")
  String nodeIp;

  @Option(
      names = "--node-label",
      paramLabel = "KEY=VALUE",
      description = "a label to register the node with (repeatable)")
  List<String> nodeLabels = new ArrayList<>();

  @Option(
      names = "--node-taint",
      paramLabel = "KEY[=VALUE]:EFFECT",
      description = "a taint to register the node with, e.g. dedicated=gpu:NoSchedule (repeatable)")
  List<String> nodeTaints = new ArrayList<>();

  @Option(
      names = "--container-runtime-endpoint",
      paramLabel = "unix:///PATH",
      description =
          "use this CRI socket instead of starting containerd (default: a containerd of the"
              + " agent's own under <data-dir>/agent/containerd)")
  String containerRuntimeEndpoint;

  @Option(
      names = "--max-pods",
      paramLabel = "N",
      defaultValue = "110",
      description = "pods this node runs at most (default: ${DEFAULT-VALUE})")
  int maxPods;

  @Option(
      names = "--kube-reserved",
      paramLabel = "RES=QTY,...",
      split = ",",
      description = "resources kept for Kubernetes daemons, e.g. cpu=100m,memory=256Mi")
  List<String> kubeReserved = new ArrayList<>();

  @Option(
      names = "--system-reserved",
      paramLabel = "RES=QTY,...",
      split = ",",
      description = "resources kept for the operating system, e.g. cpu=100m,memory=256Mi")
  List<String> systemReserved = new ArrayList<>();

  @Option(
      names = "--cluster-dns",
      paramLabel = "IP",
      description =
          "the DNS server pods use, the kube-dns Service's IP (default: "
              + PodRuntimeOptions.DEFAULT_CLUSTER_DNS
              + "; on a server, the tenth address of --service-cidr)")
  String clusterDns;

  @Option(
      names = "--cluster-domain",
      paramLabel = "DOMAIN",
      defaultValue = "cluster.local",
      description = "the cluster's DNS domain (default: ${DEFAULT-VALUE})")
  String clusterDomain;

  @Option(
      names = "--cluster-cidr",
      paramLabel = "CIDR",
      defaultValue = PodNetworkOptions.DEFAULT_CLUSTER_CIDR,
      description = "the pod network (default: ${DEFAULT-VALUE})")
  String clusterCidr;

  @Option(
      names = "--flannel-backend",
      paramLabel = "host-gw|vxlan",
      defaultValue = "host-gw",
      description =
          "how pod traffic reaches other nodes: routes via their IPs (host-gw, one L2 segment) or"
              + " a VXLAN overlay (default: ${DEFAULT-VALUE})")
  String flannelBackend;

  @Option(
      names = "--proxy-mode",
      paramLabel = "MODE",
      defaultValue = "iptables",
      description = "kube-proxy mode: iptables, nftables or userspace (default: ${DEFAULT-VALUE})")
  String proxyMode;

  @Option(
      names = "--kubelet-port",
      paramLabel = "N",
      defaultValue = "10250",
      description = "the kubelet API's HTTPS port (default: ${DEFAULT-VALUE})")
  int kubeletPort;

  @Option(
      names = "--pod-manifest-path",
      paramLabel = "PATH",
      description =
          "static pod manifests: a directory (or one file) of pod YAML/JSON the kubelet runs"
              + " without the API server (default: <data-dir>/agent/pod-manifests)")
  Path podManifestPath;

  @Option(
      names = "--eviction-hard",
      paramLabel = "SIGNAL<QTY,...",
      defaultValue = Threshold.DEFAULTS,
      description =
          "hard eviction thresholds, e.g. memory.available<100Mi,nodefs.available<10%"
              + " (default: ${DEFAULT-VALUE})")
  String evictionHard;

  @Option(
      names = "--image-gc-high-threshold",
      paramLabel = "PERCENT",
      defaultValue = "85",
      description =
          "image filesystem usage at which unused images are removed (default: ${DEFAULT-VALUE})")
  int imageGcHighThreshold;

  @Option(
      names = "--image-gc-low-threshold",
      paramLabel = "PERCENT",
      defaultValue = "80",
      description =
          "image filesystem usage image garbage collection frees down to (default:"
              + " ${DEFAULT-VALUE})")
  int imageGcLowThreshold;

  @Option(names = "--disable-proxy", description = "do not run kube-proxy on this node")
  boolean disableProxy;

  @Option(names = "--disable-dns", description = "do not run the cluster DNS server on this node")
  boolean disableDns;

  NodeAgent.Options options(
      String serverUrl, String token, Path kubeconfig, Path dataDir, boolean controlPlane) {
    return new NodeAgent.Options(
        serverUrl,
        token,
        kubeconfig,
        dataDir,
        nodeName != null ? nodeName : hostName(),
        nodeIp,
        labels(nodeLabels),
        taints(nodeTaints),
        containerRuntimeEndpoint,
        maxPods,
        quantities(kubeReserved, "--kube-reserved"),
        quantities(systemReserved, "--system-reserved"),
        clusterDns != null ? clusterDns : PodRuntimeOptions.DEFAULT_CLUSTER_DNS,
        clusterDomain,
        clusterCidr,
        flannelBackend,
        proxyMode,
        kubeletPort,
        controlPlane,
        !disableProxy,
        !disableDns,
        podManifestPath != null ? podManifestPath : dataDir.resolve("agent/pod-manifests"),
        Threshold.parse(evictionHard),
        new ImageGarbageCollector.Policy(
            imageGcHighThreshold, imageGcLowThreshold, Duration.ofMinutes(2)));
  }

  static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName().toLowerCase(java.util.Locale.ROOT);
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  static Map<String, String> labels(List<String> flags) {
    Map<String, String> labels = new LinkedHashMap<>();
    for (String flag : flags) {
      int eq = flag.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--node-label must be KEY=VALUE, got " + flag);
      }
      labels.put(flag.substring(0, eq), flag.substring(eq + 1));
    }
    return labels;
  }

  static List<Taint> taints(List<String> flags) {
    List<Taint> taints = new ArrayList<>();
    for (String flag : flags) {
      int colon = flag.lastIndexOf(':');
      String effect = colon < 0 ? "" : flag.substring(colon + 1);
      if (!List.of("NoSchedule", "PreferNoSchedule", "NoExecute").contains(effect)) {
        throw new IllegalArgumentException(
            "--node-taint must be KEY[=VALUE]:NoSchedule|PreferNoSchedule|NoExecute, got " + flag);
      }
      String keyValue = flag.substring(0, colon);
      int eq = keyValue.indexOf('=');
      String key = eq < 0 ? keyValue : keyValue.substring(0, eq);
      String value = eq < 0 ? null : keyValue.substring(eq + 1);
      taints.add(new Taint(effect, key, null, value));
    }
    return taints;
  }

  static Map<String, Quantity> quantities(List<String> flags, String flagName) {
    Map<String, Quantity> reserved = new LinkedHashMap<>();
    for (String flag : flags) {
      int eq = flag.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(flagName + " must be RESOURCE=QUANTITY, got " + flag);
      }
      reserved.put(flag.substring(0, eq), new Quantity(flag.substring(eq + 1)));
    }
    return reserved;
  }
}
