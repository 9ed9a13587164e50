package dev.skiff.apiserver.rest;

import dev.skiff.apiserver.http.ApiException;
import java.util.Locale;

/**
 * The response format a request's Accept header chooses: JSON, YAML, or a meta.k8s.io Table (get,
 * list and watch only). The first supported entry wins; nothing supported is 406.
 *
 * @param mediaType the Content-Type of the response
 * @param tableVersion "v1" or "v1beta1" for a Table, else null
 */
public record OutputFormat(String mediaType, String tableVersion) {
  public static final OutputFormat JSON = new OutputFormat("application/json", null);
  public static final OutputFormat YAML = new OutputFormat("application/yaml", null);

  public boolean table() {
    return tableVersion != null;
  }

  public boolean yaml() {
    return mediaType.equals(YAML.mediaType);
  }

  /** Chooses the format of {@code accept} (null = JSON); tables only when {@code tables}. */
  public static OutputFormat negotiate(String accept, boolean tables) {
    if (accept == null || accept.isBlank()) {
      return JSON;
    }
    for (String entry : accept.split(",")) {
      String[] parts = entry.trim().split(";");
      String type = parts[0].trim().toLowerCase(Locale.ROOT);
      String as = null;
      String version = null;
      String group = null;
      for (int i = 1; i < parts.length; i++) {
        String[] kv = parts[i].trim().split("=", 2);
        if (kv.length == 2) {
          switch (kv[0].trim()) {
            case "as" -> as = kv[1].trim();
            case "v" -> version = kv[1].trim();
            case "g" -> group = kv[1].trim();
            default -> {}
          }
        }
      }
      boolean json =
          type.equals("application/json") || type.equals("*/*") || type.equals("application/*");
      if (as != null) {
        if (json
            && tables
            && as.equals("Table")
            && "meta.k8s.io".equals(group)
            && ("v1".equals(version) || "v1beta1".equals(version))) {
          return new OutputFormat("application/json", version);
        }
        continue;
      }
      if (json) {
        return JSON;
      }
      if (type.equals("application/yaml")) {
        return YAML;
      }
    }
    throw ApiException.notAcceptable(
        "only the following media types are accepted: application/json, application/yaml,"
            + " application/vnd.kubernetes.protobuf");
  }
}
