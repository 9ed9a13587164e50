package dev.skiff.apiserver.rest;

import dev.skiff.api.Json;
import dev.skiff.apiserver.http.ApiException;
import java.util.Base64;
import tools.jackson.databind.node.ObjectNode;

/**
 * The opaque continue token of a paginated list, as Kubernetes builds it: base64 of {@code
 * {"v":"meta.k8s.io/v1","rv":N,"start":"<key after the resource prefix>\u0000"}}.
 *
 * @param revision the revision the first page was read at
 * @param afterKey the full store key of the last item returned
 */
record ContinueToken(long revision, String afterKey) {

  String encode(String prefix) {
    ObjectNode token = Json.object();
    token.put("v", "meta.k8s.io/v1");
    token.put("rv", revision);
    token.put("start", afterKey.substring(prefix.length()) + "\u0000");
    return Base64.getUrlEncoder().withoutPadding().encodeToString(Json.bytes(token));
  }

  static ContinueToken decode(String value, String prefix) {
    try {
      byte[] raw =
          Base64.getUrlDecoder().decode(value.replace('+', '-').replace('/', '_').replace("=", ""));
      ObjectNode token = Json.parseObject(raw);
      if (!"meta.k8s.io/v1".equals(token.path("v").asString(""))) {
        throw new IllegalArgumentException("unknown version");
      }
      long rev = token.path("rv").asLong(0);
      String start = token.path("start").asString("");
      if (rev <= 0 || start.isEmpty() || start.contains("..") || start.startsWith("/")) {
        throw new IllegalArgumentException("bad token");
      }
      if (start.endsWith("\u0000")) {
        start = start.substring(0, start.length() - 1);
      }
      return new ContinueToken(rev, prefix + start);
    } catch (RuntimeException e) {
      throw ApiException.badRequest("continue key is not valid: " + e.getMessage());
    }
  }
}
