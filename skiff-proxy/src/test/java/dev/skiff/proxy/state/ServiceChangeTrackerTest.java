package dev.skiff.proxy.state;

import static dev.skiff.proxy.Fixtures.Ep.ready;
import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.proxy.Fixtures;
import dev.skiff.proxy.Fixtures.Ep;
import io.fabric8.kubernetes.api.model.Service;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceChangeTrackerTest {
  private static final ServicePortName WEB = new ServicePortName("default", "web", "http", "TCP");

  @Test
  void trackerSnapshotsFollowAddsAndDeletes() {
    ServiceChangeTracker tracker = new ServiceChangeTracker("node-a");
    Service web = Fixtures.clusterIP("default", "web", "10.43.0.5", 80);
    long start = tracker.generation();
    tracker.serviceChanged(web);
    tracker.sliceChanged(Fixtures.slice("default", "web", 8080, ready("10.42.0.1", "node-a")));

    ProxyState state = tracker.snapshot();
    assertThat(tracker.generation()).isEqualTo(start + 2);
    assertThat(state.services().get(WEB).clusterIP()).isEqualTo("10.43.0.5");
    assertThat(state.endpointsOf(WEB))
        .containsExactly(new Endpoint("10.42.0.1", 8080, true, true, false, true));

    tracker.serviceDeleted(web);
    assertThat(tracker.snapshot().services()).isEmpty();
  }

  @Test
  void sameAddressInTwoSlicesCountsOnceAndReadyWins() {
    ProxyState state =
        ServiceChangeTracker.build(
            List.of(Fixtures.clusterIP("default", "web", "10.43.0.5", 80)),
            List.of(
                Fixtures.slice(
                    "default",
                    "web",
                    "web-1",
                    "http",
                    "TCP",
                    8080,
                    new Ep("10.42.0.1", "n", false, false, false)),
                Fixtures.slice(
                    "default", "web", "web-2", "http", "TCP", 8080, ready("10.42.0.1", "n"))),
            "node-a");

    assertThat(state.endpointsOf(WEB)).singleElement().extracting(Endpoint::ready).isEqualTo(true);
  }

  @Test
  void serviceSpecFieldsAreRead() {
    Service lb =
        Fixtures.service("default", "web", "10.43.0.5", 80)
            .editSpec()
            .withType("LoadBalancer")
            .withSessionAffinity("ClientIP")
            .withExternalIPs("192.0.2.10")
            .withExternalTrafficPolicy("Local")
            .editFirstPort()
            .withNodePort(30500)
            .endPort()
            .endSpec()
            .withNewStatus()
            .withNewLoadBalancer()
            .addNewIngress()
            .withIp("192.0.2.20")
            .endIngress()
            .endLoadBalancer()
            .endStatus()
            .build();

    ServicePortInfo info = ServiceChangeTracker.servicePorts(lb).get(WEB);

    assertThat(info.nodePort()).isEqualTo(30500);
    assertThat(info.affinityTimeoutSeconds()).isEqualTo(10800);
    assertThat(info.externalIPs()).containsExactly("192.0.2.10");
    assertThat(info.loadBalancerIPs()).containsExactly("192.0.2.20");
    assertThat(info.externalPolicyLocal()).isTrue();
  }

  @Test
  void loadBalancerIpsInProxyModeAreNotProgrammed() {
    Service lb =
        Fixtures.service("default", "web", "10.43.0.5", 80)
            .editSpec()
            .withType("LoadBalancer")
            .editFirstPort()
            .withNodePort(30500)
            .endPort()
            .endSpec()
            .withNewStatus()
            .withNewLoadBalancer()
            .addNewIngress()
            .withIp("192.0.2.20")
            .withIpMode("VIP")
            .endIngress()
            .addNewIngress()
            .withIp("192.0.2.21")
            .withIpMode("Proxy")
            .endIngress()
            .addNewIngress()
            .withHostname("lb.example.com")
            .endIngress()
            .endLoadBalancer()
            .endStatus()
            .build();

    ServicePortInfo info = ServiceChangeTracker.servicePorts(lb).get(WEB);

    assertThat(info.loadBalancerIPs()).containsExactly("192.0.2.20");
    assertThat(info.nodePort()).isEqualTo(30500);
  }

  @Test
  void servicesOfAnotherProxyAreSkipped() {
    Service other =
        Fixtures.service("default", "web", "10.43.0.5", 80)
            .editMetadata()
            .addToLabels(ServiceChangeTracker.SERVICE_PROXY_NAME_LABEL, "other")
            .endMetadata()
            .build();

    assertThat(ServiceChangeTracker.servicePorts(other)).isEmpty();
  }
}
