package dev.skiff.apiserver.admission;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Kubernetes' {@code DefaultTolerationSeconds}: a pod written (created or updated) without a
 * toleration for the {@code NoExecute} taints {@code node.kubernetes.io/not-ready} and {@code
 * node.kubernetes.io/unreachable} gets one for each, with operator {@code Exists} and {@code
 * tolerationSeconds} 300, so it is evicted five minutes after its node fails. A toleration with an
 * empty key or an empty effect counts as tolerating the taint.
 */
public final class DefaultTolerationSeconds implements AdmissionPlugin {
  public static final String NOT_READY = "node.kubernetes.io/not-ready";
  public static final String UNREACHABLE = "node.kubernetes.io/unreachable";
  public static final long DEFAULT_SECONDS = 300;

  @Override
  public String name() {
    return "DefaultTolerationSeconds";
  }

  @Override
  public void mutate(AdmissionRequest request) {
    if (!request.isCore("pods")
        || !request.subresource().isEmpty()
        || request.operation() == AdmissionRequest.Operation.DELETE
        || request.object() == null) {
      return;
    }
    ObjectNode pod = request.object();
    ObjectNode spec = pod.get("spec") instanceof ObjectNode s ? s : pod.putObject("spec");
    boolean notReady = false;
    boolean unreachable = false;
    for (JsonNode toleration : spec.path("tolerations")) {
      String key = toleration.path("key").asString("");
      String effect = toleration.path("effect").asString("");
      boolean noExecute = effect.isEmpty() || effect.equals("NoExecute");
      notReady |= noExecute && (key.isEmpty() || key.equals(NOT_READY));
      unreachable |= noExecute && (key.isEmpty() || key.equals(UNREACHABLE));
    }
    if (notReady && unreachable) {
      return;
    }
    ArrayNode tolerations =
        spec.get("tolerations") instanceof ArrayNode t ? t : spec.putArray("tolerations");
    if (!notReady) {
      add(tolerations, NOT_READY);
    }
    if (!unreachable) {
      add(tolerations, UNREACHABLE);
    }
  }

  private static void add(ArrayNode tolerations, String key) {
    tolerations
        .addObject()
        .put("key", key)
        .put("operator", "Exists")
        .put("effect", "NoExecute")
        .put("tolerationSeconds", DEFAULT_SECONDS);
  }
}
