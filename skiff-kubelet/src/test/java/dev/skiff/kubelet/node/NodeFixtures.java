package dev.skiff.kubelet.node;

import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeSystemInfoBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;

final class NodeFixtures {
  private NodeFixtures() {}

  static NodeConfig config(String name) {
    Map<String, Quantity> resources =
        Map.of(
            "cpu", new Quantity("4"), "memory", new Quantity("8Gi"), "pods", new Quantity("110"));
    return new NodeConfig(
        name,
        Map.of("kubernetes.io/hostname", name),
        List.of(),
        resources,
        resources,
        List.of(new NodeAddress("172.16.0.1", "InternalIP"), new NodeAddress(name, "Hostname")),
        new NodeSystemInfoBuilder()
            .withKubeletVersion("v1.32.0")
            .withOperatingSystem("linux")
            .build(),
        10250,
        null);
  }
}
