package dev.skiff.apiserver.encryption;

import dev.skiff.api.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.spec.SecretKeySpec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The encryption configuration file, in the shape of Kubernetes' EncryptionConfiguration
 * (apiserver.config.k8s.io/v1): per list of resources ({@code secrets}, {@code deployments.apps}),
 * the providers in order, each {@code aesgcm} (named 32-byte keys, base64) or {@code identity}.
 *
 * @param resources each resource name (e.g. "secrets") to its providers in order
 */
public record EncryptionConfig(Map<String, List<Provider>> resources) {

  /** Where the configuration lives under the data directory. */
  public static final String FILE = "cred/encryption-config.json";

  /** The resources encrypted by default, as k3s does: secrets only. */
  public static final List<String> DEFAULT_RESOURCES = List.of("secrets");

  public EncryptionConfig {
    Map<String, List<Provider>> copy = new LinkedHashMap<>();
    resources.forEach((resource, providers) -> copy.put(resource, List.copyOf(providers)));
    resources = java.util.Collections.unmodifiableMap(copy);
  }

  /** One provider of a resource. */
  public sealed interface Provider permits AesGcm, Identity {}

  /** AES-GCM with these keys; the first encrypts, every one decrypts. */
  public record AesGcm(List<Key> keys) implements Provider {
    public AesGcm {
      keys = List.copyOf(keys);
    }
  }

  /** Values stored as they are. */
  public record Identity() implements Provider {}

  /** A named 256-bit key. */
  public record Key(String name, byte[] secret) {
    public Key {
      if (secret.length != 32) {
        throw new IllegalArgumentException(
            "key " + name + " must be 32 bytes (AES-256), is " + secret.length);
      }
    }

    /** A fresh random key, named {@code aesgcmkey-<UTC time>}. */
    public static Key generate(Instant now, SecureRandom random) {
      byte[] secret = new byte[32];
      random.nextBytes(secret);
      String stamp = now.toString().replace(":", "").replace("-", "");
      return new Key("aesgcmkey-" + stamp, secret);
    }
  }

  /** A configuration that encrypts {@code resources} with one new key, plaintext still readable. */
  public static EncryptionConfig generate(
      List<String> resources, Instant now, SecureRandom random) {
    Map<String, List<Provider>> all = new LinkedHashMap<>();
    Key key = Key.generate(now, random);
    for (String resource : resources) {
      all.put(resource, List.of(new AesGcm(List.of(key)), new Identity()));
    }
    return new EncryptionConfig(all);
  }

  /**
   * A configuration with {@code key} first among every resource's AES-GCM keys (so it encrypts from
   * now on), the older keys kept after it so that what they wrote stays readable.
   */
  public EncryptionConfig withPrimaryKey(Key key) {
    Map<String, List<Provider>> all = new LinkedHashMap<>();
    resources.forEach(
        (resource, providers) -> {
          List<Key> keys = new ArrayList<>();
          keys.add(key);
          List<Provider> rest = new ArrayList<>();
          for (Provider provider : providers) {
            if (provider instanceof AesGcm aes) {
              keys.addAll(aes.keys());
            } else {
              rest.add(provider);
            }
          }
          List<Provider> ordered = new ArrayList<>();
          ordered.add(new AesGcm(keys));
          ordered.addAll(rest);
          all.put(resource, ordered);
        });
    return new EncryptionConfig(all);
  }

  /** The name of the key new values of {@code resource} are encrypted with, or null (plaintext). */
  public String primaryKeyName(String resource) {
    List<Provider> providers = resources.getOrDefault(resource, List.of());
    if (!providers.isEmpty() && providers.get(0) instanceof AesGcm aes && !aes.keys().isEmpty()) {
      return aes.keys().get(0).name();
    }
    return null;
  }

  /** Every AES-GCM key of {@code resource}, the primary first. */
  public List<Key> keys(String resource) {
    List<Key> keys = new ArrayList<>();
    for (Provider provider : resources.getOrDefault(resource, List.of())) {
      if (provider instanceof AesGcm aes) {
        keys.addAll(aes.keys());
      }
    }
    return keys;
  }

  /** The transformer for {@code resource}'s values. */
  ValueTransformer transformer(String resource, SecureRandom random) {
    List<AesGcmTransformer> keys = new ArrayList<>();
    boolean identity = false;
    boolean identityFirst = false;
    List<Provider> providers = resources.getOrDefault(resource, List.of());
    for (Provider provider : providers) {
      switch (provider) {
        case AesGcm aes -> {
          for (Key key : aes.keys()) {
            keys.add(
                new AesGcmTransformer(key.name(), new SecretKeySpec(key.secret(), "AES"), random));
          }
        }
        case Identity ignored -> {
          identityFirst |= keys.isEmpty();
          identity = true;
        }
      }
    }
    return new ProviderChain(keys, identity, identityFirst);
  }

  // ---- the file

  /** The configuration file of {@code dataDir}. */
  public static Path path(Path dataDir) {
    return dataDir.resolve(FILE);
  }

  /** Reads {@code file}; throws {@link IllegalArgumentException} with one line when it is bad. */
  public static EncryptionConfig read(Path file) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    } catch (JacksonException e) {
      throw new IllegalArgumentException(file + " is not valid JSON: " + e.getOriginalMessage());
    }
    if (!root.path("kind").asString("").equals("EncryptionConfiguration")) {
      throw new IllegalArgumentException(file + ": kind must be EncryptionConfiguration");
    }
    Map<String, List<Provider>> all = new LinkedHashMap<>();
    for (JsonNode entry : root.path("resources")) {
      List<Provider> providers = new ArrayList<>();
      for (JsonNode provider : entry.path("providers")) {
        if (provider.has("aesgcm")) {
          List<Key> keys = new ArrayList<>();
          for (JsonNode key : provider.path("aesgcm").path("keys")) {
            byte[] secret;
            try {
              secret = Base64.getDecoder().decode(key.path("secret").asString(""));
            } catch (IllegalArgumentException e) {
              throw new IllegalArgumentException(
                  file + ": the secret of key " + key.path("name").asString("") + " is not base64");
            }
            keys.add(new Key(key.path("name").asString(""), secret));
          }
          providers.add(new AesGcm(keys));
        } else if (provider.has("identity")) {
          providers.add(new Identity());
        } else {
          throw new IllegalArgumentException(
              file + ": unsupported provider " + provider.propertyNames() + " (aesgcm, identity)");
        }
      }
      for (JsonNode resource : entry.path("resources")) {
        all.put(resource.asString(), providers);
      }
    }
    return new EncryptionConfig(all);
  }

  /** Writes the file readable by its owner only, replacing it in one step. */
  public void write(Path file) {
    ObjectNode root = Json.object();
    root.put("kind", "EncryptionConfiguration");
    root.put("apiVersion", "apiserver.config.k8s.io/v1");
    ArrayNode entries = root.putArray("resources");
    resources.forEach(
        (resource, providers) -> {
          ObjectNode entry = entries.addObject();
          entry.putArray("resources").add(resource);
          ArrayNode list = entry.putArray("providers");
          for (Provider provider : providers) {
            switch (provider) {
              case AesGcm aes -> {
                ArrayNode keys = list.addObject().putObject("aesgcm").putArray("keys");
                for (Key key : aes.keys()) {
                  keys.addObject()
                      .put("name", key.name())
                      .put("secret", Base64.getEncoder().encodeToString(key.secret()));
                }
              }
              case Identity ignored -> list.addObject().putObject("identity");
            }
          }
        });
    try {
      Files.createDirectories(file.getParent());
      Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
      Files.deleteIfExists(temporary);
      Files.createFile(
          temporary,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.write(temporary, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
      try {
        Files.move(
            temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
