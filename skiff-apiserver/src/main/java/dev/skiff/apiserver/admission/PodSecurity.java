package dev.skiff.apiserver.admission;

import dev.skiff.apiserver.authz.Forbidden;
import dev.skiff.apiserver.authz.Loopback;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Pod Security admission, enforce mode: a new pod in a namespace labelled {@code
 * pod-security.kubernetes.io/enforce: baseline|restricted} must meet that Pod Security Standard,
 * else it is refused with Kubernetes' "violates PodSecurity" message. Checked: host namespaces,
 * privileged containers, added capabilities, hostPath volumes and host ports (baseline); and for
 * restricted also volume types, privilege escalation, dropped capabilities, non-root and seccomp.
 * Warn and audit modes are not implemented.
 */
public final class PodSecurity implements AdmissionPlugin {
  static final String ENFORCE = "pod-security.kubernetes.io/enforce";
  static final String ENFORCE_VERSION = "pod-security.kubernetes.io/enforce-version";
  private static final Set<String> BASELINE_CAPABILITIES =
      Set.of(
          "AUDIT_WRITE",
          "CHOWN",
          "DAC_OVERRIDE",
          "FOWNER",
          "FSETID",
          "KILL",
          "MKNOD",
          "NET_BIND_SERVICE",
          "SETFCAP",
          "SETGID",
          "SETPCAP",
          "SETUID",
          "SYS_CHROOT");
  private static final Set<String> RESTRICTED_VOLUMES =
      Set.of(
          "configMap",
          "csi",
          "downwardAPI",
          "emptyDir",
          "ephemeral",
          "persistentVolumeClaim",
          "projected",
          "secret");

  private final Loopback api;

  public PodSecurity(Loopback api) {
    this.api = api;
  }

  @Override
  public String name() {
    return "PodSecurity";
  }

  @Override
  public void validate(AdmissionRequest request) {
    if (!request.isCore("pods")
        || request.operation() != AdmissionRequest.Operation.CREATE
        || !request.subresource().isEmpty()) {
      return;
    }
    JsonNode labels =
        api.get("/api/v1/namespaces/" + request.namespace())
            .map(ns -> ns.path("metadata").path("labels"))
            .orElse(null);
    if (labels == null) {
      return;
    }
    String level = labels.path(ENFORCE).asString("privileged");
    if (!level.equals("baseline") && !level.equals("restricted")) {
      return;
    }
    String version = labels.path(ENFORCE_VERSION).asString("latest");
    List<String> violations = baseline(request.object());
    if (level.equals("restricted")) {
      violations.addAll(restricted(request.object()));
    }
    if (!violations.isEmpty()) {
      throw Forbidden.error(
          "",
          "pods",
          request.name(),
          "violates PodSecurity \""
              + level
              + ":"
              + version
              + "\": "
              + String.join(", ", violations));
    }
  }

  private static List<JsonNode> containers(JsonNode pod) {
    List<JsonNode> all = new ArrayList<>();
    for (String field : List.of("initContainers", "containers", "ephemeralContainers")) {
      pod.path("spec").path(field).forEach(all::add);
    }
    return all;
  }

  private static String names(List<String> containers) {
    List<String> quoted = containers.stream().map(c -> "\"" + c + "\"").toList();
    return (containers.size() == 1 ? "container " : "containers ") + String.join(", ", quoted);
  }

  private static List<String> baseline(ObjectNode pod) {
    List<String> violations = new ArrayList<>();
    JsonNode spec = pod.path("spec");
    List<String> hosts = new ArrayList<>();
    for (String field : List.of("hostNetwork", "hostPID", "hostIPC")) {
      if (spec.path(field).asBoolean(false)) {
        hosts.add(field + "=true");
      }
    }
    if (!hosts.isEmpty()) {
      violations.add("host namespaces (" + String.join(", ", hosts) + ")");
    }
    List<String> privileged = new ArrayList<>();
    Map<String, List<String>> capabilities = new LinkedHashMap<>();
    List<String> ports = new ArrayList<>();
    for (JsonNode container : containers(pod)) {
      String name = container.path("name").asString("");
      JsonNode context = container.path("securityContext");
      if (context.path("privileged").asBoolean(false)) {
        privileged.add(name);
      }
      for (JsonNode capability : context.path("capabilities").path("add")) {
        if (!BASELINE_CAPABILITIES.contains(capability.asString(""))) {
          capabilities.computeIfAbsent(name, n -> new ArrayList<>()).add(capability.asString(""));
        }
      }
      for (JsonNode port : container.path("ports")) {
        if (port.path("hostPort").asInt(0) != 0) {
          ports.add(name + "\" uses hostPort " + port.path("hostPort").asInt());
        }
      }
    }
    if (!privileged.isEmpty()) {
      violations.add(
          "privileged (" + names(privileged) + " must not set securityContext.privileged=true)");
    }
    if (!capabilities.isEmpty()) {
      List<String> parts = new ArrayList<>();
      capabilities.forEach(
          (container, added) ->
              parts.add(
                  "container \""
                      + container
                      + "\" must not include "
                      + String.join(", ", added.stream().map(c -> "\"" + c + "\"").toList())
                      + " in securityContext.capabilities.add"));
      violations.add("non-default capabilities (" + String.join("; ", parts) + ")");
    }
    List<String> hostPaths = new ArrayList<>();
    for (JsonNode volume : spec.path("volumes")) {
      if (volume.has("hostPath")) {
        hostPaths.add("\"" + volume.path("name").asString("") + "\"");
      }
    }
    if (!hostPaths.isEmpty()) {
      violations.add(
          "hostPath volumes (volume"
              + (hostPaths.size() == 1 ? " " : "s ")
              + String.join(", ", hostPaths)
              + ")");
    }
    if (!ports.isEmpty()) {
      violations.add(
          "hostPort ("
              + String.join("; ", ports.stream().map(p -> "container \"" + p).toList())
              + ")");
    }
    return violations;
  }

  private static List<String> restricted(ObjectNode pod) {
    List<String> violations = new ArrayList<>();
    JsonNode spec = pod.path("spec");
    JsonNode podContext = spec.path("securityContext");
    List<String> volumes = new ArrayList<>();
    for (JsonNode volume : spec.path("volumes")) {
      for (Map.Entry<String, JsonNode> field : volume.properties()) {
        if (!field.getKey().equals("name")
            && !RESTRICTED_VOLUMES.contains(field.getKey())
            && !field.getKey().equals("hostPath")) {
          volumes.add(
              "\""
                  + volume.path("name").asString("")
                  + "\" uses restricted volume type \""
                  + field.getKey()
                  + "\"");
        }
      }
    }
    if (!volumes.isEmpty()) {
      violations.add("restricted volume types (volume " + String.join("; ", volumes) + ")");
    }
    List<String> escalation = new ArrayList<>();
    List<String> capabilities = new ArrayList<>();
    List<String> nonRoot = new ArrayList<>();
    List<String> seccomp = new ArrayList<>();
    boolean podNonRoot = podContext.path("runAsNonRoot").asBoolean(false);
    String podSeccomp = podContext.path("seccompProfile").path("type").asString("");
    for (JsonNode container : containers(pod)) {
      String name = container.path("name").asString("");
      JsonNode context = container.path("securityContext");
      if (!context.has("allowPrivilegeEscalation")
          || context.path("allowPrivilegeEscalation").asBoolean(true)) {
        escalation.add(name);
      }
      boolean dropsAll = false;
      for (JsonNode dropped : context.path("capabilities").path("drop")) {
        dropsAll |= dropped.asString("").equals("ALL");
      }
      if (!dropsAll) {
        capabilities.add(name);
      }
      JsonNode containerNonRoot = context.path("runAsNonRoot");
      if (containerNonRoot.isBoolean() ? !containerNonRoot.asBoolean() : !podNonRoot) {
        nonRoot.add(name);
      }
      String type = context.path("seccompProfile").path("type").asString(podSeccomp);
      if (!type.equals("RuntimeDefault") && !type.equals("Localhost")) {
        seccomp.add(name);
      }
    }
    if (!escalation.isEmpty()) {
      violations.add(
          "allowPrivilegeEscalation != false ("
              + names(escalation)
              + " must set securityContext.allowPrivilegeEscalation=false)");
    }
    if (!capabilities.isEmpty()) {
      violations.add(
          "unrestricted capabilities ("
              + names(capabilities)
              + " must set securityContext.capabilities.drop=[\"ALL\"])");
    }
    if (!nonRoot.isEmpty()) {
      violations.add(
          "runAsNonRoot != true (pod or "
              + names(nonRoot)
              + " must set securityContext.runAsNonRoot=true)");
    }
    if (!seccomp.isEmpty()) {
      violations.add(
          "seccompProfile (pod or "
              + names(seccomp)
              + " must set securityContext.seccompProfile.type to \"RuntimeDefault\" or"
              + " \"Localhost\")");
    }
    return violations;
  }
}
