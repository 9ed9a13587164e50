package dev.skiff.apiserver.encryption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.api.Json;
import dev.skiff.api.catalog.ResourceCatalog;
import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.http.ApiResponse;
import dev.skiff.apiserver.http.UserInfo;
import dev.skiff.apiserver.rest.RegistryOptions;
import dev.skiff.apiserver.rest.ResourceHandler;
import dev.skiff.storage.KeyValue;
import dev.skiff.storage.Store;
import dev.skiff.storage.StoreUnavailable;
import dev.skiff.storage.memory.MemoryStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

class SecretsEncryptionTest {
  private static final String PASSWORD = "correct-horse-battery-staple";
  private static final String SECRET_KEY = "/registry/core/secrets/default/db";

  @TempDir Path dataDir;
  private final MemoryStore raw = new MemoryStore();
  private ResourceHandler handler;

  @AfterEach
  void close() {
    if (handler != null) {
      handler.close();
    }
    raw.close();
  }

  private SecretsEncryption startEncrypted() {
    SecretsEncryption encryption = SecretsEncryption.start(dataDir, raw, Duration.ZERO);
    handler = serve(encryption.store());
    return encryption;
  }

  private static ResourceHandler serve(Store store) {
    ResourceHandler resources =
        new ResourceHandler(store, ResourceCatalog.builtIn(), RegistryOptions.defaults());
    resources.bootstrap();
    return resources;
  }

  private static ApiResponse.Full call(
      ResourceHandler handler, String method, String path, String body) {
    return (ApiResponse.Full)
        handler.handle(
            new ApiRequest(
                method,
                path,
                Map.of(),
                Map.of("content-type", List.of("application/json")),
                body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8),
                UserInfo.ANONYMOUS,
                false));
  }

  private static void createSecret(ResourceHandler handler) {
    ApiResponse.Full created =
        call(
            handler,
            "POST",
            "/api/v1/namespaces/default/secrets",
            "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"db\"},"
                + "\"stringData\":{\"password\":\""
                + PASSWORD
                + "\"}}");
    assertThat(created.status()).isEqualTo(201);
  }

  private String readPassword() {
    ObjectNode secret =
        Json.parseObject(
            call(handler, "GET", "/api/v1/namespaces/default/secrets/db", null).body());
    return new String(
        Base64.getDecoder().decode(secret.path("data").path("password").asString()),
        StandardCharsets.UTF_8);
  }

  private byte[] rawValue(String key) {
    return raw.get(key).map(KeyValue::value).orElseThrow();
  }

  private static void assertNoPlaintext(byte[] stored) {
    String text = new String(stored, StandardCharsets.ISO_8859_1);
    assertThat(text)
        .doesNotContain(PASSWORD)
        .doesNotContain(
            Base64.getEncoder().encodeToString(PASSWORD.getBytes(StandardCharsets.UTF_8)))
        .doesNotContain("\"password\"");
  }

  @Test
  void secretCreatedThroughTheApiIsCiphertextInTheStoreAndReadsBack() {
    SecretsEncryption encryption = startEncrypted();
    createSecret(handler);

    byte[] stored = rawValue(SECRET_KEY);
    EncryptionConfig config = EncryptionConfig.read(EncryptionConfig.path(dataDir));
    assertThat(new String(stored, StandardCharsets.ISO_8859_1))
        .startsWith("k8s:enc:aesgcm:v1:" + config.primaryKeyName("secrets") + ":");
    assertNoPlaintext(stored);
    assertThat(readPassword()).isEqualTo(PASSWORD);
    assertThat(encryption.store().get(SECRET_KEY)).isPresent();
  }

  @Test
  void onlySecretsAreEncrypted() {
    startEncrypted();
    assertThat(
            call(
                    handler,
                    "POST",
                    "/api/v1/namespaces/default/configmaps",
                    "{\"metadata\":{\"name\":\"plain\"},\"data\":{\"k\":\"visible-value\"}}")
                .status())
        .isEqualTo(201);

    assertThat(
            new String(rawValue("/registry/core/configmaps/default/plain"), StandardCharsets.UTF_8))
        .contains("visible-value");
  }

  @Test
  void configurationFileHasKubernetesShapeAndOwnerOnlyPermissions() throws Exception {
    startEncrypted();
    Path file = EncryptionConfig.path(dataDir);

    ObjectNode config = Json.parseObject(Files.readAllBytes(file));
    assertThat(config.path("kind").asString()).isEqualTo("EncryptionConfiguration");
    assertThat(config.path("apiVersion").asString()).isEqualTo("apiserver.config.k8s.io/v1");
    assertThat(config.at("/resources/0/resources/0").asString()).isEqualTo("secrets");
    assertThat(config.at("/resources/0/providers/0/aesgcm/keys/0/name").asString())
        .startsWith("aesgcmkey-");
    assertThat(
            Base64.getDecoder()
                .decode(config.at("/resources/0/providers/0/aesgcm/keys/0/secret").asString()))
        .hasSize(32);
    assertThat(config.at("/resources/0/providers/1").has("identity")).isTrue();
    assertThat(java.nio.file.Files.getPosixFilePermissions(file))
        .containsExactlyInAnyOrder(
            java.nio.file.attribute.PosixFilePermission.OWNER_READ,
            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
  }

  @Test
  void plaintextStoredBeforeEncryptionWasOnIsReadAndEncryptedAtStart() {
    ResourceHandler plain = serve(raw);
    createSecret(plain);
    plain.close();
    assertThat(new String(rawValue(SECRET_KEY), StandardCharsets.UTF_8)).contains("password");

    startEncrypted();

    assertNoPlaintext(rawValue(SECRET_KEY));
    assertThat(readPassword()).isEqualTo(PASSWORD);
    assertThat(SecretsEncryption.status(dataDir).reencrypted()).isEqualTo(1);
  }

  @Test
  void rotationReencryptsWithTheNewKeyAndKeepsTheOldOneReadable() {
    SecretsEncryption encryption = startEncrypted();
    createSecret(handler);
    String oldKey = SecretsEncryption.status(dataDir).primaryKey();

    String newKey = SecretsEncryption.rotate(dataDir);

    assertThat(newKey).isNotEqualTo(oldKey);
    assertThat(SecretsEncryption.status(dataDir).stage()).isEqualTo("reencrypt_request");
    assertThat(SecretsEncryption.status(dataDir).keys()).containsExactly(newKey, oldKey);
    assertThat(encryption.reloadIfChanged()).isTrue();
    assertThat(new String(rawValue(SECRET_KEY), StandardCharsets.ISO_8859_1))
        .startsWith("k8s:enc:aesgcm:v1:" + newKey + ":");
    assertNoPlaintext(rawValue(SECRET_KEY));
    assertThat(readPassword()).isEqualTo(PASSWORD);
    SecretsEncryption.Status status = SecretsEncryption.status(dataDir);
    assertThat(status.stage()).isEqualTo("reencrypt_finished");
    assertThat(status.primaryKey()).isEqualTo(newKey);
    assertThat(status.reencrypted()).isEqualTo(1);
    assertThat(encryption.reloadIfChanged()).isFalse();
  }

  @Test
  void aValueWrittenWithAnOlderKeyReadsAsStaleAfterRotation() {
    SecureRandom random = new SecureRandom();
    EncryptionConfig first =
        EncryptionConfig.generate(
            List.of("secrets"), Instant.parse("2026-01-01T00:00:00Z"), random);
    EncryptionConfig rotated =
        first.withPrimaryKey(
            EncryptionConfig.Key.generate(Instant.parse("2026-02-01T00:00:00Z"), random));
    byte[] stored = first.transformer("secrets", random).toStorage("v".getBytes(), SECRET_KEY);

    ValueTransformer.Read read =
        rotated.transformer("secrets", random).fromStorage(stored, SECRET_KEY);

    assertThat(new String(read.value(), StandardCharsets.UTF_8)).isEqualTo("v");
    assertThat(read.stale()).isTrue();
    assertThat(first.transformer("secrets", random).fromStorage(stored, SECRET_KEY).stale())
        .isFalse();
  }

  @Test
  void ciphertextMovedToAnotherKeyOrUnderAnUnknownKeyIsNotRead() {
    SecretsEncryption encryption = startEncrypted();
    createSecret(handler);
    byte[] stored = rawValue(SECRET_KEY);
    raw.create("/registry/core/secrets/default/copy", stored);

    assertThatThrownBy(() -> encryption.store().get("/registry/core/secrets/default/copy"))
        .isInstanceOf(StoreUnavailable.class)
        .hasMessageContaining("decryption failed");

    SecureRandom random = new SecureRandom();
    EncryptionConfig other = EncryptionConfig.generate(List.of("secrets"), Instant.EPOCH, random);
    assertThatThrownBy(() -> other.transformer("secrets", random).fromStorage(stored, SECRET_KEY))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no configured key");
  }
}
