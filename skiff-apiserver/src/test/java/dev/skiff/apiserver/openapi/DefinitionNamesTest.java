package dev.skiff.apiserver.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DefinitionNamesTest {
  record Case(String name, Class<?> type, String expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case("core kind", Pod.class, "io.k8s.api.core.v1.Pod"),
        new Case(
            "meta type in fabric8's core package",
            ObjectMeta.class,
            "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"),
        new Case("status", Status.class, "io.k8s.apimachinery.pkg.apis.meta.v1.Status"),
        new Case("quantity", Quantity.class, "io.k8s.apimachinery.pkg.api.resource.Quantity"),
        new Case(
            "int or string", IntOrString.class, "io.k8s.apimachinery.pkg.util.intstr.IntOrString"),
        new Case("unversioned fabric8 package", Deployment.class, "io.k8s.api.apps.v1.Deployment"),
        new Case(
            "versioned fabric8 package",
            HorizontalPodAutoscaler.class,
            "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler"),
        new Case("batch", Job.class, "io.k8s.api.batch.v1.Job"),
        new Case("networking", Ingress.class, "io.k8s.api.networking.v1.Ingress"),
        new Case("rbac", ClusterRole.class, "io.k8s.api.rbac.v1.ClusterRole"),
        new Case("storage", StorageClass.class, "io.k8s.api.storage.v1.StorageClass"),
        new Case(
            "apiextensions",
            CustomResourceDefinition.class,
            "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition"));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void namesModelTypesAsKubernetesDoes(Case c) {
    assertThat(DefinitionNames.of(c.type())).isEqualTo(c.expected());
  }

  @Test
  void customResourcesReverseTheirGroup() {
    assertThat(DefinitionNames.custom("stable.example.com", "v1", "CronTab"))
        .isEqualTo("com.example.stable.v1.CronTab");
  }
}
