package dev.skiff.apiserver.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.apiserver.AdminControlPlane;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Priority admission: priorityClassName resolved into spec.priority. */
class PriorityAdmissionTest {
  @RegisterExtension static final AdminControlPlane cluster = new AdminControlPlane();

  private static Pod pod(String name, String priorityClass) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withPriorityClassName(priorityClass)
        .addNewContainer()
        .withName("c")
        .withImage("busybox")
        .endContainer()
        .endSpec()
        .build();
  }

  @Test
  void classesResolveIntoPriorities() {
    assertThat(
            cluster
                .admin()
                .scheduling()
                .v1()
                .priorityClasses()
                .withName("system-node-critical")
                .get()
                .getValue())
        .isEqualTo(2000001000);
    cluster
        .admin()
        .scheduling()
        .v1()
        .priorityClasses()
        .resource(
            new PriorityClassBuilder()
                .withNewMetadata()
                .withName("high")
                .endMetadata()
                .withValue(1000)
                .withPreemptionPolicy("Never")
                .build())
        .create();
    Pod high = cluster.admin().pods().inNamespace("default").resource(pod("high", "high")).create();
    assertThat(high.getSpec().getPriority()).isEqualTo(1000);
    assertThat(high.getSpec().getPreemptionPolicy()).isEqualTo("Never");
    Pod plain = cluster.admin().pods().inNamespace("default").resource(pod("plain", null)).create();
    assertThat(plain.getSpec().getPriority()).isZero();
    Pod critical =
        cluster
            .admin()
            .pods()
            .inNamespace("kube-system")
            .resource(pod("critical", "system-cluster-critical"))
            .create();
    assertThat(critical.getSpec().getPriority()).isEqualTo(2000000000);
    try {
      cluster.admin().pods().inNamespace("default").resource(pod("lost", "nope")).create();
      throw new AssertionError("expected 403");
    } catch (KubernetesClientException e) {
      assertThat(e.getCode()).isEqualTo(403);
      assertThat(e.getStatus().getMessage())
          .isEqualTo("pods \"lost\" is forbidden: no PriorityClass with name nope was found");
    }
  }
}
