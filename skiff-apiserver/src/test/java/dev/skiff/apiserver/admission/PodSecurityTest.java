package dev.skiff.apiserver.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.apiserver.AdminControlPlane;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Pod Security enforce mode by namespace label. */
class PodSecurityTest {
  @RegisterExtension static final AdminControlPlane cluster = new AdminControlPlane();

  @BeforeAll
  static void start() throws Exception {
    for (String level : List.of("baseline", "restricted")) {
      cluster
          .admin()
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
      cluster.admin().pods().inNamespace(namespace).resource(pod).create();
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
    assertThat(
            cluster.admin().pods().inNamespace("baseline").resource(pod("plain").build()).create())
        .isNotNull();
    // no label: privileged
    assertThat(cluster.admin().pods().inNamespace("default").resource(privileged).create())
        .isNotNull();
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
    assertThat(cluster.admin().pods().inNamespace("restricted").resource(hardened).create())
        .isNotNull();
  }
}
