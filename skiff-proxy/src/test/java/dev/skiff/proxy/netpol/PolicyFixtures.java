package dev.skiff.proxy.netpol;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Pods, namespaces and policies for network policy tests. */
final class PolicyFixtures {
  private PolicyFixtures() {}

  static Namespace namespace(String name, String... labels) {
    Map<String, String> all = new LinkedHashMap<>(Map.of("kubernetes.io/metadata.name", name));
    all.putAll(map(labels));
    return new NamespaceBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(all)
        .endMetadata()
        .build();
  }

  /** A running pod; {@code ports} are "name:number[/PROTO]" container ports. */
  static Pod pod(
      String ns, String name, String node, String ip, Map<String, String> labels, String... ports) {
    PodBuilder b =
        new PodBuilder()
            .withNewMetadata()
            .withNamespace(ns)
            .withName(name)
            .withLabels(labels)
            .endMetadata()
            .withNewSpec()
            .withNodeName(node)
            .addNewContainer()
            .withName("main")
            .withImage("busybox")
            .endContainer()
            .endSpec()
            .withNewStatus()
            .withPhase("Running")
            .withPodIP(ip)
            .addNewPodIP()
            .withIp(ip)
            .endPodIP()
            .endStatus();
    Pod pod = b.build();
    for (String port : ports) {
      String[] nameAndRest = port.split(":");
      String[] numberAndProto = nameAndRest[1].split("/");
      pod.getSpec()
          .getContainers()
          .getFirst()
          .getPorts()
          .add(
              new io.fabric8.kubernetes.api.model.ContainerPortBuilder()
                  .withName(nameAndRest[0])
                  .withContainerPort(Integer.parseInt(numberAndProto[0]))
                  .withProtocol(numberAndProto.length > 1 ? numberAndProto[1] : "TCP")
                  .build());
    }
    return pod;
  }

  static Map<String, String> map(String... keyValues) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put(keyValues[i], keyValues[i + 1]);
    }
    return m;
  }

  static LabelSelector selector(String... keyValues) {
    return new LabelSelectorBuilder().withMatchLabels(map(keyValues)).build();
  }

  static NetworkPolicyBuilder policy(String ns, String name, LabelSelector podSelector) {
    return new NetworkPolicyBuilder()
        .withNewMetadata()
        .withNamespace(ns)
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withPodSelector(podSelector)
        .endSpec();
  }

  static NetworkPolicyPeer pods(LabelSelector podSelector) {
    return new NetworkPolicyPeerBuilder().withPodSelector(podSelector).build();
  }

  static NetworkPolicyPeer namespaces(LabelSelector namespaceSelector) {
    return new NetworkPolicyPeerBuilder().withNamespaceSelector(namespaceSelector).build();
  }

  static NetworkPolicyPeer podsInNamespaces(LabelSelector pods, LabelSelector namespaces) {
    return new NetworkPolicyPeerBuilder()
        .withPodSelector(pods)
        .withNamespaceSelector(namespaces)
        .build();
  }

  static NetworkPolicyPeer ipBlock(String cidr, String... except) {
    return new NetworkPolicyPeerBuilder()
        .withNewIpBlock()
        .withCidr(cidr)
        .withExcept(List.of(except))
        .endIpBlock()
        .build();
  }

  static NetworkPolicyPort port(String protocol, int port) {
    return new NetworkPolicyPortBuilder()
        .withProtocol(protocol)
        .withPort(new IntOrString(port))
        .build();
  }

  static NetworkPolicyPort namedPort(String protocol, String name) {
    return new NetworkPolicyPortBuilder()
        .withProtocol(protocol)
        .withPort(new IntOrString(name))
        .build();
  }

  static NetworkPolicyPort portRange(String protocol, int port, int endPort) {
    return new NetworkPolicyPortBuilder()
        .withProtocol(protocol)
        .withPort(new IntOrString(port))
        .withEndPort(endPort)
        .build();
  }

  static NetworkPolicyPort protocolOnly(String protocol) {
    return new NetworkPolicyPortBuilder().withProtocol(protocol).build();
  }

  /** A small cluster: node-a holds default/web-1, default/web-2 and other/x-1. */
  static final List<Namespace> NAMESPACES =
      List.of(namespace("default"), namespace("frontend", "team", "frontend"), namespace("other"));

  static final List<Pod> PODS =
      List.of(
          pod("default", "web-1", "node-a", "10.42.0.10", map("app", "web"), "http:8080"),
          pod(
              "default",
              "web-2",
              "node-a",
              "10.42.0.11",
              map("app", "web"),
              "http:9090",
              "metrics:9100"),
          pod("default", "db-1", "node-b", "10.42.1.20", map("app", "db"), "pg:5432"),
          pod("frontend", "ui-1", "node-b", "10.42.1.30", map("app", "ui")),
          pod("frontend", "api-1", "node-a", "10.42.0.31", map("app", "api")),
          pod("other", "x-1", "node-a", "10.42.0.40", map("app", "x")),
          hostNetwork(pod("default", "host-1", "node-a", "192.168.1.5", map("app", "web"))),
          finished(pod("default", "done-1", "node-a", "10.42.0.99", map("app", "web"))));

  static Pod hostNetwork(Pod pod) {
    pod.getSpec().setHostNetwork(true);
    return pod;
  }

  static Pod finished(Pod pod) {
    pod.getStatus().setPhase("Succeeded");
    return pod;
  }

  /** A representative policy and its name (also the golden file's). */
  record Case(String name, List<NetworkPolicy> policies) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Case> representative() {
    return List.of(
        new Case(
            "deny-all-ingress",
            List.of(
                policy("default", "deny-all", new LabelSelector())
                    .editSpec()
                    .withPolicyTypes("Ingress")
                    .endSpec()
                    .build())),
        new Case(
            "allow-from-namespace",
            List.of(
                policy("default", "allow-frontend", selector("app", "web"))
                    .editSpec()
                    .addNewIngress()
                    .withFrom(namespaces(selector("team", "frontend")))
                    .endIngress()
                    .endSpec()
                    .build())),
        new Case(
            "ipblock-except",
            List.of(
                policy("default", "from-block", selector("app", "web"))
                    .editSpec()
                    .addNewIngress()
                    .withFrom(ipBlock("10.0.0.0/8", "10.42.0.0/16", "10.1.2.0/24"))
                    .withPorts(port("TCP", 8080))
                    .endIngress()
                    .endSpec()
                    .build())),
        new Case(
            "named-port",
            List.of(
                policy("default", "http-from-db", selector("app", "web"))
                    .editSpec()
                    .addNewIngress()
                    .withFrom(pods(selector("app", "db")))
                    .withPorts(namedPort("TCP", "http"))
                    .endIngress()
                    .endSpec()
                    .build())),
        new Case(
            "end-port",
            List.of(
                policy("other", "port-range", new LabelSelector())
                    .editSpec()
                    .addNewIngress()
                    .withFrom(podsInNamespaces(selector("app", "ui"), selector("team", "frontend")))
                    .withPorts(portRange("TCP", 32000, 32768), portRange("SCTP", 9000, 9010))
                    .endIngress()
                    .endSpec()
                    .build())),
        new Case(
            "egress-deny-with-dns",
            List.of(
                policy("frontend", "egress-dns-only", new LabelSelector())
                    .editSpec()
                    .withPolicyTypes("Egress")
                    .addNewEgress()
                    .withPorts(port("UDP", 53), port("TCP", 53))
                    .endEgress()
                    .addNewEgress()
                    .withTo(podsInNamespaces(selector("app", "db"), new LabelSelector()))
                    .withPorts(namedPort("TCP", "pg"))
                    .endEgress()
                    .endSpec()
                    .build())));
  }
}
