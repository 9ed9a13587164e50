package dev.skiff.apiserver.encryption;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.storage.Store;
import dev.skiff.storage.StoreContract;
import dev.skiff.storage.memory.MemoryStore;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The encryption layer keeps etcd's KV contract while every value below it is ciphertext. */
class TransformingStoreContractTest extends StoreContract {
  private MemoryStore raw;

  @Override
  protected Store newStore() {
    raw = new MemoryStore();
    SecureRandom random = new SecureRandom();
    ValueTransformer everything =
        EncryptionConfig.generate(List.of("all"), Instant.EPOCH, random).transformer("all", random);
    return new TransformingStore(raw, new TransformingStore.Transformers(Map.of("/", everything)));
  }

  @Test
  void valuesBelowTheLayerAreEncrypted() {
    store.create("/registry/core/secrets/default/s", bytes("{\"data\":\"visible\"}"));

    String stored =
        new String(
            raw.get("/registry/core/secrets/default/s").orElseThrow().value(),
            StandardCharsets.ISO_8859_1);
    assertThat(stored).startsWith("k8s:enc:aesgcm:v1:").doesNotContain("visible");
    assertThat(text(store.get("/registry/core/secrets/default/s").orElseThrow().value()))
        .isEqualTo("{\"data\":\"visible\"}");
  }
}
