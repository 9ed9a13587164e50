package dev.skiff.apiserver.admission;

import dev.skiff.api.ResourceType;
import dev.skiff.apiserver.http.UserInfo;
import tools.jackson.databind.node.ObjectNode;

/**
 * One write as admission plugins see it (Kubernetes' admission.Attributes).
 *
 * @param object the object to be stored (mutating plugins change it in place); null for DELETE
 * @param old the stored object; null for CREATE
 * @param subresource "" for the main resource, e.g. "status"
 */
public record AdmissionRequest(
    Operation operation,
    ResourceType type,
    String subresource,
    String namespace,
    String name,
    ObjectNode object,
    ObjectNode old,
    UserInfo user,
    boolean dryRun) {

  public enum Operation {
    CREATE,
    UPDATE,
    DELETE
  }

  public String group() {
    return type.group();
  }

  public String resource() {
    return type.plural();
  }

  /** Whether this is a write to the core resource {@code plural} (e.g. "pods"). */
  public boolean isCore(String plural) {
    return type.group().isEmpty() && type.plural().equals(plural);
  }
}
