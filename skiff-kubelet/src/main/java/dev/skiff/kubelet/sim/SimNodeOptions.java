package dev.skiff.kubelet.sim;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How {@link SimulatedNodes} builds its nodes.
 *
 * @param count how many nodes
 * @param namePrefix node names are this prefix followed by the node's index
 * @param firstIndex index of the first node (several processes can share a prefix)
 * @param labels labels on every node, besides the ones the kubelet sets
 * @param zones values of topology.kubernetes.io/zone, given round-robin; empty for none
 * @param podRunTime how long pods with restartPolicy Never/OnFailure run before they exit; null for
 *     forever (a pod's {@code sim.skiff.io/run-seconds} annotation overrides it)
 * @param statusReportFrequency how often an unchanged node status is posted again
 * @param maxInFlight API calls made at once by the heartbeats, and by the pod workers
 * @param kubeletVersion the version reported in nodeInfo
 */
public record SimNodeOptions(
    int count,
    String namePrefix,
    int firstIndex,
    Quantity cpu,
    Quantity memory,
    int maxPods,
    Map<String, String> labels,
    List<Taint> taints,
    List<String> zones,
    Duration podRunTime,
    Duration statusReportFrequency,
    int maxInFlight,
    String kubeletVersion) {

  public SimNodeOptions {
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative");
    }
    if (maxPods < 1 || maxPods > 254) {
      throw new IllegalArgumentException("pods must be between 1 and 254 per simulated node");
    }
    labels = Map.copyOf(labels);
    taints = List.copyOf(taints);
    zones = List.copyOf(zones);
  }

  /** {@code count} nodes named sim-0, sim-1 ... with 32 cpus, 256Gi memory and 110 pods. */
  public static SimNodeOptions of(int count) {
    return new SimNodeOptions(
        count,
        "sim-",
        0,
        new Quantity("32"),
        new Quantity("256Gi"),
        110,
        Map.of(),
        List.of(),
        List.of(),
        null,
        Duration.ofMinutes(1),
        64,
        "v1.32.0");
  }

  public SimNodeOptions withNamePrefix(String prefix) {
    return new SimNodeOptions(
        count,
        prefix,
        firstIndex,
        cpu,
        memory,
        maxPods,
        labels,
        taints,
        zones,
        podRunTime,
        statusReportFrequency,
        maxInFlight,
        kubeletVersion);
  }

  public SimNodeOptions withResources(Quantity cpu, Quantity memory, int maxPods) {
    return new SimNodeOptions(
        count,
        namePrefix,
        firstIndex,
        cpu,
        memory,
        maxPods,
        labels,
        taints,
        zones,
        podRunTime,
        statusReportFrequency,
        maxInFlight,
        kubeletVersion);
  }

  public SimNodeOptions withLabels(Map<String, String> labels) {
    return new SimNodeOptions(
        count,
        namePrefix,
        firstIndex,
        cpu,
        memory,
        maxPods,
        labels,
        taints,
        zones,
        podRunTime,
        statusReportFrequency,
        maxInFlight,
        kubeletVersion);
  }

  public SimNodeOptions withTaints(List<Taint> taints) {
    return new SimNodeOptions(
        count,
        namePrefix,
        firstIndex,
        cpu,
        memory,
        maxPods,
        labels,
        taints,
        zones,
        podRunTime,
        statusReportFrequency,
        maxInFlight,
        kubeletVersion);
  }

  public SimNodeOptions withZones(List<String> zones) {
    return new SimNodeOptions(
        count,
        namePrefix,
        firstIndex,
        cpu,
        memory,
        maxPods,
        labels,
        taints,
        zones,
        podRunTime,
        statusReportFrequency,
        maxInFlight,
        kubeletVersion);
  }

  public SimNodeOptions withPodRunTime(Duration podRunTime) {
    return new SimNodeOptions(
        count,
        namePrefix,
        firstIndex,
        cpu,
        memory,
        maxPods,
        labels,
        taints,
        zones,
        podRunTime,
        statusReportFrequency,
        maxInFlight,
        kubeletVersion);
  }

  public SimNodeOptions withKubeletVersion(String kubeletVersion) {
    return new SimNodeOptions(
        count,
        namePrefix,
        firstIndex,
        cpu,
        memory,
        maxPods,
        labels,
        taints,
        zones,
        podRunTime,
        statusReportFrequency,
        maxInFlight,
        kubeletVersion);
  }

  public SimNodeOptions withFirstIndex(int firstIndex) {
    return new SimNodeOptions(
        count,
        namePrefix,
        firstIndex,
        cpu,
        memory,
        maxPods,
        labels,
        taints,
        zones,
        podRunTime,
        statusReportFrequency,
        maxInFlight,
        kubeletVersion);
  }
}
