package dev.skiff.apiserver.server;

import dev.skiff.apiserver.http.ApiRequest;

/**
 * Decides whether the authenticated user of a request may make it. Called on the event loop, so it
 * must not block.
 */
@FunctionalInterface
public interface Authorizer {
  Decision authorize(ApiRequest request);

  /** Allows every request (until RBAC is in place). */
  static Authorizer allowAll() {
    return request -> Decision.ALLOW;
  }

  /** The outcome; {@code reason} explains a denial and is shown to the caller. */
  record Decision(boolean allowed, String reason) {
    public static final Decision ALLOW = new Decision(true, "");

    public static Decision deny(String reason) {
      return new Decision(false, reason);
    }
  }
}
