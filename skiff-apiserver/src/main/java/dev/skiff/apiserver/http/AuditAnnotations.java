package dev.skiff.apiserver.http;

import java.util.Map;

/**
 * Annotations for the audit event of the request being served on this thread (Kubernetes'
 * audit.AddAuditAnnotation), e.g. {@code pod-security.kubernetes.io/audit-violations}. The
 * transport binds a map around the API handler of each request and puts what was added on that
 * request's audit event; outside a request nothing is recorded.
 */
public final class AuditAnnotations {
  private static final ThreadLocal<Map<String, String>> CURRENT = new ThreadLocal<>();

  private AuditAnnotations() {}

  /** Records {@code key: value}; the first value recorded for a key stays, as in Kubernetes. */
  public static void add(String key, String value) {
    Map<String, String> annotations = CURRENT.get();
    if (annotations != null) {
      annotations.putIfAbsent(key, value);
    }
  }

  /**
   * Collects the annotations added on this thread into {@code into} until {@link #unbind}; returns
   * what was bound before, for {@link #unbind}.
   */
  public static Map<String, String> bind(Map<String, String> into) {
    Map<String, String> previous = CURRENT.get();
    CURRENT.set(into);
    return previous;
  }

  /** Restores what {@link #bind} returned. */
  public static void unbind(Map<String, String> previous) {
    if (previous == null) {
      CURRENT.remove();
    } else {
      CURRENT.set(previous);
    }
  }
}
