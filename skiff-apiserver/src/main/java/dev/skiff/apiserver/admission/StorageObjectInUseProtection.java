package dev.skiff.apiserver.admission;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Kubernetes' StorageObjectInUseProtection: every new PersistentVolumeClaim gets the finalizer
 * {@code kubernetes.io/pvc-protection} and every new PersistentVolume {@code
 * kubernetes.io/pv-protection}, so that the pvc-protection and pv-protection controllers decide
 * when a claim still used by a pod, or a volume still bound, may really go.
 */
public final class StorageObjectInUseProtection implements AdmissionPlugin {
  public static final String PVC_FINALIZER = "kubernetes.io/pvc-protection";
  public static final String PV_FINALIZER = "kubernetes.io/pv-protection";

  @Override
  public String name() {
    return "StorageObjectInUseProtection";
  }

  @Override
  public void mutate(AdmissionRequest request) {
    if (request.operation() != AdmissionRequest.Operation.CREATE
        || !request.subresource().isEmpty()
        || request.object() == null) {
      return;
    }
    if (request.isCore("persistentvolumeclaims")) {
      addFinalizer(request.object(), PVC_FINALIZER);
    } else if (request.isCore("persistentvolumes")) {
      addFinalizer(request.object(), PV_FINALIZER);
    }
  }

  private static void addFinalizer(ObjectNode object, String finalizer) {
    ObjectNode metadata =
        object.get("metadata") instanceof ObjectNode m ? m : object.putObject("metadata");
    ArrayNode finalizers =
        metadata.get("finalizers") instanceof ArrayNode f ? f : metadata.putArray("finalizers");
    for (JsonNode existing : finalizers) {
      if (finalizer.equals(existing.asString(""))) {
        return;
      }
    }
    finalizers.add(finalizer);
  }
}
