package dev.skiff.scheduler.testing;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** Compact builders for the nodes and pods of scheduler tests. */
public final class Objects {
  private Objects() {}

  /**
   * A node with allocatable {@code cpu}, {@code memory} and 110 pods, labelled with its hostname.
   */
  public static NodeBuilder node(String name, String cpu, String memory) {
    Map<String, Quantity> allocatable = new LinkedHashMap<>();
    allocatable.put("cpu", new Quantity(cpu));
    allocatable.put("memory", new Quantity(memory));
    allocatable.put("pods", new Quantity("110"));
    allocatable.put("ephemeral-storage", new Quantity("100Gi"));
    return new NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .addToLabels("kubernetes.io/hostname", name)
        .endMetadata()
        .withNewSpec()
        .endSpec()
        .withNewStatus()
        .withAllocatable(allocatable)
        .withCapacity(new HashMap<>(allocatable))
        .endStatus();
  }

  public static Node node(String name) {
    return node(name, "4", "8Gi").build();
  }

  public static Taint taint(String key, String value, String effect) {
    Taint t = new Taint();
    t.setKey(key);
    t.setValue(value);
    t.setEffect(effect);
    return t;
  }

  /** A container requesting {@code cpu} and {@code memory} (null leaves a request out). */
  public static Container container(String name, String cpu, String memory) {
    ContainerBuilder b = new ContainerBuilder().withName(name).withImage("busybox");
    Map<String, Quantity> requests = new LinkedHashMap<>();
    if (cpu != null) {
      requests.put("cpu", new Quantity(cpu));
    }
    if (memory != null) {
      requests.put("memory", new Quantity(memory));
    }
    return b.withNewResources().withRequests(requests).endResources().build();
  }

  /** A pending pod in namespace default with one container requesting cpu and memory. */
  public static PodBuilder pod(String name, String cpu, String memory) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("default")
        .withUid(UUID.nameUUIDFromBytes(("default/" + name).getBytes()).toString())
        .withCreationTimestamp("2026-01-01T00:00:00Z")
        .endMetadata()
        .withNewSpec()
        .withContainers(container("c", cpu, memory))
        .endSpec()
        .withNewStatus()
        .withPhase("Pending")
        .endStatus();
  }

  public static Pod pod(String name) {
    return pod(name, null, null).build();
  }

  /** The pod bound to {@code node}. */
  public static Pod onNode(Pod pod, String node) {
    return new PodBuilder(pod).editSpec().withNodeName(node).endSpec().build();
  }
}
