package dev.skiff.apiserver.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.apiserver.ControlPlane;
import dev.skiff.apiserver.ControlPlaneOptions;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
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

/** Pod Security enforce mode by namespace label. */
class PodSecurityTest {
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
    for (String level : List.of("baseline", "restricted")) {
      admin
          .namespaces()
          .resource(
              new NamespaceBuilder()
                  .withNewMetadata()
                  .withName(level)
                  .addToLabels("pod-security.kubernetes.io/enforce", level)
                  .endMetadata()
                  .build())
          .create();
    }
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

  private static PodBuilder pod(String name) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("c")
        .withImage("busybox")
        .endContainer()
        .endSpec();
  }

  private static String denied(String namespace, Pod pod) {
    try {
      admin.pods().inNamespace(namespace).resource(pod).create();
    } catch (KubernetesClientException e) {
      assertThat(e.getCode()).isEqualTo(403);
      return e.getStatus().getMessage();
    }
    throw new AssertionError("expected 403");
  }

  @Test
  void baselineRefusesHostAccessAndPrivilege() {
    Pod privileged =
        pod("priv")
            .editSpec()
            .withHostNetwork(true)
            .editFirstContainer()
            .withNewSecurityContext()
            .withPrivileged(true)
            .endSecurityContext()
            .endContainer()
            .endSpec()
            .build();
    assertThat(denied("baseline", privileged))
        .isEqualTo(
            "pods \"priv\" is forbidden: violates PodSecurity \"baseline:latest\": host namespaces"
                + " (hostNetwork=true), privileged (container \"c\" must not set"
                + " securityContext.privileged=true)");
    assertThat(admin.pods().inNamespace("baseline").resource(pod("plain").build()).create())
        .isNotNull();
    // no label: privileged
    assertThat(admin.pods().inNamespace("default").resource(privileged).create()).isNotNull();
  }

  @Test
  void restrictedRequiresHardenedContainers() {
    assertThat(denied("restricted", pod("loose").build()))
        .isEqualTo(
            "pods \"loose\" is forbidden: violates PodSecurity \"restricted:latest\":"
                + " allowPrivilegeEscalation != false (container \"c\" must set"
                + " securityContext.allowPrivilegeEscalation=false), unrestricted capabilities"
                + " (container \"c\" must set securityContext.capabilities.drop=[\"ALL\"]),"
                + " runAsNonRoot != true (pod or container \"c\" must set"
                + " securityContext.runAsNonRoot=true), seccompProfile (pod or container \"c\""
                + " must set securityContext.seccompProfile.type to \"RuntimeDefault\" or"
                + " \"Localhost\")");
    Pod hardened =
        pod("hardened")
            .editSpec()
            .withNewSecurityContext()
            .withRunAsNonRoot(true)
            .withNewSeccompProfile()
            .withType("RuntimeDefault")
            .endSeccompProfile()
            .endSecurityContext()
            .editFirstContainer()
            .withNewSecurityContext()
            .withAllowPrivilegeEscalation(false)
            .withNewCapabilities()
            .withDrop("ALL")
            .endCapabilities()
            .endSecurityContext()
            .endContainer()
            .endSpec()
            .build();
    assertThat(admin.pods().inNamespace("restricted").resource(hardened).create()).isNotNull();
  }
}
