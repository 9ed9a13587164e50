package dev.skiff.apiserver.admission;

import dev.skiff.apiserver.authz.Loopback;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.MissingNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Kubernetes' DefaultStorageClass: a new PersistentVolumeClaim that names no storage class gets the
 * default one (annotation {@code storageclass.kubernetes.io/is-default-class: "true"}; the newest
 * when several are marked, then the first by name).
 */
public final class DefaultStorageClass implements AdmissionPlugin {
  static final String DEFAULT_ANNOTATION = "storageclass.kubernetes.io/is-default-class";

  private final Loopback api;

  public DefaultStorageClass(Loopback api) {
    this.api = api;
  }

  @Override
  public String name() {
    return "DefaultStorageClass";
  }

  @Override
  public void mutate(AdmissionRequest request) {
    if (!request.isCore("persistentvolumeclaims")
        || request.operation() != AdmissionRequest.Operation.CREATE
        || !request.subresource().isEmpty()) {
      return;
    }
    ObjectNode spec =
        request.object().get("spec") instanceof ObjectNode s
            ? s
            : request.object().putObject("spec");
    if (spec.has("storageClassName") && !spec.get("storageClassName").isNull()) {
      return;
    }
    String chosen = null;
    String chosenCreated = "";
    for (JsonNode storageClass :
        api.get("/apis/storage.k8s.io/v1/storageclasses")
            .map(l -> l.path("items"))
            .orElse(MissingNode.getInstance())) {
      JsonNode metadata = storageClass.path("metadata");
      if (!metadata.path("annotations").path(DEFAULT_ANNOTATION).asString("").equals("true")) {
        continue;
      }
      String created = metadata.path("creationTimestamp").asString("");
      String name = metadata.path("name").asString("");
      if (chosen == null
          || created.compareTo(chosenCreated) > 0
          || (created.equals(chosenCreated) && name.compareTo(chosen) < 0)) {
        chosen = name;
        chosenCreated = created;
      }
    }
    if (chosen != null) {
      spec.put("storageClassName", chosen);
    }
  }
}
