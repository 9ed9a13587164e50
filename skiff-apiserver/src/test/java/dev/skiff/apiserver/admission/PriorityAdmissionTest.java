package dev.skiff.apiserver.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.apiserver.ControlPlane;
import dev.skiff.apiserver.ControlPlaneOptions;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Priority admission: priorityClassName resolved into spec.priority. */
class PriorityAdmissionTest {
  @TempDir static Path dataDir;

  private static ControlPlane controlPlane;
  private static KubernetesClient admin;

  @BeforeAll
  static void start() throws Exception {
    controlPlane =
        ControlPlane.start(
            new ControlPlaneOptions(
                dataDir,
                "127.0.0.1",
                0,
                "memory://",
                null,
                null,
                null,
                List.of(),
                dataDir.resolve("admin.kubeconfig")));
    admin =
        new KubernetesClientBuilder()
            .withConfig(
                Config.fromKubeconfig(Files.readString(dataDir.resolve("admin.kubeconfig"))))
            .build();
  }

  @AfterAll
  static void stop() {
    if (admin != null) {
      admin.close();
    }
    if (controlPlane != null) {
      controlPlane.close();
    }
  }

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
            admin
                .scheduling()
                .v1()
                .priorityClasses()
                .withName("system-node-critical")
                .get()
                .getValue())
        .isEqualTo(2000001000);
    admin
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
    Pod high = admin.pods().inNamespace("default").resource(pod("high", "high")).create();
    assertThat(high.getSpec().getPriority()).isEqualTo(1000);
    assertThat(high.getSpec().getPreemptionPolicy()).isEqualTo("Never");
    Pod plain = admin.pods().inNamespace("default").resource(pod("plain", null)).create();
    assertThat(plain.getSpec().getPriority()).isZero();
    Pod critical =
        admin
            .pods()
            .inNamespace("kube-system")
            .resource(pod("critical", "system-cluster-critical"))
            .create();
    assertThat(critical.getSpec().getPriority()).isEqualTo(2000000000);
    try {
      admin.pods().inNamespace("default").resource(pod("lost", "nope")).create();
      throw new AssertionError("expected 403");
    } catch (KubernetesClientException e) {
      assertThat(e.getCode()).isEqualTo(403);
      assertThat(e.getStatus().getMessage())
          .isEqualTo("pods \"lost\" is forbidden: no PriorityClass with name nope was found");
    }
  }
}
