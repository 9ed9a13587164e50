package dev.skiff.kubelet.pod;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.kubelet.cri.v1.AuthConfig;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PullSecretsTest {

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static Secret secret(String name, String key, String json) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("ns")
        .endMetadata()
        .addToData(key, b64(json))
        .build();
  }

  private static Pod pod(String... secrets) {
    PodBuilder b =
        new PodBuilder()
            .withNewMetadata()
            .withName("p")
            .withNamespace("ns")
            .withUid("u")
            .endMetadata()
            .withNewSpec()
            .endSpec();
    for (String s : secrets) {
      b.editSpec().addNewImagePullSecret(s).endSpec();
    }
    return b.build();
  }

  @Test
  void matchesTheImagesRegistryAcrossSecretsInOrder() {
    Map<String, Secret> secrets =
        Map.of(
            "ns/hub",
            secret(
                "hub",
                ".dockerconfigjson",
                "{\"auths\":{\"https://index.docker.io/v1/\":{\"username\":\"u1\",\"password\":\"p1\"}}}"),
            "ns/local",
            secret(
                "local",
                ".dockerconfigjson",
                "{\"auths\":{\"http://registry.local:5000\":{\"auth\":\""
                    + b64("u2:p:2")
                    + "\"}}}"),
            "ns/legacy",
            secret(
                "legacy",
                ".dockercfg",
                "{\"registry.local:5000\":{\"username\":\"u3\",\"password\":\"p3\"}}"));
    PullSecrets pullSecrets = new PullSecrets((ns, name) -> secrets.get(ns + "/" + name));

    List<AuthConfig> local =
        pullSecrets.credentials(
            pod("hub", "missing", "local", "legacy"), "registry.local:5000/app:1");
    assertThat(local).extracting(AuthConfig::getUsername).containsExactly("u2", "u3");
    assertThat(local.getFirst().getPassword()).isEqualTo("p:2");
    assertThat(local.getFirst().getServerAddress()).isEqualTo("http://registry.local:5000");

    List<AuthConfig> hub = pullSecrets.credentials(pod("hub", "local"), "busybox:1.36");
    assertThat(hub).extracting(AuthConfig::getUsername).containsExactly("u1");
    assertThat(pullSecrets.credentials(pod(), "busybox")).isEmpty();
  }

  @Test
  void registryOfAnImageReference() {
    assertThat(PullSecrets.registryOf("busybox")).isEqualTo("docker.io");
    assertThat(PullSecrets.registryOf("library/busybox:1")).isEqualTo("docker.io");
    assertThat(PullSecrets.registryOf("docker.io/library/busybox")).isEqualTo("docker.io");
    assertThat(PullSecrets.registryOf("localhost/app")).isEqualTo("localhost");
    assertThat(PullSecrets.registryOf("127.0.0.1:5000/app@sha256:00")).isEqualTo("127.0.0.1:5000");
  }

  @Test
  void unreadableSecretsAreSkipped() {
    Map<String, Secret> secrets = Map.of("ns/bad", secret("bad", ".dockerconfigjson", "not json"));
    PullSecrets pullSecrets = new PullSecrets((ns, name) -> secrets.get(ns + "/" + name));
    assertThat(pullSecrets.credentials(pod("bad"), "busybox")).isEmpty();
  }
}
