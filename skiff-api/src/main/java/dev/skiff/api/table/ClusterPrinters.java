package dev.skiff.api.table;

import static dev.skiff.api.table.Fields.bool;
import static dev.skiff.api.table.Fields.has;
import static dev.skiff.api.table.Fields.list;
import static dev.skiff.api.table.Fields.lng;
import static dev.skiff.api.table.Fields.size;
import static dev.skiff.api.table.Fields.str;
import static dev.skiff.api.table.ObjectPrinter.age;
import static dev.skiff.api.table.ObjectPrinter.column;
import static dev.skiff.api.table.ObjectPrinter.name;
import static dev.skiff.api.table.ObjectPrinter.wide;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * Printers of the named groups other than apps and batch: networking, RBAC, storage, policy,
 * coordination, scheduling, certificates, node, autoscaling, discovery, admission and events.
 */
final class ClusterPrinters {
  private ClusterPrinters() {}

  static void register(Map<String, TablePrinter> printers, InstantSource clock) {
    printers.put(
        "events.k8s.io/events",
        new ObjectPrinter(CorePrinters.EVENT_COLUMNS, clock, CorePrinters::eventsV1Event));
    printers.put(
        "networking.k8s.io/ingresses",
        new ObjectPrinter(
            List.of(
                name(),
                column("Class", "string", "The ingress class."),
                column("Hosts", "string", "Hosts the rules match."),
                column("Address", "string", "Load-balancer addresses."),
                column("Ports", "string", "Ports served."),
                age()),
            clock,
            ClusterPrinters::ingress));
    printers.put(
        "networking.k8s.io/ingressclasses",
        new ObjectPrinter(
            List.of(
                name(),
                column("Controller", "string", "The controller that implements the class."),
                column("Parameters", "string", "The class's parameters object."),
                age()),
            clock,
            (ic, now) -> {
              String parameters = "<none>";
              if (has(ic, "spec", "parameters")) {
                JsonNode p = ic.path("spec").path("parameters");
                parameters = str(p, "kind");
                if (has(p, "apiGroup")) {
                  parameters += "." + str(p, "apiGroup");
                }
                parameters += "/" + str(p, "name");
              }
              return List.of(name(ic), str(ic, "spec", "controller"), parameters, age(ic, now));
            }));
    printers.put(
        "networking.k8s.io/networkpolicies",
        new ObjectPrinter(
            List.of(name(), column("Pod-Selector", "string", "Pods the policy applies to."), age()),
            clock,
            (np, now) ->
                List.of(
                    name(np),
                    Formats.selectorOrNone(np.path("spec").path("podSelector")),
                    age(np, now))));
    ObjectPrinter bindings =
        new ObjectPrinter(
            List.of(
                name(),
                column("Role", "string", "The bound role, as Kind/name."),
                age(),
                wide("Users", "string", "Bound users."),
                wide("Groups", "string", "Bound groups."),
                wide("ServiceAccounts", "string", "Bound service accounts.")),
            clock,
            ClusterPrinters::binding);
    printers.put("rbac.authorization.k8s.io/rolebindings", bindings);
    printers.put("rbac.authorization.k8s.io/clusterrolebindings", bindings);
    printers.put(
        "storage.k8s.io/storageclasses",
        new ObjectPrinter(
            List.of(
                name(),
                column("Provisioner", "string", "The volume plugin that provisions volumes."),
                column("ReclaimPolicy", "string", "What happens to released volumes."),
                column("VolumeBindingMode", "string", "When volumes are bound."),
                column("AllowVolumeExpansion", "string", "Whether volumes may grow."),
                age()),
            clock,
            ClusterPrinters::storageClass));
    printers.put(
        "storage.k8s.io/volumeattachments",
        new ObjectPrinter(
            List.of(
                name(),
                new ColumnDefinition("Attacher", "string", "name", "The attaching driver.", 0),
                column("PV", "string", "The attached persistent volume."),
                column("Node", "string", "The node the volume is attached to."),
                column("Attached", "boolean", "Whether the attach succeeded."),
                age()),
            clock,
            (va, now) ->
                List.of(
                    name(va),
                    str(va, "spec", "attacher"),
                    str(va, "spec", "source", "persistentVolumeName"),
                    str(va, "spec", "nodeName"),
                    bool(va, "status", "attached"),
                    age(va, now))));
    printers.put(
        "storage.k8s.io/csinodes",
        new ObjectPrinter(
            List.of(name(), column("Drivers", "integer", "CSI drivers on the node."), age()),
            clock,
            (n, now) -> List.of(name(n), (long) size(n, "spec", "drivers"), age(n, now))));
    printers.put(
        "storage.k8s.io/csidrivers",
        new ObjectPrinter(
            List.of(
                name(),
                column("AttachRequired", "boolean", "Whether volumes need attaching."),
                column("PodInfoOnMount", "boolean", "Whether mounts receive pod information."),
                column("StorageCapacity", "boolean", "Whether the driver reports capacity."),
                column("TokenRequests", "string", "Audiences of requested tokens."),
                column("RequiresRepublish", "boolean", "Whether mounts are refreshed."),
                column("Modes", "string", "Volume lifecycle modes."),
                age()),
            clock,
            ClusterPrinters::csiDriver));
    printers.put(
        "storage.k8s.io/csistoragecapacities",
        new ObjectPrinter(
            List.of(
                name(),
                column("StorageClassName", "string", "The storage class."),
                column("Capacity", "string", "Available capacity.")),
            clock,
            (c, now) ->
                List.of(
                    name(c),
                    str(c, "storageClassName"),
                    has(c, "capacity") ? str(c, "capacity") : "<unset>")));
    printers.put(
        "policy/poddisruptionbudgets",
        new ObjectPrinter(
            List.of(
                name(),
                column("Min Available", "string", "Pods that must stay available."),
                column("Max Unavailable", "string", "Pods that may be unavailable."),
                column("Allowed Disruptions", "integer", "Evictions allowed now."),
                age()),
            clock,
            (pdb, now) ->
                List.of(
                    name(pdb),
                    has(pdb, "spec", "minAvailable")
                        ? Formats.intOrString(pdb.path("spec").path("minAvailable"))
                        : "N/A",
                    has(pdb, "spec", "maxUnavailable")
                        ? Formats.intOrString(pdb.path("spec").path("maxUnavailable"))
                        : "N/A",
                    lng(pdb, "status", "disruptionsAllowed"),
                    age(pdb, now))));
    printers.put(
        "coordination.k8s.io/leases",
        new ObjectPrinter(
            List.of(name(), column("Holder", "string", "Who holds the lease."), age()),
            clock,
            (l, now) -> List.of(name(l), str(l, "spec", "holderIdentity"), age(l, now))));
    printers.put(
        "scheduling.k8s.io/priorityclasses",
        new ObjectPrinter(
            List.of(
                name(),
                column("Value", "integer", "The priority of pods of this class."),
                column("Global-Default", "boolean", "Whether pods get this class by default."),
                age(),
                column("PreemptionPolicy", "string", "Whether pods may preempt others.")),
            clock,
            (pc, now) ->
                List.of(
                    name(pc),
                    lng(pc, "value"),
                    bool(pc, "globalDefault"),
                    age(pc, now),
                    str(pc, "preemptionPolicy"))));
    printers.put(
        "certificates.k8s.io/certificatesigningrequests",
        new ObjectPrinter(
            List.of(
                name(),
                age(),
                column("SignerName", "string", "The signer asked to sign."),
                column("Requestor", "string", "Who asked."),
                column("RequestedDuration", "string", "The validity asked for."),
                column("Condition", "string", "Approved, Denied, Pending, Failed, Issued.")),
            clock,
            ClusterPrinters::certificateSigningRequest));
    printers.put(
        "node.k8s.io/runtimeclasses",
        new ObjectPrinter(
            List.of(name(), column("Handler", "string", "The runtime handler."), age()),
            clock,
            (rc, now) -> List.of(name(rc), str(rc, "handler"), age(rc, now))));
    printers.put(
        "autoscaling/horizontalpodautoscalers",
        new ObjectPrinter(
            List.of(
                name(),
                column("Reference", "string", "The scaled object, as Kind/name."),
                column("Targets", "string", "Current and target metric values."),
                column("MinPods", "string", "The lower replica bound."),
                column("MaxPods", "string", "The upper replica bound."),
                column("Replicas", "string", "Current replicas."),
                age()),
            clock,
            ClusterPrinters::horizontalPodAutoscaler));
    printers.put(
        "discovery.k8s.io/endpointslices",
        new ObjectPrinter(
            List.of(
                name(),
                column("AddressType", "string", "IPv4, IPv6 or FQDN."),
                column("Ports", "string", "The slice's ports."),
                column("Endpoints", "string", "The slice's addresses."),
                age()),
            clock,
            ClusterPrinters::endpointSlice));
    ObjectPrinter webhooks =
        new ObjectPrinter(
            List.of(name(), column("Webhooks", "integer", "Webhooks configured."), age()),
            clock,
            (w, now) -> List.of(name(w), (long) size(w, "webhooks"), age(w, now)));
    printers.put("admissionregistration.k8s.io/mutatingwebhookconfigurations", webhooks);
    printers.put("admissionregistration.k8s.io/validatingwebhookconfigurations", webhooks);
    printers.put(
        "admissionregistration.k8s.io/validatingadmissionpolicies",
        new ObjectPrinter(
            List.of(
                name(),
                column("Validations", "integer", "Validation rules defined."),
                column("ParamKind", "string", "The kind of the parameter resource."),
                age()),
            clock,
            (p, now) ->
                List.of(
                    name(p),
                    (long) size(p, "spec", "validations"),
                    has(p, "spec", "paramKind")
                        ? str(p, "spec", "paramKind", "apiVersion")
                            + "/"
                            + str(p, "spec", "paramKind", "kind")
                        : "<unset>",
                    age(p, now))));
    printers.put(
        "admissionregistration.k8s.io/validatingadmissionpolicybindings",
        new ObjectPrinter(
            List.of(
                name(),
                column("PolicyName", "string", "The bound policy."),
                column("ParamRef", "string", "The parameter resource."),
                age()),
            clock,
            (b, now) -> {
              String param = "<unset>";
              if (has(b, "spec", "paramRef")) {
                JsonNode ref = b.path("spec").path("paramRef");
                if (!str(ref, "name").isEmpty()) {
                  param =
                      str(ref, "namespace").isEmpty()
                          ? "*/" + str(ref, "name")
                          : str(ref, "namespace") + "/" + str(ref, "name");
                } else if (has(ref, "selector")) {
                  param = Formats.selector(ref.path("selector"));
                }
              }
              return List.of(name(b), str(b, "spec", "policyName"), param, age(b, now));
            }));
  }

  private static List<Object> ingress(JsonNode ing, Instant now) {
    JsonNode spec = ing.path("spec");
    List<JsonNode> rules = list(spec, "rules");
    List<String> hosts = new ArrayList<>();
    boolean more = false;
    for (JsonNode rule : rules) {
      if (hosts.size() == 3) {
        more = true;
      }
      if (!more && !str(rule, "host").isEmpty()) {
        hosts.add(str(rule, "host"));
      }
    }
    String hostText;
    if (hosts.isEmpty()) {
      hostText = "*";
    } else if (more) {
      hostText = String.join(",", hosts) + " + " + (rules.size() - 3) + " more...";
    } else {
      hostText = String.join(",", hosts);
    }
    TreeSet<String> addresses = new TreeSet<>();
    for (JsonNode entry : list(ing, "status", "loadBalancer", "ingress")) {
      if (!str(entry, "ip").isEmpty()) {
        addresses.add(str(entry, "ip"));
      } else if (!str(entry, "hostname").isEmpty()) {
        addresses.add(str(entry, "hostname"));
      }
    }
    return List.of(
        name(ing),
        has(spec, "ingressClassName") ? str(spec, "ingressClassName") : "<none>",
        hostText,
        String.join(",", addresses),
        list(spec, "tls").isEmpty() ? "80" : "80, 443",
        age(ing, now));
  }

  private static List<Object> binding(JsonNode binding, Instant now) {
    List<String> users = new ArrayList<>();
    List<String> groups = new ArrayList<>();
    List<String> serviceAccounts = new ArrayList<>();
    for (JsonNode subject : list(binding, "subjects")) {
      String subjectName = str(subject, "name");
      switch (str(subject, "kind")) {
        case "User" -> users.add(subjectName);
        case "Group" -> groups.add(subjectName);
        case "ServiceAccount" ->
            serviceAccounts.add(
                str(subject, "namespace").isEmpty()
                    ? subjectName
                    : str(subject, "namespace") + "/" + subjectName);
        default -> {}
      }
    }
    return List.of(
        name(binding),
        str(binding, "roleRef", "kind") + "/" + str(binding, "roleRef", "name"),
        age(binding, now),
        String.join(", ", users),
        String.join(", ", groups),
        String.join(", ", serviceAccounts));
  }

  private static List<Object> storageClass(JsonNode sc, Instant now) {
    String displayName = name(sc);
    String isDefault =
        str(sc, "metadata", "annotations", "storageclass.kubernetes.io/is-default-class");
    String isDefaultBeta =
        str(sc, "metadata", "annotations", "storageclass.beta.kubernetes.io/is-default-class");
    if (isDefault.equals("true") || isDefaultBeta.equals("true")) {
      displayName += " (default)";
    }
    return List.of(
        displayName,
        str(sc, "provisioner"),
        Fields.orDefault(str(sc, "reclaimPolicy"), "Delete"),
        Fields.orDefault(str(sc, "volumeBindingMode"), "Immediate"),
        bool(sc, "allowVolumeExpansion"),
        age(sc, now));
  }

  private static List<Object> csiDriver(JsonNode driver, Instant now) {
    JsonNode spec = driver.path("spec");
    List<String> modes =
        list(spec, "volumeLifecycleModes").stream().map(m -> m.asString("")).toList();
    String tokenRequests = "<unset>";
    if (has(spec, "tokenRequests")) {
      tokenRequests =
          String.join(
              ",", list(spec, "tokenRequests").stream().map(t -> str(t, "audience")).toList());
    }
    return List.of(
        name(driver),
        has(spec, "attachRequired") ? bool(spec, "attachRequired") : true,
        bool(spec, "podInfoOnMount"),
        bool(spec, "storageCapacity"),
        tokenRequests,
        bool(spec, "requiresRepublish"),
        modes.isEmpty() ? "<none>" : String.join(",", modes),
        age(driver, now));
  }

  private static List<Object> certificateSigningRequest(JsonNode csr, Instant now) {
    boolean approved = false;
    boolean denied = false;
    boolean failed = false;
    for (JsonNode condition : list(csr, "status", "conditions")) {
      switch (str(condition, "type")) {
        case "Approved" -> approved = true;
        case "Denied" -> denied = true;
        case "Failed" -> failed = true;
        default -> {}
      }
    }
    String condition = denied ? "Denied" : approved ? "Approved" : "Pending";
    if (failed) {
      condition += ",Failed";
    }
    if (!str(csr, "status", "certificate").isEmpty()) {
      condition += ",Issued";
    }
    return List.of(
        name(csr),
        age(csr, now),
        Fields.orDefault(str(csr, "spec", "signerName"), "<none>"),
        str(csr, "spec", "username"),
        has(csr, "spec", "expirationSeconds")
            ? HumanDuration.format(Duration.ofSeconds(lng(csr, "spec", "expirationSeconds")))
            : "<none>",
        condition);
  }

  private static List<Object> horizontalPodAutoscaler(JsonNode hpa, Instant now) {
    JsonNode spec = hpa.path("spec");
    return List.of(
        name(hpa),
        str(spec, "scaleTargetRef", "kind") + "/" + str(spec, "scaleTargetRef", "name"),
        HpaTargets.format(hpa),
        has(spec, "minReplicas") ? Long.toString(lng(spec, "minReplicas")) : "<unset>",
        lng(spec, "maxReplicas"),
        lng(hpa, "status", "currentReplicas"),
        age(hpa, now));
  }

  private static List<Object> endpointSlice(JsonNode slice, Instant now) {
    List<String> ports = new ArrayList<>();
    for (JsonNode port : list(slice, "ports")) {
      ports.add(
          has(port, "port")
              ? Long.toString(lng(port, "port"))
              : has(port, "name") ? str(port, "name") : "*");
    }
    List<String> addresses = new ArrayList<>();
    for (JsonNode endpoint : list(slice, "endpoints")) {
      list(endpoint, "addresses").forEach(a -> addresses.add(a.asString("")));
    }
    return List.of(
        name(slice),
        str(slice, "addressType"),
        Formats.listWithMore(ports, 3),
        Formats.listWithMore(addresses, 3),
        age(slice, now));
  }
}
