package dev.skiff.apiserver.registry.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.skiff.apiserver.AdminControlPlane;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Service cluster IP and node port allocation over HTTPS with the fabric8 client. */
class ServiceAllocationApiTest {
  @RegisterExtension static final AdminControlPlane cluster = new AdminControlPlane();

  private static Service service(String name, String type, String clusterIp, Integer nodePort) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("default")
        .endMetadata()
        .withNewSpec()
        .withType(type)
        .withClusterIP(clusterIp)
        .addNewPort()
        .withPort(80)
        .withNodePort(nodePort)
        .endPort()
        .endSpec()
        .build();
  }

  private static StatusCause onlyCause(KubernetesClientException e) {
    assertThat(e.getCode()).isEqualTo(422);
    assertThat(e.getStatus().getReason()).isEqualTo("Invalid");
    assertThat(e.getStatus().getDetails().getCauses()).hasSize(1);
    return e.getStatus().getDetails().getCauses().getFirst();
  }

  @Test
  void concurrentCreatesNeverShareAnAddressOrPort() throws Exception {
    KubernetesClient client = cluster.admin();
    List<Callable<Service>> creates = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String name = "conc-" + i;
      creates.add(() -> client.services().resource(service(name, "NodePort", null, null)).create());
    }
    List<Service> created = new ArrayList<>();
    try (var pool = Executors.newFixedThreadPool(8)) {
      for (Future<Service> f : pool.invokeAll(creates)) {
        created.add(f.get());
      }
    }
    assertThat(created).extracting(s -> s.getSpec().getClusterIP()).doesNotHaveDuplicates();
    assertThat(created)
        .extracting(s -> s.getSpec().getPorts().getFirst().getNodePort())
        .doesNotHaveDuplicates()
        .allMatch(NodePortAllocator::inRange);
  }

  @Test
  void concurrentRequestsForOneAddressLetExactlyOneWin() throws Exception {
    KubernetesClient client = cluster.admin();
    List<Callable<Integer>> creates = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      String name = "race-" + i;
      creates.add(
          () -> {
            try {
              client.services().resource(service(name, "ClusterIP", "10.43.7.7", null)).create();
              return 201;
            } catch (KubernetesClientException e) {
              return e.getCode();
            }
          });
    }
    List<Integer> codes = new ArrayList<>();
    try (var pool = Executors.newFixedThreadPool(8)) {
      for (Future<Integer> f : pool.invokeAll(creates)) {
        codes.add(f.get());
      }
    }
    assertThat(codes).containsOnly(201, 422).filteredOn(c -> c == 201).hasSize(1);
  }

  @Test
  void requestedAddressInUseOrOutOfRangeAndNodePortInUseAreInvalid() {
    KubernetesClient client = cluster.admin();
    client.services().resource(service("holder", "NodePort", "10.43.9.9", 30999)).create();

    StatusCause ipInUse =
        onlyCause(
            catchThrowableOfType(
                KubernetesClientException.class,
                () ->
                    client
                        .services()
                        .resource(service("ip-clash", "ClusterIP", "10.43.9.9", null))
                        .create()));
    assertThat(ipInUse.getField()).isEqualTo("spec.clusterIPs");
    assertThat(ipInUse.getMessage()).contains("provided IP is already allocated");

    StatusCause outOfRange =
        onlyCause(
            catchThrowableOfType(
                KubernetesClientException.class,
                () ->
                    client
                        .services()
                        .resource(service("far", "ClusterIP", "192.168.9.9", null))
                        .create()));
    assertThat(outOfRange.getField()).isEqualTo("spec.clusterIPs");
    assertThat(outOfRange.getMessage()).contains("not in the valid range");

    StatusCause portInUse =
        onlyCause(
            catchThrowableOfType(
                KubernetesClientException.class,
                () ->
                    client
                        .services()
                        .resource(service("port-clash", "NodePort", null, 30999))
                        .create()));
    assertThat(portInUse.getField()).isEqualTo("spec.ports[0].nodePort");
    assertThat(portInUse.getMessage()).contains("provided port is already allocated");
  }

  @Test
  void dryRunThenRealCreateWithTheSameAddressSucceeds() {
    KubernetesClient client = cluster.admin();
    Service dry =
        client
            .services()
            .resource(service("dry", "NodePort", "10.43.8.8", 30888))
            .dryRun()
            .create();
    assertThat(dry.getSpec().getClusterIP()).isEqualTo("10.43.8.8");
    assertThat(client.services().inNamespace("default").withName("dry").get()).isNull();

    Service real =
        client.services().resource(service("dry", "NodePort", "10.43.8.8", 30888)).create();
    assertThat(real.getSpec().getClusterIP()).isEqualTo("10.43.8.8");
    assertThat(real.getSpec().getPorts().getFirst().getNodePort()).isEqualTo(30888);
  }
}
