package dev.skiff.kubelet.server;

import java.util.Optional;

/** Turns a bearer token into a user (the API server's TokenReview), or empty when invalid. */
@FunctionalInterface
public interface KubeletAuthenticator {
  Optional<KubeletUser> authenticateToken(String token);
}
