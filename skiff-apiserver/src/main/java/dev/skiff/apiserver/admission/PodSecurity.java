package dev.skiff.apiserver.admission;

import dev.skiff.apiserver.authz.Forbidden;
import dev.skiff.apiserver.authz.Loopback;
import dev.skiff.apiserver.http.AuditAnnotations;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Pod Security admission: the Pod Security Standard a namespace names in its labels {@code
 * pod-security.kubernetes.io/<mode>: baseline|restricted} (with {@code <mode>-version}, default
 * latest) applies in three modes. enforce refuses a new pod that violates it with Kubernetes'
 * "violates PodSecurity" message; warn answers "would violate PodSecurity" in a Warning header;
 * audit adds that text as the {@code pod-security.kubernetes.io/audit-violations} annotation of the
 * request's audit event. Workload resources with a pod template (Deployments, Jobs, CronJobs …) get
 * warn and audit, not enforce, as in Kubernetes. Labelling a namespace with an enforce level that
 * its pods violate warns which pods. Checked: added capabilities, host namespaces, hostPath
 * volumes, host ports and privileged containers (baseline); and for restricted also privilege
 * escalation, dropped capabilities, volume types, non-root and seccomp.
 */
public final class PodSecurity implements AdmissionPlugin {
  static final String PREFIX = "pod-security.kubernetes.io/";
  static final String ENFORCE = PREFIX + "enforce";
  static final String ENFORCE_VERSION = PREFIX + "enforce-version";
  static final String AUDIT_VIOLATIONS = PREFIX + "audit-violations";
  static final String ENFORCE_POLICY = PREFIX + "enforce-policy";
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

  /** Where the pod template sits in each workload resource (group/plural). */
  private static final Map<String, String> TEMPLATES =
      Map.of(
          "apps/deployments", "/spec/template",
          "apps/replicasets", "/spec/template",
          "apps/statefulsets", "/spec/template",
          "apps/daemonsets", "/spec/template",
          "batch/jobs", "/spec/template",
          "batch/cronjobs", "/spec/jobTemplate/spec/template",
          "/replicationcontrollers", "/spec/template",
          "/podtemplates", "/template");

  /** A level and version from a namespace's labels for one mode. */
  record Policy(String level, String version) {
    static Policy of(JsonNode labels, String mode) {
      String level = labels == null ? "" : labels.path(PREFIX + mode).asString("");
      String version = labels == null ? "" : labels.path(PREFIX + mode + "-version").asString("");
      return new Policy(
          level.equals("baseline") || level.equals("restricted") ? level : "privileged",
          version.isEmpty() ? "latest" : version);
    }

    boolean privileged() {
      return level.equals("privileged");
    }

    @Override
    public String toString() {
      return level + ":" + version;
    }
  }

  /** One failed check: its name (e.g. "host namespaces") and what in the pod failed it. */
  record Violation(String check, String detail) {
    @Override
    public String toString() {
      return check + " (" + detail + ")";
    }
  }

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
    if (!request.subresource().isEmpty()
        || request.operation() == AdmissionRequest.Operation.DELETE) {
      return;
    }
    if (request.isCore("namespaces")) {
      warnAboutExistingPods(request);
      return;
    }
    if (request.isCore("pods")) {
      if (request.operation() == AdmissionRequest.Operation.CREATE) {
        admit(request, request.object(), true);
      }
      return;
    }
    String template = TEMPLATES.get(request.group() + "/" + request.resource());
    if (template != null && request.object().at(template).isObject()) {
      admit(request, request.object().at(template), false);
    }
  }

  /** Evaluates a pod (or a pod template) against the namespace's three modes. */
  private void admit(AdmissionRequest request, JsonNode pod, boolean enforceable) {
    JsonNode labels =
        api.get("/api/v1/namespaces/" + request.namespace())
            .map(ns -> ns.path("metadata").path("labels"))
            .orElse(null);
    if (labels == null) {
      return;
    }
    Policy enforce = Policy.of(labels, "enforce");
    Policy audit = Policy.of(labels, "audit");
    Policy warn = Policy.of(labels, "warn");
    List<Violation> refused = List.of();
    if (enforceable) {
      AuditAnnotations.add(ENFORCE_POLICY, enforce.toString());
      refused = evaluate(enforce, pod);
    }
    if (!audit.privileged()) {
      List<Violation> violations = evaluate(audit, pod);
      if (!violations.isEmpty()) {
        AuditAnnotations.add(AUDIT_VIOLATIONS, wouldViolate(audit, violations));
      }
    }
    // a refusal already says what the same policy would say as a warning
    if (!warn.privileged() && (refused.isEmpty() || !warn.equals(enforce))) {
      List<Violation> violations = evaluate(warn, pod);
      if (!violations.isEmpty()) {
        Admission.warn(wouldViolate(warn, violations));
      }
    }
    if (!refused.isEmpty()) {
      throw Forbidden.error(
          "", "pods", request.name(), "violates PodSecurity \"" + enforce + "\": " + join(refused));
    }
  }

  private static String wouldViolate(Policy policy, List<Violation> violations) {
    return "would violate PodSecurity \"" + policy + "\": " + join(violations);
  }

  private static String join(List<Violation> violations) {
    return String.join(", ", violations.stream().map(Violation::toString).toList());
  }

  /** The violations of {@code pod} against {@code policy}, in Kubernetes' check order. */
  static List<Violation> evaluate(Policy policy, JsonNode pod) {
    if (policy.privileged()) {
      return List.of();
    }
    List<Violation> violations = baseline(pod);
    if (policy.level().equals("restricted")) {
      violations.addAll(restricted(pod));
    }
    return violations;
  }

  /**
   * When a namespace gets a new enforce level, warns which of its pods would be refused by it:
   * first the namespace, then the pods by the checks they fail, pods failing the same checks
   * grouped ("web-1 (and 2 other pods): host namespaces, privileged").
   */
  private void warnAboutExistingPods(AdmissionRequest request) {
    if (request.operation() == AdmissionRequest.Operation.CREATE) {
      return;
    }
    Policy enforce = Policy.of(request.object().path("metadata").path("labels"), "enforce");
    Policy before =
        request.old() == null
            ? new Policy("privileged", "latest")
            : Policy.of(request.old().path("metadata").path("labels"), "enforce");
    if (enforce.privileged() || enforce.equals(before)) {
      return;
    }
    String namespace = request.name();
    JsonNode pods =
        api.get("/api/v1/namespaces/" + namespace + "/pods")
            .map(list -> list.path("items"))
            .orElse(null);
    if (pods == null) {
      return;
    }
    Map<String, List<String>> podsByChecks = new LinkedHashMap<>();
    List<JsonNode> sorted = new ArrayList<>();
    pods.forEach(sorted::add);
    sorted.sort(java.util.Comparator.comparing(p -> p.path("metadata").path("name").asString("")));
    for (JsonNode pod : sorted) {
      List<Violation> violations = evaluate(enforce, pod);
      if (!violations.isEmpty()) {
        String checks = String.join(", ", violations.stream().map(Violation::check).toList());
        podsByChecks
            .computeIfAbsent(checks, c -> new ArrayList<>())
            .add(pod.path("metadata").path("name").asString(""));
      }
    }
    if (podsByChecks.isEmpty()) {
      return;
    }
    Admission.warn(
        "existing pods in namespace \""
            + namespace
            + "\" violate the new PodSecurity enforce level \""
            + enforce
            + "\"");
    podsByChecks.forEach(
        (checks, names) -> {
          String first = names.get(0);
          String who =
              switch (names.size()) {
                case 1 -> first;
                case 2 -> first + " (and 1 other pod)";
                default -> first + " (and " + (names.size() - 1) + " other pods)";
              };
          Admission.warn(who + ": " + checks);
        });
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

  private static List<Violation> baseline(JsonNode pod) {
    List<Violation> violations = new ArrayList<>();
    JsonNode spec = pod.path("spec");
    List<String> hosts = new ArrayList<>();
    for (String field : List.of("hostNetwork", "hostPID", "hostIPC")) {
      if (spec.path(field).asBoolean(false)) {
        hosts.add(field + "=true");
      }
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
      violations.add(new Violation("non-default capabilities", String.join("; ", parts)));
    }
    if (!hosts.isEmpty()) {
      violations.add(new Violation("host namespaces", String.join(", ", hosts)));
    }
    List<String> hostPaths = new ArrayList<>();
    for (JsonNode volume : spec.path("volumes")) {
      if (volume.has("hostPath")) {
        hostPaths.add("\"" + volume.path("name").asString("") + "\"");
      }
    }
    if (!hostPaths.isEmpty()) {
      violations.add(
          new Violation(
              "hostPath volumes",
              "volume" + (hostPaths.size() == 1 ? " " : "s ") + String.join(", ", hostPaths)));
    }
    if (!ports.isEmpty()) {
      violations.add(
          new Violation(
              "hostPort", String.join("; ", ports.stream().map(p -> "container \"" + p).toList())));
    }
    if (!privileged.isEmpty()) {
      violations.add(
          new Violation(
              "privileged", names(privileged) + " must not set securityContext.privileged=true"));
    }
    return violations;
  }

  private static List<Violation> restricted(JsonNode pod) {
    List<Violation> violations = new ArrayList<>();
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
          new Violation(
              "allowPrivilegeEscalation != false",
              names(escalation) + " must set securityContext.allowPrivilegeEscalation=false"));
    }
    if (!capabilities.isEmpty()) {
      violations.add(
          new Violation(
              "unrestricted capabilities",
              names(capabilities) + " must set securityContext.capabilities.drop=[\"ALL\"]"));
    }
    if (!volumes.isEmpty()) {
      violations.add(
          new Violation("restricted volume types", "volume " + String.join("; ", volumes)));
    }
    if (!nonRoot.isEmpty()) {
      violations.add(
          new Violation(
              "runAsNonRoot != true",
              "pod or " + names(nonRoot) + " must set securityContext.runAsNonRoot=true"));
    }
    if (!seccomp.isEmpty()) {
      violations.add(
          new Violation(
              "seccompProfile",
              "pod or "
                  + names(seccomp)
                  + " must set securityContext.seccompProfile.type to \"RuntimeDefault\" or"
                  + " \"Localhost\""));
    }
    return violations;
  }
}
