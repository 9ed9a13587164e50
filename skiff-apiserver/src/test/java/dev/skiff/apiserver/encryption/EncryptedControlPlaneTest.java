package dev.skiff.apiserver.encryption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.apiserver.ControlPlane;
import dev.skiff.apiserver.ControlPlaneOptions;
import dev.skiff.storage.KeyValue;
import dev.skiff.storage.Store;
import dev.skiff.storage.StoreOptions;
import dev.skiff.storage.Stores;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded sqlite datastore of a server with --secrets-encryption holds no plaintext, and a
 * running server re-encrypts with a key added by rotation.
 */
class EncryptedControlPlaneTest {
  @TempDir Path dataDir;
  private String rotatedKey;

  private ControlPlane start() {
    return ControlPlane.start(
        new ControlPlaneOptions(
                dataDir,
                "127.0.0.1",
                0,
                null,
                null,
                null,
                null,
                List.of(),
                dataDir.resolve("admin.kubeconfig"))
            .withDisabledAdmissionPlugins("ServiceAccount")
            .withSecretsEncryption(true));
  }

  private KubernetesClient client() throws Exception {
    return new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(Files.readString(dataDir.resolve("admin.kubeconfig"))))
        .build();
  }

  @Test
  void sqliteHoldsCiphertextWhileTheApiReturnsTheValue() throws Exception {
    try (ControlPlane server = start();
        KubernetesClient client = client()) {
      client
          .secrets()
          .inNamespace("default")
          .resource(
              new SecretBuilder()
                  .withNewMetadata()
                  .withName("api-key")
                  .endMetadata()
                  .addToStringData("token", "plain-text-token-value")
                  .build())
          .create();
      Secret read = client.secrets().inNamespace("default").withName("api-key").get();
      assertThat(
              new String(
                  Base64.getDecoder().decode(read.getData().get("token")), StandardCharsets.UTF_8))
          .isEqualTo("plain-text-token-value");
      // skiff secrets-encrypt rotate while the server runs: it re-encrypts with the new key
      rotatedKey = SecretsEncryption.rotate(dataDir);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> SecretsEncryption.status(dataDir).stage().equals("reencrypt_finished"));
      assertThat(SecretsEncryption.status(dataDir).reencrypted()).isGreaterThanOrEqualTo(1);
      Secret again = client.secrets().inNamespace("default").withName("api-key").get();
      assertThat(again.getData()).isEqualTo(read.getData());
    }

    try (Store raw = Stores.open(null, StoreOptions.defaults(dataDir))) {
      byte[] stored =
          raw.get("/registry/core/secrets/default/api-key").map(KeyValue::value).orElseThrow();
      String text = new String(stored, StandardCharsets.ISO_8859_1);
      assertThat(text).startsWith("k8s:enc:aesgcm:v1:" + rotatedKey + ":");
      assertThat(text).doesNotContain("plain-text-token-value").doesNotContain("cGxhaW4tdGV4dC");
      // what a restarted server reads: the key file in the data directory opens it again
      Store decrypted = SecretsEncryption.start(dataDir, raw, Duration.ZERO).store();
      String json =
          new String(
              decrypted.get("/registry/core/secrets/default/api-key").orElseThrow().value(),
              StandardCharsets.UTF_8);
      assertThat(json)
          .contains(
              Base64.getEncoder()
                  .encodeToString("plain-text-token-value".getBytes(StandardCharsets.UTF_8)));
    }
  }
}
