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
 * volumes, host ports, privileged containers and Unconfined seccomp (baseline); and for restricted
 * also privilege escalation, capabilities, volume types, non-root, runAsUser=0 and seccomp.
 */
public final class PodSecurity implements AdmissionPlugin {
  static final String PREFIX = "pod-security.kubernetes.io/";
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
    if (template == null || !request.object().at(template).isObject()) {
      return;
    }
    // an update that leaves the template alone (scale, labels) is not evaluated again
    if (request.old() != null && request.old().at(template).equals(request.object().at(template))) {
      return;
    }
    admit(request, request.object().at(template), false);
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

  /**
   * The violations of {@code pod} against {@code policy}, in Kubernetes' check order: the baseline
   * checks, then for restricted the restricted ones, each of which replaces the baseline check of
   * the same field (capabilities, volumes, seccomp) as Kubernetes' policy does.
   */
  static List<Violation> evaluate(Policy policy, JsonNode pod) {
    if (policy.privileged()) {
      return List.of();
    }
    boolean restricted = policy.level().equals("restricted");
    List<Violation> violations = new ArrayList<>();
    if (!restricted) {
      addIfPresent(violations, nonDefaultCapabilities(pod));
    }
    addIfPresent(violations, hostNamespaces(pod));
    if (!restricted) {
      addIfPresent(violations, hostPathVolumes(pod));
    }
    addIfPresent(violations, hostPorts(pod));
    addIfPresent(violations, privileged(pod));
    if (!restricted) {
      addIfPresent(violations, unconfinedSeccomp(pod));
      return violations;
    }
    addIfPresent(violations, privilegeEscalation(pod));
    addIfPresent(violations, unrestrictedCapabilities(pod));
    addIfPresent(violations, restrictedVolumes(pod));
    addIfPresent(violations, runAsNonRoot(pod));
    addIfPresent(violations, runAsRoot(pod));
    addIfPresent(violations, seccompProfile(pod));
    return violations;
  }

  private static void addIfPresent(List<Violation> violations, Violation violation) {
    if (violation != null) {
      violations.add(violation);
    }
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

  private static String name(JsonNode container) {
    return container.path("name").asString("");
  }

  /** {@code container "a"} or {@code containers "a", "b"}. */
  private static String names(List<String> containers) {
    return (containers.size() == 1 ? "container " : "containers ") + quoted(containers);
  }

  private static String quoted(java.util.Collection<String> values) {
    return String.join(", ", values.stream().map(v -> "\"" + v + "\"").toList());
  }

  private static Violation nonDefaultCapabilities(JsonNode pod) {
    List<String> containers = new ArrayList<>();
    java.util.SortedSet<String> added = new java.util.TreeSet<>();
    for (JsonNode container : containers(pod)) {
      boolean forbidden = false;
      for (JsonNode capability :
          container.path("securityContext").path("capabilities").path("add")) {
        if (!BASELINE_CAPABILITIES.contains(capability.asString(""))) {
          added.add(capability.asString(""));
          forbidden = true;
        }
      }
      if (forbidden) {
        containers.add(name(container));
      }
    }
    return containers.isEmpty()
        ? null
        : new Violation(
            "non-default capabilities",
            names(containers)
                + " must not include "
                + quoted(added)
                + " in securityContext.capabilities.add");
  }

  private static Violation hostNamespaces(JsonNode pod) {
    List<String> hosts = new ArrayList<>();
    for (String field : List.of("hostNetwork", "hostPID", "hostIPC")) {
      if (pod.path("spec").path(field).asBoolean(false)) {
        hosts.add(field + "=true");
      }
    }
    return hosts.isEmpty() ? null : new Violation("host namespaces", String.join(", ", hosts));
  }

  private static Violation hostPathVolumes(JsonNode pod) {
    List<String> volumes = new ArrayList<>();
    for (JsonNode volume : pod.path("spec").path("volumes")) {
      if (volume.has("hostPath")) {
        volumes.add(volume.path("name").asString(""));
      }
    }
    return volumes.isEmpty()
        ? null
        : new Violation(
            "hostPath volumes", (volumes.size() == 1 ? "volume " : "volumes ") + quoted(volumes));
  }

  private static Violation hostPorts(JsonNode pod) {
    List<String> containers = new ArrayList<>();
    List<String> ports = new ArrayList<>();
    for (JsonNode container : containers(pod)) {
      boolean uses = false;
      for (JsonNode port : container.path("ports")) {
        if (port.path("hostPort").asInt(0) != 0) {
          ports.add(String.valueOf(port.path("hostPort").asInt()));
          uses = true;
        }
      }
      if (uses) {
        containers.add(name(container));
      }
    }
    return containers.isEmpty()
        ? null
        : new Violation(
            "hostPort",
            names(containers)
                + (containers.size() == 1 ? " uses " : " use ")
                + (ports.size() == 1 ? "hostPort " : "hostPorts ")
                + String.join(", ", ports));
  }

  private static Violation privileged(JsonNode pod) {
    List<String> containers = new ArrayList<>();
    for (JsonNode container : containers(pod)) {
      if (container.path("securityContext").path("privileged").asBoolean(false)) {
        containers.add(name(container));
      }
    }
    return containers.isEmpty()
        ? null
        : new Violation(
            "privileged", names(containers) + " must not set securityContext.privileged=true");
  }

  /** Baseline: an explicit Unconfined profile. */
  private static Violation unconfinedSeccomp(JsonNode pod) {
    List<String> parts = new ArrayList<>();
    if (pod.path("spec")
        .path("securityContext")
        .path("seccompProfile")
        .path("type")
        .asString("")
        .equals("Unconfined")) {
      parts.add("pod");
    }
    List<String> containers = new ArrayList<>();
    for (JsonNode container : containers(pod)) {
      if (container
          .path("securityContext")
          .path("seccompProfile")
          .path("type")
          .asString("")
          .equals("Unconfined")) {
        containers.add(name(container));
      }
    }
    if (!containers.isEmpty()) {
      parts.add(names(containers));
    }
    return parts.isEmpty()
        ? null
        : new Violation(
            "seccompProfile",
            String.join(" and ", parts)
                + " must not set securityContext.seccompProfile.type to \"Unconfined\"");
  }

  private static Violation privilegeEscalation(JsonNode pod) {
    List<String> containers = new ArrayList<>();
    for (JsonNode container : containers(pod)) {
      JsonNode allowed = container.path("securityContext").path("allowPrivilegeEscalation");
      if (!allowed.isBoolean() || allowed.asBoolean()) {
        containers.add(name(container));
      }
    }
    return containers.isEmpty()
        ? null
        : new Violation(
            "allowPrivilegeEscalation != false",
            names(containers) + " must set securityContext.allowPrivilegeEscalation=false");
  }

  /** Restricted: drop ALL, and add nothing but NET_BIND_SERVICE. */
  private static Violation unrestrictedCapabilities(JsonNode pod) {
    List<String> notDropping = new ArrayList<>();
    List<String> adding = new ArrayList<>();
    java.util.SortedSet<String> added = new java.util.TreeSet<>();
    for (JsonNode container : containers(pod)) {
      JsonNode capabilities = container.path("securityContext").path("capabilities");
      boolean dropsAll = false;
      for (JsonNode dropped : capabilities.path("drop")) {
        dropsAll |= dropped.asString("").equals("ALL");
      }
      if (!dropsAll) {
        notDropping.add(name(container));
      }
      boolean forbidden = false;
      for (JsonNode capability : capabilities.path("add")) {
        if (!capability.asString("").equals("NET_BIND_SERVICE")) {
          added.add(capability.asString(""));
          forbidden = true;
        }
      }
      if (forbidden) {
        adding.add(name(container));
      }
    }
    List<String> parts = new ArrayList<>();
    if (!notDropping.isEmpty()) {
      parts.add(names(notDropping) + " must set securityContext.capabilities.drop=[\"ALL\"]");
    }
    if (!adding.isEmpty()) {
      parts.add(
          names(adding)
              + " must not include "
              + quoted(added)
              + " in securityContext.capabilities.add");
    }
    return parts.isEmpty()
        ? null
        : new Violation("unrestricted capabilities", String.join("; ", parts));
  }

  private static Violation restrictedVolumes(JsonNode pod) {
    List<String> volumes = new ArrayList<>();
    java.util.SortedSet<String> types = new java.util.TreeSet<>();
    for (JsonNode volume : pod.path("spec").path("volumes")) {
      boolean restricted = false;
      for (Map.Entry<String, JsonNode> field : volume.properties()) {
        if (!field.getKey().equals("name") && !RESTRICTED_VOLUMES.contains(field.getKey())) {
          types.add(field.getKey());
          restricted = true;
        }
      }
      if (restricted) {
        volumes.add(volume.path("name").asString(""));
      }
    }
    if (volumes.isEmpty()) {
      return null;
    }
    boolean one = volumes.size() == 1;
    return new Violation(
        "restricted volume types",
        (one ? "volume " : "volumes ")
            + quoted(volumes)
            + (one ? " uses " : " use ")
            + (types.size() == 1 ? "restricted volume type " : "restricted volume types ")
            + quoted(types));
  }

  private static Violation runAsNonRoot(JsonNode pod) {
    JsonNode podSetting = pod.path("spec").path("securityContext").path("runAsNonRoot");
    List<String> parts = new ArrayList<>();
    if (podSetting.isBoolean() && !podSetting.asBoolean()) {
      parts.add("pod must not set securityContext.runAsNonRoot=false");
    }
    boolean podNonRoot = podSetting.isBoolean() && podSetting.asBoolean();
    List<String> explicitlyFalse = new ArrayList<>();
    List<String> unset = new ArrayList<>();
    for (JsonNode container : containers(pod)) {
      JsonNode setting = container.path("securityContext").path("runAsNonRoot");
      if (setting.isBoolean() && !setting.asBoolean()) {
        explicitlyFalse.add(name(container));
      } else if (!setting.isBoolean() && !podNonRoot) {
        unset.add(name(container));
      }
    }
    if (!explicitlyFalse.isEmpty()) {
      parts.add(names(explicitlyFalse) + " must not set securityContext.runAsNonRoot=false");
    }
    if (!unset.isEmpty() && !(podSetting.isBoolean() && !podSetting.asBoolean())) {
      parts.add("pod or " + names(unset) + " must set securityContext.runAsNonRoot=true");
    }
    return parts.isEmpty() ? null : new Violation("runAsNonRoot != true", String.join("; ", parts));
  }

  private static Violation runAsRoot(JsonNode pod) {
    List<String> parts = new ArrayList<>();
    JsonNode podUser = pod.path("spec").path("securityContext").path("runAsUser");
    if (podUser.isNumber() && podUser.asLong() == 0) {
      parts.add("pod");
    }
    List<String> containers = new ArrayList<>();
    for (JsonNode container : containers(pod)) {
      JsonNode user = container.path("securityContext").path("runAsUser");
      if (user.isNumber() && user.asLong() == 0) {
        containers.add(name(container));
      }
    }
    if (!containers.isEmpty()) {
      parts.add(names(containers));
    }
    return parts.isEmpty()
        ? null
        : new Violation("runAsUser=0", String.join(" and ", parts) + " must not set runAsUser=0");
  }

  /** Restricted: RuntimeDefault or Localhost, set on the pod or on every container. */
  private static Violation seccompProfile(JsonNode pod) {
    String podType =
        pod.path("spec").path("securityContext").path("seccompProfile").path("type").asString("");
    List<String> parts = new ArrayList<>();
    boolean podValid = podType.equals("RuntimeDefault") || podType.equals("Localhost");
    if (!podType.isEmpty() && !podValid) {
      parts.add("pod must not set securityContext.seccompProfile.type to \"" + podType + "\"");
    }
    List<String> badContainers = new ArrayList<>();
    java.util.SortedSet<String> badTypes = new java.util.TreeSet<>();
    List<String> unset = new ArrayList<>();
    for (JsonNode container : containers(pod)) {
      String type =
          container.path("securityContext").path("seccompProfile").path("type").asString("");
      if (type.isEmpty()) {
        if (!podValid) {
          unset.add(name(container));
        }
      } else if (!type.equals("RuntimeDefault") && !type.equals("Localhost")) {
        badContainers.add(name(container));
        badTypes.add(type);
      }
    }
    if (!badContainers.isEmpty()) {
      parts.add(
          names(badContainers)
              + " must not set securityContext.seccompProfile.type to "
              + quoted(badTypes));
    }
    if (!unset.isEmpty() && podType.isEmpty()) {
      parts.add(
          "pod or "
              + names(unset)
              + " must set securityContext.seccompProfile.type to \"RuntimeDefault\" or"
              + " \"Localhost\"");
    }
    return parts.isEmpty() ? null : new Violation("seccompProfile", String.join("; ", parts));
  }
}
