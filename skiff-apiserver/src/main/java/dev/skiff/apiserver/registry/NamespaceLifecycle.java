package dev.skiff.apiserver.registry;

/** Admission of writes into namespaces: they must exist and not be terminating. */
@FunctionalInterface
public interface NamespaceLifecycle {
  /**
   * Throws {@link dev.skiff.apiserver.http.ApiException} NotFound when {@code namespace} does not
   * exist, Forbidden when it is terminating.
   */
  void checkCreate(String namespace, String group, String resource, String name);
}
