package dev.skiff.apiserver.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.apiserver.ControlPlane;
import dev.skiff.apiserver.ControlPlaneOptions;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
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

/** The ServiceAccount and DefaultTolerationSeconds plugins in a running API server. */
class ServiceAccountAdmissionApiTest {
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

  private static Pod pod(String name, String account) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withServiceAccountName(account)
        .addNewContainer()
        .withName("c")
        .withImage("busybox")
        .endContainer()
        .endSpec()
        .build();
  }

  @Test
  void podsGetTheirServiceAccountTokenAndDefaultTolerations() {
    admin
        .serviceAccounts()
        .inNamespace("default")
        .resource(
            new ServiceAccountBuilder().withNewMetadata().withName("robot").endMetadata().build())
        .create();

    Pod created = admin.pods().inNamespace("default").resource(pod("worker", "robot")).create();

    assertThat(created.getSpec().getServiceAccount()).isEqualTo("robot");
    List<Volume> volumes = created.getSpec().getVolumes();
    assertThat(volumes).hasSize(1);
    Volume token = volumes.getFirst();
    assertThat(token.getName()).matches("kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}");
    assertThat(token.getProjected().getDefaultMode()).isEqualTo(420);
    assertThat(
            token
                .getProjected()
                .getSources()
                .get(0)
                .getServiceAccountToken()
                .getExpirationSeconds())
        .isEqualTo(3607L);
    assertThat(token.getProjected().getSources().get(1).getConfigMap().getName())
        .isEqualTo("kube-root-ca.crt");
    assertThat(
            token
                .getProjected()
                .getSources()
                .get(2)
                .getDownwardAPI()
                .getItems()
                .get(0)
                .getFieldRef()
                .getFieldPath())
        .isEqualTo("metadata.namespace");
    VolumeMount mount = created.getSpec().getContainers().get(0).getVolumeMounts().get(0);
    assertThat(mount.getName()).isEqualTo(token.getName());
    assertThat(mount.getMountPath()).isEqualTo("/var/run/secrets/kubernetes.io/serviceaccount");
    assertThat(mount.getReadOnly()).isTrue();
    assertThat(created.getSpec().getTolerations())
        .extracting(
            Toleration::getKey,
            Toleration::getOperator,
            Toleration::getEffect,
            Toleration::getTolerationSeconds)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "node.kubernetes.io/not-ready", "Exists", "NoExecute", 300L),
            org.assertj.core.groups.Tuple.tuple(
                "node.kubernetes.io/unreachable", "Exists", "NoExecute", 300L));
  }

  @Test
  void aMissingServiceAccountIsForbidden() {
    assertThatThrownBy(
            () -> admin.pods().inNamespace("default").resource(pod("lost", "ghost")).create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(403);
              assertThat(e.getStatus().getMessage())
                  .isEqualTo(
                      "pods \"lost\" is forbidden: error looking up service account"
                          + " default/ghost: serviceaccount \"ghost\" not found");
            });
    assertThat(admin.pods().inNamespace("default").withName("lost").get()).isNull();
  }
}
