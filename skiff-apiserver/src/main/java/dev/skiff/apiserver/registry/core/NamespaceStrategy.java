package dev.skiff.apiserver.registry.core;

import dev.skiff.apiserver.registry.DeletionStrategy;
import dev.skiff.apiserver.registry.Meta;
import dev.skiff.apiserver.registry.NameRule;
import dev.skiff.apiserver.registry.ResourceStrategy;
import dev.skiff.apiserver.registry.Traits;
import java.util.Map;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Namespaces: the "kubernetes" finalizer in spec.finalizers, phase Active, the
 * kubernetes.io/metadata.name label; deletion marks them Terminating until the namespace controller
 * empties them and finalizes.
 */
public final class NamespaceStrategy implements ResourceStrategy, DeletionStrategy {
  public static final String NAME_LABEL = "kubernetes.io/metadata.name";
  private static final Traits TRAITS = Traits.DEFAULT.withNameRule(NameRule.DNS_LABEL);

  @Override
  public void applyDefaults(ObjectNode namespace) {
    Meta.child(Meta.metadata(namespace), "labels").put(NAME_LABEL, Meta.name(namespace));
  }

  @Override
  public void prepareForCreate(ObjectNode namespace) {
    ObjectNode spec = namespace.putObject("spec");
    spec.putArray("finalizers").add("kubernetes");
    namespace.putObject("status").put("phase", "Active");
    applyDefaults(namespace);
  }

  @Override
  public void prepareForUpdate(ObjectNode namespace, ObjectNode old) {
    if (old.has("spec")) {
      namespace.set("spec", old.get("spec"));
    } else {
      namespace.remove("spec");
    }
  }

  @Override
  public Map<String, String> selectableFields(ObjectNode namespace) {
    return Map.of("status.phase", Meta.textAt(namespace, "status.phase"));
  }

  @Override
  public Traits traits() {
    return TRAITS;
  }

  @Override
  public boolean holdsOnDelete(ObjectNode namespace) {
    Meta.child(namespace, "status").put("phase", "Terminating");
    return namespace.path("spec").path("finalizers") instanceof ArrayNode f && !f.isEmpty();
  }
}
