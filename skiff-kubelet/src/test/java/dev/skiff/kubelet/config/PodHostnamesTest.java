package dev.skiff.kubelet.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.kubelet.pod.PodConfigException;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

class PodHostnamesTest {
  private static Pod pod(String name, String hostname, String subdomain, Boolean fqdn) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("shop")
        .endMetadata()
        .withNewSpec()
        .withHostname(hostname)
        .withSubdomain(subdomain)
        .withSetHostnameAsFQDN(fqdn)
        .endSpec()
        .build();
  }

  @Test
  void podNameUnlessHostnameIsSet() throws PodConfigException {
    assertThat(PodHostnames.hostname(pod("web-0", null, null, null))).isEqualTo("web-0");
    assertThat(PodHostnames.hostname(pod("web-0", "db", null, null))).isEqualTo("db");
  }

  @Test
  void longNamesAreCutTo63WithoutTrailingDashOrDot() throws PodConfigException {
    String name = "a".repeat(61) + "-.-bcd";

    assertThat(PodHostnames.hostname(pod(name, null, null, null))).isEqualTo("a".repeat(61));
  }

  @Test
  void subdomainGivesTheServiceDomain() throws PodConfigException {
    Pod pod = pod("web-0", "web-0", "web", null);

    assertThat(PodHostnames.domain(pod, "cluster.local")).isEqualTo("web.shop.svc.cluster.local");
    assertThat(PodHostnames.kernelHostname(pod, "cluster.local")).isEqualTo("web-0");
    assertThat(PodHostnames.domain(pod("x", null, null, null), "cluster.local")).isEmpty();
  }

  @Test
  void setHostnameAsFqdnPutsTheFqdnInTheKernel() throws PodConfigException {
    Pod pod = pod("web-0", null, "web", true);

    assertThat(PodHostnames.kernelHostname(pod, "cluster.local"))
        .isEqualTo("web-0.web.shop.svc.cluster.local");
    assertThatThrownBy(
            () ->
                PodHostnames.kernelHostname(
                    pod("w".repeat(40), null, "web", true), "cluster.local"))
        .isInstanceOf(PodConfigException.class)
        .hasMessageContaining("is too long (64 characters is the max, 67 characters requested)");
  }

  @Test
  void invalidHostnameIsRejected() {
    assertThatThrownBy(() -> PodHostnames.hostname(pod("p", "Not_A_Label", null, null)))
        .hasMessageStartingWith("pod Hostname \"Not_A_Label\" is not a valid DNS label");
  }
}
