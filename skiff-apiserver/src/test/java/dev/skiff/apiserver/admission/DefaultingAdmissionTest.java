package dev.skiff.apiserver.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.apiserver.AdminControlPlane;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.LimitRangeBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** LimitRanger and DefaultStorageClass through the API. */
class DefaultingAdmissionTest {
  @RegisterExtension static final AdminControlPlane cluster = new AdminControlPlane();

  private static Pod pod(String name, String cpuLimit) {
    ContainerBuilder container = new ContainerBuilder().withName("c").withImage("busybox");
    if (cpuLimit != null) {
      container.withNewResources().addToLimits("cpu", new Quantity(cpuLimit)).endResources();
    }
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .addToContainers(container.build())
        .endSpec()
        .build();
  }

  @Test
  void limitRangesDefaultAndBoundContainers() {
    cluster
        .admin()
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName("limited").endMetadata().build())
        .create();
    cluster
        .admin()
        .limitRanges()
        .inNamespace("limited")
        .resource(
            new LimitRangeBuilder()
                .withNewMetadata()
                .withName("defaults")
                .endMetadata()
                .withNewSpec()
                .addNewLimit()
                .withType("Container")
                .addToDefault("cpu", new Quantity("500m"))
                .addToDefaultRequest("cpu", new Quantity("100m"))
                .addToMax("cpu", new Quantity("1"))
                .endLimit()
                .endSpec()
                .build())
        .create();
    Pod created =
        cluster.admin().pods().inNamespace("limited").resource(pod("plain", null)).create();
    var resources = created.getSpec().getContainers().get(0).getResources();
    assertThat(resources.getLimits()).containsEntry("cpu", new Quantity("500m"));
    assertThat(resources.getRequests()).containsEntry("cpu", new Quantity("100m"));
    assertThat(created.getMetadata().getAnnotations())
        .containsEntry(
            "kubernetes.io/limit-ranger",
            "LimitRanger plugin set: cpu request for container c; cpu limit for container c");
    try {
      cluster.admin().pods().inNamespace("limited").resource(pod("greedy", "2")).create();
      throw new AssertionError("expected 403");
    } catch (KubernetesClientException e) {
      assertThat(e.getCode()).isEqualTo(403);
      assertThat(e.getStatus().getMessage())
          .isEqualTo(
              "pods \"greedy\" is forbidden: maximum cpu usage per Container is 1, but limit is 2");
    }
  }

  @Test
  void claimsWithoutAClassGetTheDefaultOne() {
    cluster
        .admin()
        .storage()
        .v1()
        .storageClasses()
        .resource(
            new StorageClassBuilder()
                .withNewMetadata()
                .withName("fast")
                .addToAnnotations("storageclass.kubernetes.io/is-default-class", "true")
                .endMetadata()
                .withProvisioner("example.com/fast")
                .build())
        .create();
    var claim =
        cluster
            .admin()
            .persistentVolumeClaims()
            .inNamespace("default")
            .resource(
                new PersistentVolumeClaimBuilder()
                    .withNewMetadata()
                    .withName("data")
                    .endMetadata()
                    .withNewSpec()
                    .withAccessModes("ReadWriteOnce")
                    .withNewResources()
                    .addToRequests("storage", new Quantity("1Gi"))
                    .endResources()
                    .endSpec()
                    .build())
            .create();
    assertThat(claim.getSpec().getStorageClassName()).isEqualTo("fast");
  }
}
