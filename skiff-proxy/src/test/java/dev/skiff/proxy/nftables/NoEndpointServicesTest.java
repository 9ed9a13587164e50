package dev.skiff.proxy.nftables;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.proxy.state.Endpoint;
import dev.skiff.proxy.state.ProxyState;
import dev.skiff.proxy.state.ServicePortInfo;
import dev.skiff.proxy.state.ServicePortName;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Services without endpoints are rejected, whatever other services there are. */
class NoEndpointServicesTest {

  @Test
  void everyServiceWithoutEndpointsGoesToTheRejectChain() {
    ServicePortName api = new ServicePortName("default", "api", "http", "TCP");
    ServicePortName dns = new ServicePortName("kube-system", "kube-dns", "dns", "UDP");
    ServicePortName dnsTcp = new ServicePortName("kube-system", "kube-dns", "dns-tcp", "TCP");
    ServicePortName kubernetes = new ServicePortName("default", "kubernetes", "https", "TCP");
    Endpoint apiserver = new Endpoint("127.0.0.1", 6443, true, true, false, false);
    ProxyState state =
        new ProxyState(
            Map.of(
                api, ServicePortInfo.clusterIP(api, "10.43.0.21", 80),
                dns, ServicePortInfo.clusterIP(dns, "10.43.0.10", 53),
                dnsTcp, ServicePortInfo.clusterIP(dnsTcp, "10.43.0.10", 53),
                kubernetes, ServicePortInfo.clusterIP(kubernetes, "10.43.0.1", 443)),
            Map.of(kubernetes, List.of(apiserver)));

    String script =
        new NftablesRules("10.42.0.0/16").generate(state, true, n -> true, Set.of()).script();

    assertThat(script)
        .contains("no-endpoint-services { 10.43.0.21 . tcp . 80 : goto reject-chain }")
        .contains("no-endpoint-services { 10.43.0.10 . udp . 53 : goto reject-chain }")
        .contains("service-ips { 10.43.0.1 . tcp . 443 : goto ")
        .doesNotContain("service-ips { 10.43.0.21");
  }
}
