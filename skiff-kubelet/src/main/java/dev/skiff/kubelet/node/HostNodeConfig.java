package dev.skiff.kubelet.node;

import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeSystemInfo;
import io.fabric8.kubernetes.api.model.NodeSystemInfoBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The {@link NodeConfig} of a real node, read from the host it runs on: cpu and memory from {@code
 * /proc}, ephemeral storage from the data directory's filesystem, addresses from the interfaces,
 * system info from {@code /etc/os-release}, the kernel and the container runtime. Allocatable is
 * capacity minus {@code --kube-reserved}, {@code --system-reserved} and the hard eviction
 * thresholds, as the kubelet computes it.
 */
public final class HostNodeConfig {
  /** The label Kubernetes gives control-plane nodes (k3s adds it to every server). */
  public static final String CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane";

  /** Default hard eviction threshold for memory.available, which allocatable memory excludes. */
  static final Quantity EVICTION_MEMORY = new Quantity("100Mi");

  /**
   * What the flags say about the node.
   *
   * @param nodeIp the InternalIP; null picks the first non-loopback IPv4 address
   * @param kubeReserved reservations for Kubernetes daemons, e.g. cpu=100m,memory=256Mi
   * @param systemReserved reservations for the OS
   * @param controlPlane whether this node runs the control plane (labelled as such)
   */
  public record Options(
      String name,
      String nodeIp,
      Map<String, String> labels,
      List<Taint> taints,
      Path dataDir,
      int maxPods,
      Map<String, Quantity> kubeReserved,
      Map<String, Quantity> systemReserved,
      String runtimeVersion,
      String kubeletVersion,
      int kubeletPort,
      boolean controlPlane) {

    public Options {
      labels = Map.copyOf(labels);
      taints = List.copyOf(taints);
      kubeReserved = Map.copyOf(kubeReserved);
      systemReserved = Map.copyOf(systemReserved);
    }
  }

  private HostNodeConfig() {}

  public static NodeConfig read(Options options) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("beta.kubernetes.io/arch", "amd64");
    labels.put("beta.kubernetes.io/os", "linux");
    labels.put("kubernetes.io/arch", "amd64");
    labels.put("kubernetes.io/hostname", options.name());
    labels.put("kubernetes.io/os", "linux");
    if (options.controlPlane()) {
      labels.put(CONTROL_PLANE_LABEL, "true");
    }
    labels.putAll(options.labels());

    Map<String, Quantity> capacity = new LinkedHashMap<>();
    capacity.put("cpu", new Quantity(Integer.toString(cpuCount())));
    capacity.put("ephemeral-storage", new Quantity(storageKi(options.dataDir()) + "Ki"));
    capacity.put("hugepages-1Gi", new Quantity("0"));
    capacity.put("hugepages-2Mi", new Quantity("0"));
    capacity.put("memory", new Quantity(memoryKi() + "Ki"));
    capacity.put("pods", new Quantity(Integer.toString(options.maxPods())));

    String nodeIp = options.nodeIp() != null ? options.nodeIp() : firstIpv4Address();
    return new NodeConfig(
        options.name(),
        labels,
        options.taints(),
        capacity,
        allocatable(capacity, options.kubeReserved(), options.systemReserved()),
        List.of(new NodeAddress(nodeIp, "InternalIP"), new NodeAddress(options.name(), "Hostname")),
        systemInfo(options),
        options.kubeletPort(),
        null);
  }

  /**
   * Capacity minus the reservations and, for memory, the default hard eviction threshold (100Mi);
   * never below zero.
   */
  static Map<String, Quantity> allocatable(
      Map<String, Quantity> capacity,
      Map<String, Quantity> kubeReserved,
      Map<String, Quantity> systemReserved) {
    Map<String, Quantity> allocatable = new LinkedHashMap<>();
    capacity.forEach(
        (resource, total) -> {
          BigDecimal value = total.getNumericalAmount();
          for (Map<String, Quantity> reserved : List.of(kubeReserved, systemReserved)) {
            Quantity r = reserved.get(resource);
            if (r != null) {
              value = value.subtract(r.getNumericalAmount());
            }
          }
          if (resource.equals("memory")) {
            value = value.subtract(EVICTION_MEMORY.getNumericalAmount());
          }
          if (value.signum() < 0) {
            value = BigDecimal.ZERO;
          }
          allocatable.put(resource, format(resource, value, total));
        });
    return Collections.unmodifiableMap(allocatable);
  }

  private static Quantity format(String resource, BigDecimal value, Quantity original) {
    if (value.compareTo(original.getNumericalAmount()) == 0) {
      return original;
    }
    if (resource.equals("cpu")) {
      BigDecimal milli = value.movePointRight(3).setScale(0, java.math.RoundingMode.DOWN);
      return new Quantity(milli.toPlainString() + "m");
    }
    if (resource.equals("memory") || resource.equals("ephemeral-storage")) {
      BigDecimal ki = value.divide(BigDecimal.valueOf(1024), 0, java.math.RoundingMode.DOWN);
      return new Quantity(ki.toPlainString() + "Ki");
    }
    return new Quantity(value.stripTrailingZeros().toPlainString());
  }

  static int cpuCount() {
    return Runtime.getRuntime().availableProcessors();
  }

  /** MemTotal from /proc/meminfo, in KiB. */
  static long memoryKi() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // fall through to the JVM's view
    }
    return Runtime.getRuntime().maxMemory() / 1024;
  }

  static long storageKi(Path dataDir) {
    Path existing = dataDir.toAbsolutePath();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    try {
      return Files.getFileStore(existing == null ? Path.of("/") : existing).getTotalSpace() / 1024;
    } catch (IOException e) {
      return 0;
    }
  }

  /** The first up, non-loopback IPv4 address of this network namespace, else 127.0.0.1. */
  public static String firstIpv4Address() {
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nic.isUp() || nic.isLoopback()) {
          continue;
        }
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          if (address instanceof Inet4Address && !address.isLinkLocalAddress()) {
            return address.getHostAddress();
          }
        }
      }
    } catch (SocketException e) {
      // no interfaces to read
    }
    return "127.0.0.1";
  }

  static NodeSystemInfo systemInfo(Options options) {
    String machineId = readFirstLine(Path.of("/etc/machine-id"));
    if (machineId == null) {
      machineId =
          UUID.nameUUIDFromBytes(options.name().getBytes(StandardCharsets.UTF_8))
              .toString()
              .replace("-", "");
    }
    String systemUuid = readFirstLine(Path.of("/sys/class/dmi/id/product_uuid"));
    return new NodeSystemInfoBuilder()
        .withMachineID(machineId)
        .withSystemUUID(systemUuid != null ? systemUuid : machineId)
        .withBootID(readFirstLine(Path.of("/proc/sys/kernel/random/boot_id")))
        .withKernelVersion(readFirstLine(Path.of("/proc/sys/kernel/osrelease")))
        .withOsImage(osImage(Path.of("/etc/os-release")))
        .withContainerRuntimeVersion(options.runtimeVersion())
        .withKubeletVersion(options.kubeletVersion())
        .withKubeProxyVersion(options.kubeletVersion())
        .withOperatingSystem("linux")
        .withArchitecture("amd64")
        .build();
  }

  /** PRETTY_NAME of an os-release file, as the kubelet reports it. */
  static String osImage(Path osRelease) {
    try {
      for (String line : Files.readAllLines(osRelease)) {
        if (line.startsWith("PRETTY_NAME=")) {
          return line.substring("PRETTY_NAME=".length()).replace("\"", "");
        }
      }
    } catch (IOException e) {
      // unknown
    }
    return "Linux";
  }

  private static String readFirstLine(Path path) {
    try {
      List<String> lines = Files.readAllLines(path);
      return lines.isEmpty() ? null : lines.get(0).trim();
    } catch (IOException | SecurityException e) {
      return null;
    }
  }
}
