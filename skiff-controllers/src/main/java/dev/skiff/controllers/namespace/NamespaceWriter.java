package dev.skiff.controllers.namespace;

import io.fabric8.kubernetes.api.model.Namespace;

/** The namespace controller's writes. */
public interface NamespaceWriter {
  void updateStatus(Namespace namespace);

  /** PUT /api/v1/namespaces/NAME/finalize with the given spec.finalizers. */
  void finalize(Namespace namespace);
}
