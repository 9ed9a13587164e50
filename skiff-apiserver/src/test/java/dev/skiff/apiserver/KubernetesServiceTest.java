package dev.skiff.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class KubernetesServiceTest {
  @RegisterExtension static final AdminControlPlane cluster = new AdminControlPlane();

  @Test
  void theKubernetesServiceHasTheFirstClusterIpAndPointsAtThisServer() {
    Service service =
        cluster.admin().services().inNamespace("default").withName("kubernetes").get();
    assertThat(service.getSpec().getClusterIP()).isEqualTo("10.43.0.1");
    assertThat(service.getSpec().getPorts().get(0).getName()).isEqualTo("https");
    assertThat(service.getSpec().getPorts().get(0).getPort()).isEqualTo(443);
    assertThat(service.getSpec().getPorts().get(0).getTargetPort().getIntVal())
        .isEqualTo(cluster.controlPlane().port());

    Endpoints endpoints =
        cluster.admin().endpoints().inNamespace("default").withName("kubernetes").get();
    assertThat(endpoints.getSubsets().get(0).getAddresses().get(0).getIp()).isEqualTo("127.0.0.1");
    assertThat(endpoints.getSubsets().get(0).getPorts().get(0).getPort())
        .isEqualTo(cluster.controlPlane().port());

    EndpointSlice slice =
        cluster
            .admin()
            .discovery()
            .v1()
            .endpointSlices()
            .inNamespace("default")
            .withName("kubernetes")
            .get();
    assertThat(slice.getEndpoints().get(0).getAddresses()).containsExactly("127.0.0.1");
  }

  @Test
  void theNextServiceGetsAnotherAddress() {
    Service other =
        cluster
            .admin()
            .services()
            .inNamespace("default")
            .resource(
                new io.fabric8.kubernetes.api.model.ServiceBuilder()
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
    assertThat(other.getSpec().getClusterIP()).startsWith("10.43.").isNotEqualTo("10.43.0.1");
  }

  @Test
  void advertiseAddressIsTheBindAddressUnlessItIsAWildcard() {
    assertThat(KubernetesService.advertiseAddress("192.0.2.7")).isEqualTo("192.0.2.7");
    assertThat(KubernetesService.advertiseAddress("0.0.0.0")).isNotEqualTo("0.0.0.0");
  }
}
