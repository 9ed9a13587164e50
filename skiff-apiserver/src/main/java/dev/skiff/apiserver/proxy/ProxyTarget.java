package dev.skiff.apiserver.proxy;

import dev.skiff.apiserver.http.ApiException;

/**
 * The object id of a proxy URL, {@code [scheme:]name[:port]} (e.g. {@code web}, {@code web:8080},
 * {@code https:web:443}); scheme and port are empty when not given.
 */
record ProxyTarget(String scheme, String name, String port) {

  static ProxyTarget parse(String id) {
    String[] parts = id.split(":", -1);
    ProxyTarget target =
        switch (parts.length) {
          case 1 -> new ProxyTarget("", parts[0], "");
          case 2 -> new ProxyTarget("", parts[0], parts[1]);
          case 3 -> new ProxyTarget(parts[0], parts[1], parts[2]);
          default -> throw ApiException.badRequest("invalid proxy target: " + id);
        };
    if (!target.scheme.isEmpty()
        && !target.scheme.equals("http")
        && !target.scheme.equals("https")) {
      throw ApiException.badRequest("invalid scheme " + target.scheme + " in proxy target " + id);
    }
    return target;
  }

  /** The scheme, http when none was given. */
  String schemeOr(String fallback) {
    return scheme.isEmpty() ? fallback : scheme;
  }
}
