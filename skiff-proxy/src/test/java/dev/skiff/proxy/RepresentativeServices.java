package dev.skiff.proxy;

import static dev.skiff.proxy.Fixtures.Ep.ready;

import dev.skiff.proxy.Fixtures.Ep;
import dev.skiff.proxy.state.ProxyState;
import dev.skiff.proxy.state.ServiceChangeTracker;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.List;
import java.util.Map;

/** The representative services of the golden rule tests, each a name and its objects. */
public final class RepresentativeServices {
  private RepresentativeServices() {}

  public static final String NODE = "node-a";
  public static final String CLUSTER_CIDR = "10.42.0.0/16";

  public record Case(String name, List<Service> services, List<EndpointSlice> slices) {
    public ProxyState state() {
      return ServiceChangeTracker.build(services, slices, NODE);
    }
  }

  public static List<Case> cases() {
    return List.of(
        new Case(
            "clusterip-3-endpoints",
            List.of(Fixtures.clusterIP("default", "web", "10.43.0.20", 80)),
            List.of(
                Fixtures.slice(
                    "default",
                    "web",
                    8080,
                    ready("10.42.0.5", NODE),
                    ready("10.42.1.5", "node-b"),
                    ready("10.42.2.5", "node-c")))),
        new Case(
            "nodeport",
            List.of(
                Fixtures.service("default", "np", "10.43.0.30", 80)
                    .editSpec()
                    .withType("NodePort")
                    .editFirstPort()
                    .withNodePort(30080)
                    .endPort()
                    .endSpec()
                    .build()),
            List.of(
                Fixtures.slice(
                    "default",
                    "np",
                    8080,
                    ready("10.42.0.6", NODE),
                    ready("10.42.1.6", "node-b")))),
        new Case(
            "client-ip-affinity",
            List.of(
                Fixtures.service("default", "sticky", "10.43.0.40", 80)
                    .editSpec()
                    .withSessionAffinity("ClientIP")
                    .withNewSessionAffinityConfig()
                    .withNewClientIP()
                    .withTimeoutSeconds(600)
                    .endClientIP()
                    .endSessionAffinityConfig()
                    .endSpec()
                    .build()),
            List.of(
                Fixtures.slice(
                    "default",
                    "sticky",
                    8080,
                    ready("10.42.0.7", NODE),
                    ready("10.42.1.7", "node-b")))),
        new Case(
            "local-policies",
            List.of(
                Fixtures.service("default", "local", "10.43.0.50", 80)
                    .editSpec()
                    .withType("NodePort")
                    .withExternalTrafficPolicy("Local")
                    .editFirstPort()
                    .withNodePort(30050)
                    .endPort()
                    .endSpec()
                    .build(),
                Fixtures.service("default", "internal", "10.43.0.51", 80)
                    .editSpec()
                    .withInternalTrafficPolicy("Local")
                    .endSpec()
                    .build(),
                Fixtures.service("default", "remote-only", "10.43.0.52", 80)
                    .editSpec()
                    .withType("NodePort")
                    .withExternalTrafficPolicy("Local")
                    .editFirstPort()
                    .withNodePort(30052)
                    .endPort()
                    .endSpec()
                    .build()),
            List.of(
                Fixtures.slice(
                    "default",
                    "local",
                    8080,
                    ready("10.42.0.8", NODE),
                    ready("10.42.1.8", "node-b")),
                Fixtures.slice(
                    "default",
                    "internal",
                    8080,
                    ready("10.42.0.9", NODE),
                    ready("10.42.1.9", "node-b")),
                Fixtures.slice("default", "remote-only", 8080, ready("10.42.1.10", "node-b")))),
        new Case(
            "no-endpoints-and-terminating-fallback",
            List.of(
                Fixtures.service("default", "empty", "10.43.0.60", 80)
                    .editSpec()
                    .withType("NodePort")
                    .editFirstPort()
                    .withNodePort(30060)
                    .endPort()
                    .endSpec()
                    .build(),
                Fixtures.clusterIP("default", "draining", "10.43.0.61", 80)),
            List.of(
                Fixtures.slice(
                    "default", "empty", 8080, new Ep("10.42.0.11", NODE, false, false, false)),
                Fixtures.slice(
                    "default",
                    "draining",
                    8080,
                    new Ep("10.42.0.12", NODE, false, true, true),
                    new Ep("10.42.1.12", "node-b", false, false, true)))),
        new Case(
            "loadbalancer-and-external-ips",
            List.of(
                Fixtures.service("default", "lb", "10.43.0.70", 443)
                    .editSpec()
                    .withType("LoadBalancer")
                    .withExternalIPs("192.0.2.10")
                    .editFirstPort()
                    .withName("https")
                    .withNodePort(30443)
                    .endPort()
                    .endSpec()
                    .withNewStatus()
                    .withNewLoadBalancer()
                    .addNewIngress()
                    .withIp("192.0.2.20")
                    .endIngress()
                    .endLoadBalancer()
                    .endStatus()
                    .build()),
            List.of(
                Fixtures.slice(
                    "default",
                    "lb",
                    "lb-1",
                    "https",
                    "TCP",
                    8443,
                    ready("10.42.0.15", NODE),
                    ready("10.42.1.15", "node-b")))),
        new Case(
            "headless-and-externalname-skipped",
            List.of(
                Fixtures.service("default", "headless", "None", 80).build(),
                Fixtures.service("default", "ext", "", 80)
                    .editSpec()
                    .withType("ExternalName")
                    .withExternalName("example.org")
                    .withClusterIP(null)
                    .endSpec()
                    .build(),
                Fixtures.clusterIP("kube-system", "kube-dns", "10.43.0.10", 53)),
            List.of(
                Fixtures.slice("default", "headless", 8080, ready("10.42.0.13", NODE)),
                Fixtures.slice(
                    "kube-system",
                    "kube-dns",
                    "kube-dns-1",
                    "http",
                    "TCP",
                    53,
                    ready("10.42.0.14", NODE)))));
  }

  public static Map<String, Case> byName() {
    return cases().stream().collect(java.util.stream.Collectors.toMap(Case::name, c -> c));
  }
}
