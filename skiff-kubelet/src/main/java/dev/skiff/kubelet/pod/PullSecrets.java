package dev.skiff.kubelet.pod;

import dev.skiff.api.Json;
import dev.skiff.kubelet.cri.v1.AuthConfig;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Registry credentials for an image from the pod's imagePullSecrets ({@code
 * kubernetes.io/dockerconfigjson} and {@code kubernetes.io/dockercfg} secrets), as CRI AuthConfigs
 * in the order they are tried. A secret that is missing or unreadable is skipped.
 */
public final class PullSecrets {
  /** Reads a secret of the pod's namespace; null when it does not exist. */
  @FunctionalInterface
  public interface SecretSource {
    Secret get(String namespace, String name);
  }

  private final SecretSource secrets;

  public PullSecrets(SecretSource secrets) {
    this.secrets = secrets;
  }

  /** The credentials whose registry matches the image's, from every pull secret of the pod. */
  public List<AuthConfig> credentials(Pod pod, String image) {
    List<LocalObjectReference> refs = pod.getSpec().getImagePullSecrets();
    if (refs == null || refs.isEmpty()) {
      return List.of();
    }
    String registry = registryOf(image);
    List<AuthConfig> out = new ArrayList<>();
    for (LocalObjectReference ref : refs) {
      if (ref.getName() == null) {
        continue;
      }
      Secret secret;
      try {
        secret = secrets.get(pod.getMetadata().getNamespace(), ref.getName());
      } catch (RuntimeException e) {
        continue;
      }
      if (secret == null || secret.getData() == null) {
        continue;
      }
      JsonNode auths = auths(secret);
      if (auths == null) {
        continue;
      }
      for (Map.Entry<String, JsonNode> entry : auths.properties()) {
        if (registry.equals(normalizeRegistry(entry.getKey()))) {
          out.add(authConfig(entry.getKey(), entry.getValue()));
        }
      }
    }
    return out;
  }

  private static JsonNode auths(Secret secret) {
    try {
      String json = secret.getData().get(".dockerconfigjson");
      if (json != null) {
        return Json.MAPPER.readTree(decode(json)).get("auths");
      }
      String legacy = secret.getData().get(".dockercfg");
      if (legacy != null) {
        return Json.MAPPER.readTree(decode(legacy));
      }
    } catch (JacksonException | IllegalArgumentException e) {
      return null;
    }
    return null;
  }

  private static AuthConfig authConfig(String server, JsonNode entry) {
    String username = text(entry, "username");
    String password = text(entry, "password");
    String auth = text(entry, "auth");
    if (username.isEmpty() && !auth.isEmpty()) {
      String decoded = decode(auth);
      int colon = decoded.indexOf(':');
      if (colon >= 0) {
        username = decoded.substring(0, colon);
        password = decoded.substring(colon + 1);
      }
    }
    return AuthConfig.newBuilder()
        .setServerAddress(server)
        .setUsername(username)
        .setPassword(password)
        .setAuth(auth)
        .setIdentityToken(text(entry, "identitytoken"))
        .setRegistryToken(text(entry, "registrytoken"))
        .build();
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? "" : value.asString();
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64.trim()), StandardCharsets.UTF_8);
  }

  /** The registry host of an image reference; Docker Hub for a name without one. */
  public static String registryOf(String image) {
    int slash = image.indexOf('/');
    if (slash < 0) {
      return "docker.io";
    }
    String first = image.substring(0, slash);
    if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
      return normalizeRegistry(first);
    }
    return "docker.io";
  }

  /** {@code https://index.docker.io/v1/} → {@code docker.io}; {@code http://r:5000/x} → r:5000. */
  static String normalizeRegistry(String key) {
    String host = key.replaceFirst("^[a-zA-Z][a-zA-Z0-9+.-]*://", "");
    int slash = host.indexOf('/');
    if (slash >= 0) {
      host = host.substring(0, slash);
    }
    if (host.equals("index.docker.io") || host.equals("registry-1.docker.io")) {
      return "docker.io";
    }
    return host;
  }
}
