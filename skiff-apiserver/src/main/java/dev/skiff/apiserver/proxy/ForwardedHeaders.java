package dev.skiff.apiserver.proxy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which request headers travel from the client to a backend and which response headers travel back:
 * hop-by-hop headers (RFC 9110 section 7.6.1) stay on their hop, and the client's credentials
 * (Authorization, impersonation) never leave the API server.
 */
final class ForwardedHeaders {
  private static final Set<String> HOP_BY_HOP =
      Set.of(
          "connection",
          "http2-settings",
          "keep-alive",
          "proxy-authenticate",
          "proxy-authorization",
          "proxy-connection",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade");

  /** Set by the JDK HTTP client itself; it refuses them from callers. */
  private static final Set<String> CLIENT_OWNED = Set.of("host", "content-length", "expect");

  private ForwardedHeaders() {}

  /** Request headers for a plain (non-upgrade) backend request. */
  static Map<String, List<String>> request(Map<String, List<String>> headers) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    headers.forEach(
        (name, values) -> {
          String lower = name.toLowerCase(Locale.ROOT);
          if (!HOP_BY_HOP.contains(lower)
              && !CLIENT_OWNED.contains(lower)
              && !isCredential(lower)) {
            out.put(name, values);
          }
        });
    return out;
  }

  /**
   * Request headers for a protocol switch: everything but credentials, Host and hop-by-hop headers,
   * then {@code Connection: Upgrade} and the client's Upgrade again.
   */
  static Map<String, List<String>> upgradeRequest(Map<String, List<String>> headers) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    headers.forEach(
        (name, values) -> {
          String lower = name.toLowerCase(Locale.ROOT);
          if (!HOP_BY_HOP.contains(lower) && !lower.equals("host") && !isCredential(lower)) {
            out.put(name, values);
          }
        });
    out.put("Connection", List.of("Upgrade"));
    List<String> upgrade = headers.get("upgrade");
    if (upgrade != null) {
      out.put("Upgrade", upgrade);
    }
    return out;
  }

  /** Response headers to pass back to the client. */
  static boolean passesBack(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return !HOP_BY_HOP.contains(lower)
        && !lower.equals("content-length")
        && !lower.equals(":status");
  }

  private static boolean isCredential(String lower) {
    return lower.equals("authorization") || lower.startsWith("impersonate-");
  }
}
