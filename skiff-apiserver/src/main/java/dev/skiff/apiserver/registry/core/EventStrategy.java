package dev.skiff.apiserver.registry.core;

import dev.skiff.apiserver.registry.Meta;
import dev.skiff.apiserver.registry.ResourceStrategy;
import dev.skiff.apiserver.registry.Traits;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/** Core v1 events: create-on-update, and Kubernetes' selectable event fields. */
public final class EventStrategy implements ResourceStrategy {
  private static final Traits TRAITS = Traits.DEFAULT.withCreateOnUpdate();

  @Override
  public Map<String, String> selectableFields(ObjectNode event) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String f :
        List.of("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath")) {
      fields.put("involvedObject." + f, Meta.textAt(event, "involvedObject." + f));
    }
    fields.put("reason", Meta.text(event, "reason"));
    fields.put("reportingComponent", Meta.text(event, "reportingComponent"));
    fields.put("source", Meta.textAt(event, "source.component"));
    fields.put("type", Meta.text(event, "type"));
    return fields;
  }

  @Override
  public Traits traits() {
    return TRAITS;
  }
}
