package dev.skiff.kubelet.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PodNetworkOptionsTest {
  @Test
  void defaultsFollowTheDataDirectory() {
    PodNetworkOptions options = PodNetworkOptions.defaults("n1", Path.of("/var/lib/skiff"));

    assertThat(options.clusterCidr()).isEqualTo("10.42.0.0/16");
    assertThat(options.backend()).isEqualTo(PodNetworkOptions.Backend.HOST_GW);
    assertThat(options.cniConfDir()).isEqualTo(Path.of("/var/lib/skiff/agent/etc/cni/net.d"));
    assertThat(options.ipamDataDir()).isEqualTo(Path.of("/var/lib/skiff/agent/cni/networks"));
  }

  @Test
  void backendFlagValues() {
    assertThat(PodNetworkOptions.Backend.parse("host-gw"))
        .isEqualTo(PodNetworkOptions.Backend.HOST_GW);
    assertThat(PodNetworkOptions.Backend.parse("vxlan")).isEqualTo(PodNetworkOptions.Backend.VXLAN);
    assertThatThrownBy(() -> PodNetworkOptions.Backend.parse("wireguard"))
        .hasMessage("unsupported --flannel-backend wireguard (supported: host-gw, vxlan)");
  }

  @Test
  void aMalformedClusterCidrIsRefused() {
    assertThatThrownBy(
            () -> PodNetworkOptions.defaults("n1", Path.of("/d")).withClusterCidr("10.42.0.0"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void vtepMacsAreDerivedFromTheNodeIp() {
    assertThat(VxlanRoutes.vtepMac("192.168.10.2")).isEqualTo("0e:5c:c0:a8:0a:02");
  }
}
