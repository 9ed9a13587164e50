package dev.skiff.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ServiceNetworkTest {

  @Test
  void defaultsAreK3s() {
    ServiceNetwork network = ServiceNetwork.defaults();

    assertThat(network.serviceCidr()).isEqualTo("10.43.0.0/16");
    assertThat(network.kubernetesServiceIp()).isEqualTo("10.43.0.1");
    assertThat(network.clusterDns()).isEqualTo("10.43.0.10");
  }

  @Test
  void theClusterDnsDefaultsToTheTenthAddressOfTheRange() {
    ServiceNetwork network = ServiceNetwork.of("10.96.0.0/12", null);

    assertThat(network.kubernetesServiceIp()).isEqualTo("10.96.0.1");
    assertThat(network.clusterDns()).isEqualTo("10.96.0.10");
  }

  record Bad(String name, String serviceCidr, String clusterDns, String message) {}

  static List<Bad> badFlags() {
    return List.of(
        new Bad("dns outside", "10.43.0.0/16", "10.44.0.10", "not a host address"),
        new Bad("dns is the network address", "10.43.0.0/16", "10.43.0.0", "not a host address"),
        new Bad("dns is broadcast", "10.43.0.0/16", "10.43.255.255", "not a host address"),
        new Bad("dns is the kubernetes IP", "10.43.0.0/16", "10.43.0.1", "kubernetes Service"),
        new Bad("dns not an IP", "10.43.0.0/16", "dns.local", "not an IPv4 address"),
        new Bad("octet too big", "10.43.0.0/16", "10.43.0.300", "not an IPv4 address"),
        new Bad("cidr without prefix", "10.43.0.0", null, "not an IPv4 CIDR"),
        new Bad("cidr prefix too long", "10.43.0.0/31", "10.43.0.1", "between 8 and 30"),
        new Bad("range too small for .10", "10.43.0.0/29", null, "too small"));
  }

  @ParameterizedTest
  @MethodSource("badFlags")
  void badFlagsAreRefusedWithTheFlagNamed(Bad bad) {
    assertThatThrownBy(() -> ServiceNetwork.of(bad.serviceCidr(), bad.clusterDns()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(bad.message())
        .hasMessageStartingWith("--");
  }

  @Test
  void aControlPlaneServesItsServiceNetwork(@TempDir Path dataDir) throws Exception {
    ControlPlaneOptions options =
        new ControlPlaneOptions(
                dataDir,
                "127.0.0.1",
                0,
                "memory://",
                null,
                null,
                null,
                List.of(),
                dataDir.resolve("admin.kubeconfig"))
            .withDisabledAdmissionPlugins("ServiceAccount");
    try (ControlPlane controlPlane =
            ControlPlane.start(options, ServiceNetwork.of("10.96.0.0/16", "10.96.0.53"));
        KubernetesClient admin =
            new KubernetesClientBuilder()
                .withConfig(
                    Config.fromKubeconfig(Files.readString(dataDir.resolve("admin.kubeconfig"))))
                .build()) {
      assertThat(
              admin
                  .services()
                  .inNamespace("kube-system")
                  .withName("kube-dns")
                  .get()
                  .getSpec()
                  .getClusterIP())
          .isEqualTo("10.96.0.53");
      assertThat(
              admin
                  .services()
                  .inNamespace("default")
                  .withName("kubernetes")
                  .get()
                  .getSpec()
                  .getClusterIP())
          .isEqualTo("10.96.0.1");
      Service web =
          admin
              .services()
              .inNamespace("default")
              .resource(
                  new ServiceBuilder()
                      .withNewMetadata()
                      .withName("web")
                      .endMetadata()
                      .withNewSpec()
                      .addNewPort()
                      .withPort(80)
                      .endPort()
                      .endSpec()
                      .build())
              .create();
      assertThat(web.getSpec().getClusterIP()).startsWith("10.96.");
    }
  }
}
