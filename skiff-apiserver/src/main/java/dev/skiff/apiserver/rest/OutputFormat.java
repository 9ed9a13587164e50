package dev.skiff.apiserver.rest;

import dev.skiff.apiserver.http.ApiException;
import java.util.Locale;

/**
 * The response format a request's Accept header chooses: JSON, YAML, or for reads (get, list,
 * watch) a meta.k8s.io Table or PartialObjectMetadata(List). The first supported entry wins;
 * nothing supported is 406.
 *
 * @param mediaType the Content-Type of the response
 * @param tableVersion "v1" or "v1beta1" for a Table, else null
 * @param metadataVersion "v1" or "v1beta1" for PartialObjectMetadata, else null
 */
public record OutputFormat(String mediaType, String tableVersion, String metadataVersion) {
  public static final OutputFormat JSON = new OutputFormat("application/json", null, null);
  public static final OutputFormat YAML = new OutputFormat("application/yaml", null, null);

  public boolean table() {
    return tableVersion != null;
  }

  public boolean metadataOnly() {
    return metadataVersion != null;
  }

  public boolean yaml() {
    return mediaType.equals(YAML.mediaType);
  }

  /**
   * Chooses the format of {@code accept} (null = JSON); Tables and metadata only when {@code
   * tables} (reads).
   */
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
        boolean meta =
            json
                && tables
                && "meta.k8s.io".equals(group)
                && ("v1".equals(version) || "v1beta1".equals(version));
        if (meta && as.equals("Table")) {
          return new OutputFormat("application/json", version, null);
        }
        if (meta
            && (as.equals("PartialObjectMetadata") || as.equals("PartialObjectMetadataList"))) {
          return new OutputFormat("application/json", null, version);
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
