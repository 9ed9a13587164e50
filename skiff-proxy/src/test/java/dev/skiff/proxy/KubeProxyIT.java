package dev.skiff.proxy;

import static dev.skiff.proxy.Fixtures.Ep.ready;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.proxy.iptables.ChainNames;
import dev.skiff.proxy.state.ServicePortName;
import dev.skiff.testing.SkiffCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** kube-proxy against the in-process API server, its rules applied in a test netns. */
class KubeProxyIT {
  @RegisterExtension static final SkiffCluster cluster = SkiffCluster.memory();

  private static final ServicePortName WEB = new ServicePortName("default", "web", "http", "TCP");

  private TestNetns netns;

  @BeforeEach
  void createNetns() {
    netns = TestNetns.create("skiff-kp");
  }

  @AfterEach
  void cleanUp() {
    KubernetesClient client = cluster.client();
    client.services().inNamespace("default").withName("web").delete();
    client.discovery().v1().endpointSlices().inNamespace("default").withName("web-abc").delete();
    netns.close();
  }

  private ProxyOptions options(ProxyMode mode) {
    return ProxyOptions.defaults("node-a")
        .withMode(mode)
        .withMinSyncPeriod(Duration.ofMillis(100))
        .withCommandRunner(netns.runner());
  }

  @Test
  void iptablesRulesFollowServicesAndEndpointSlices() {
    KubernetesClient client = cluster.client();
    client.services().resource(Fixtures.clusterIP("default", "web", "10.43.0.20", 80)).create();
    client
        .discovery()
        .v1()
        .endpointSlices()
        .resource(Fixtures.slice("default", "web", 8080, ready("10.42.0.5", "node-a")))
        .create();

    try (KubeProxy proxy = new KubeProxy(client, options(ProxyMode.IPTABLES))) {
      proxy.start();
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertThat(netns.run("iptables-save", "-t", "nat"))
                      .contains(":" + ChainNames.service(WEB))
                      .contains("--to-destination 10.42.0.5:8080"));
      assertThat(proxy.appliedState().endpointsOf(WEB))
          .extracting(e -> e.ip() + ":" + e.port() + " local=" + e.local())
          .containsExactly("10.42.0.5:8080 local=true");

      client
          .discovery()
          .v1()
          .endpointSlices()
          .resource(
              Fixtures.slice(
                  "default", "web", 8080, ready("10.42.0.5", "node-a"), ready("10.42.1.5", "b")))
          .update();
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertThat(netns.run("iptables-save", "-t", "nat"))
                      .contains("--to-destination 10.42.1.5:8080"));

      client.services().inNamespace("default").withName("web").delete();
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertThat(netns.run("iptables-save", "-t", "nat"))
                      .doesNotContain(ChainNames.service(WEB))
                      .doesNotContain("10.42.0.5"));
    }
  }

  @Test
  void nftablesRulesFollowServices() {
    // its own service name: the iptables test leaves an EndpointSlice for "web" behind
    KubernetesClient client = cluster.client();
    client.services().resource(Fixtures.clusterIP("default", "api", "10.43.0.21", 80)).create();

    try (KubeProxy proxy = new KubeProxy(client, options(ProxyMode.NFTABLES))) {
      proxy.start();
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertThat(netns.run("nft", "list", "table", "ip", "skiff-proxy"))
                      .contains("10.43.0.21 . tcp . 80 : goto reject-chain"));

      client
          .discovery()
          .v1()
          .endpointSlices()
          .resource(Fixtures.slice("default", "api", 8080, ready("10.42.0.7", "node-a")))
          .create();
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertThat(netns.run("nft", "list", "table", "ip", "skiff-proxy"))
                      .contains("dnat to 10.42.0.7:8080")
                      // other services without endpoints (the server's kube-dns) stay rejected
                      .doesNotContain("10.43.0.21 . tcp . 80 : goto reject-chain"));
    }
  }
}
