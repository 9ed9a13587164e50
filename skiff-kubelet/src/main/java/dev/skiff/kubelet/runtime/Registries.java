package dev.skiff.kubelet.runtime;

import dev.skiff.api.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * k3s' {@code registries.yaml}: registry mirrors and per-host TLS and credentials.
 *
 * <pre>
 * mirrors:
 *   docker.io:
 *     endpoint: ["https://mirror.example:5000"]
 *     rewrite: {"^library/(.*)": "mirrored/$1"}
 * configs:
 *   "mirror.example:5000":
 *     tls: {insecure_skip_verify: true, ca_file: ..., cert_file: ..., key_file: ...}
 *     auth: {username: ..., password: ...}
 * </pre>
 */
public record Registries(Map<String, Mirror> mirrors, Map<String, HostConfig> configs) {
  public static final Registries EMPTY = new Registries(Map.of(), Map.of());

  public Registries {
    mirrors = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(mirrors));
    configs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(configs));
  }

  /** A registry's mirrors, tried in order before the registry itself. */
  public record Mirror(List<String> endpoints, Map<String, String> rewrites) {
    public Mirror {
      endpoints = List.copyOf(endpoints);
      rewrites = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(rewrites));
    }
  }

  /** TLS and credentials for one registry host ({@code host[:port]}); either may be null. */
  public record HostConfig(Tls tls, Auth auth) {}

  public record Tls(boolean insecureSkipVerify, String caFile, String certFile, String keyFile) {}

  public record Auth(String username, String password, String auth, String identityToken) {}

  /** Reads the file; a missing file means no mirrors and no configs. */
  public static Registries read(Path file) {
    if (!Files.exists(file)) {
      return EMPTY;
    }
    try {
      return parse(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses registries.yaml text; throws {@link IllegalArgumentException} when malformed. */
  public static Registries parse(String yaml) {
    JsonNode root;
    try {
      root = Json.YAML.readTree(yaml);
    } catch (JacksonException e) {
      throw new IllegalArgumentException("registries.yaml: " + e.getOriginalMessage(), e);
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return EMPTY;
    }
    Map<String, Mirror> mirrors = new LinkedHashMap<>();
    for (var entry : root.path("mirrors").properties()) {
      JsonNode mirror = entry.getValue();
      List<String> endpoints = new ArrayList<>();
      for (JsonNode endpoint : mirror.path("endpoint")) {
        endpoints.add(endpoint.asString());
      }
      Map<String, String> rewrites = new LinkedHashMap<>();
      for (var rewrite : mirror.path("rewrite").properties()) {
        rewrites.put(rewrite.getKey(), rewrite.getValue().asString());
      }
      mirrors.put(entry.getKey(), new Mirror(endpoints, rewrites));
    }
    Map<String, HostConfig> configs = new LinkedHashMap<>();
    for (var entry : root.path("configs").properties()) {
      JsonNode tls = entry.getValue().get("tls");
      JsonNode auth = entry.getValue().get("auth");
      configs.put(
          RegistryHosts.hostOf(entry.getKey()),
          new HostConfig(
              tls == null || tls.isNull()
                  ? null
                  : new Tls(
                      tls.path("insecure_skip_verify").asBoolean(false),
                      text(tls, "ca_file"),
                      text(tls, "cert_file"),
                      text(tls, "key_file")),
              auth == null || auth.isNull()
                  ? null
                  : new Auth(
                      text(auth, "username"),
                      text(auth, "password"),
                      text(auth, "auth"),
                      text(auth, "identitytoken"))));
    }
    return new Registries(mirrors, configs);
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() || value.asString().isEmpty() ? null : value.asString();
  }
}
