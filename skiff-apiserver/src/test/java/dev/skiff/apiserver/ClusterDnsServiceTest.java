package dev.skiff.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The server creates the selector-less kube-system/kube-dns Service at start. */
class ClusterDnsServiceTest {
  @RegisterExtension static final AdminControlPlane cluster = new AdminControlPlane();

  @Test
  void kubeDnsServiceHasTheClusterDnsIpBothPortsAndNoSelector() {
    Service service =
        cluster.admin().services().inNamespace("kube-system").withName("kube-dns").get();

    assertThat(service).isNotNull();
    assertThat(service.getSpec().getClusterIP()).isEqualTo("10.43.0.10");
    assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(service.getSpec().getSelector()).isNullOrEmpty();
    assertThat(service.getMetadata().getLabels())
        .containsEntry("k8s-app", "kube-dns")
        .containsEntry("kubernetes.io/name", "CoreDNS");
    assertThat(service.getSpec().getPorts())
        .extracting(ServicePort::getName, ServicePort::getProtocol, ServicePort::getPort)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("dns", "UDP", 53),
            org.assertj.core.groups.Tuple.tuple("dns-tcp", "TCP", 53));
  }
}
