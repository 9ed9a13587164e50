package dev.skiff.kubelet.server;

/**
 * Decides whether a user may do {@code verb} on {@code nodes/<subresource>} of this node (the API
 * server's SubjectAccessReview).
 */
@FunctionalInterface
public interface KubeletAuthorizer {
  boolean allowed(KubeletUser user, String verb, String subresource);
}
