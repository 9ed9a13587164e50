package dev.skiff.apiserver.proxy;

import dev.skiff.apiserver.http.ApiException;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Which container of a pod a log, exec or attach request means, and whether it has logs yet, with
 * Kubernetes' answers when it cannot tell.
 */
final class PodContainers {
  private static final List<String> KINDS =
      List.of("initContainers", "containers", "ephemeralContainers");
  private static final List<String> STATUS_KINDS =
      List.of("initContainerStatuses", "containerStatuses", "ephemeralContainerStatuses");

  private PodContainers() {}

  /**
   * The named container, or the pod's only container when none is named; 400 BadRequest when the
   * name is not one of the pod's containers or the pod has several and none was named.
   */
  static String choose(JsonNode pod, String requested) {
    String podName = pod.path("metadata").path("name").asString("");
    JsonNode spec = pod.path("spec");
    if (requested == null || requested.isEmpty()) {
      JsonNode containers = spec.path("containers");
      if (containers.size() == 1) {
        return containers.get(0).path("name").asString("");
      }
      if (containers.isEmpty()) {
        throw ApiException.badRequest("pod " + podName + " does not have a container");
      }
      throw ApiException.badRequest(
          "a container name must be specified for pod "
              + podName
              + ", choose one of: ["
              + String.join(" ", names(spec))
              + "]");
    }
    if (!names(spec).contains(requested)) {
      throw ApiException.badRequest("container " + requested + " is not valid for pod " + podName);
    }
    return requested;
  }

  /** Every container name: init containers, containers, ephemeral containers. */
  static List<String> names(JsonNode spec) {
    List<String> names = new ArrayList<>();
    for (String kind : KINDS) {
      for (JsonNode container : spec.path(kind)) {
        names.add(container.path("name").asString(""));
      }
    }
    return names;
  }

  /**
   * Throws 400 BadRequest when the container has no logs to read, with the messages a kubelet
   * gives: still waiting (and why), or no previous instance when {@code previous} is asked for.
   */
  static void requireLogs(JsonNode pod, String container, boolean previous) {
    String podName = pod.path("metadata").path("name").asString("");
    String subject = "container \"" + container + "\" in pod \"" + podName + "\"";
    JsonNode status = null;
    for (String kind : STATUS_KINDS) {
      for (JsonNode candidate : pod.path("status").path(kind)) {
        if (container.equals(candidate.path("name").asString(""))) {
          status = candidate;
        }
      }
    }
    if (status == null || pod.path("spec").path("nodeName").asString("").isEmpty()) {
      throw ApiException.badRequest(subject + " is waiting to start - no logs yet");
    }
    JsonNode state = status.path("state");
    if (previous) {
      if (status.path("lastState").path("terminated").path("containerID").asString("").isEmpty()) {
        throw ApiException.badRequest("previous terminated " + subject + " not found");
      }
      return;
    }
    if (state.has("terminated")) {
      if (state.path("terminated").path("containerID").asString("").isEmpty()) {
        throw ApiException.badRequest(subject + " is terminated");
      }
      return;
    }
    if (state.has("running")) {
      return;
    }
    if (state.has("waiting")) {
      if (!status.path("lastState").path("terminated").path("containerID").asString("").isEmpty()) {
        return; // restarting: the last instance's logs are still there
      }
      String reason = state.path("waiting").path("reason").asString("");
      throw ApiException.badRequest(
          subject
              + " is waiting to start: "
              + switch (reason) {
                case "ErrImagePull" -> "image can't be pulled";
                case "ImagePullBackOff" -> "trying and failing to pull image";
                default -> reason;
              });
    }
    throw ApiException.badRequest(subject + " is waiting to start - no logs yet");
  }
}
