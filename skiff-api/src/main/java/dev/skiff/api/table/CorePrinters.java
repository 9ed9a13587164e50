package dev.skiff.api.table;

import static dev.skiff.api.table.Fields.has;
import static dev.skiff.api.table.Fields.list;
import static dev.skiff.api.table.Fields.lng;
import static dev.skiff.api.table.Fields.map;
import static dev.skiff.api.table.Fields.orDefault;
import static dev.skiff.api.table.Fields.size;
import static dev.skiff.api.table.Fields.str;
import static dev.skiff.api.table.ObjectPrinter.age;
import static dev.skiff.api.table.ObjectPrinter.column;
import static dev.skiff.api.table.ObjectPrinter.name;
import static dev.skiff.api.table.ObjectPrinter.wide;

import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/** Printers of the core group (v1) kinds, keyed "/plural". */
final class CorePrinters {
  private CorePrinters() {}

  static void register(Map<String, TablePrinter> printers, InstantSource clock) {
    printers.put("/pods", new ObjectPrinter(PodRow.columns(), clock, PodRow::cells));
    printers.put("/nodes", new ObjectPrinter(NODE_COLUMNS, clock, CorePrinters::node));
    printers.put(
        "/namespaces",
        new ObjectPrinter(
            List.of(name(), column("Status", "string", "The namespace's phase."), age()),
            clock,
            (ns, now) -> List.of(name(ns), str(ns, "status", "phase"), age(ns, now))));
    printers.put("/services", new ObjectPrinter(SERVICE_COLUMNS, clock, CorePrinters::service));
    printers.put(
        "/endpoints",
        new ObjectPrinter(
            List.of(name(), column("Endpoints", "string", "Ready addresses and ports."), age()),
            clock,
            (ep, now) -> List.of(name(ep), endpoints(ep), age(ep, now))));
    printers.put(
        "/configmaps",
        new ObjectPrinter(
            List.of(name(), column("Data", "string", "Number of data entries."), age()),
            clock,
            (cm, now) ->
                List.of(
                    name(cm), (long) (size(cm, "data") + size(cm, "binaryData")), age(cm, now))));
    printers.put(
        "/secrets",
        new ObjectPrinter(
            List.of(
                name(),
                column("Type", "string", "The secret's type."),
                column("Data", "string", "Number of data entries."),
                age()),
            clock,
            (s, now) -> List.of(name(s), str(s, "type"), (long) size(s, "data"), age(s, now))));
    printers.put(
        "/serviceaccounts",
        new ObjectPrinter(
            List.of(name(), column("Secrets", "string", "Number of referenced secrets."), age()),
            clock,
            (sa, now) -> List.of(name(sa), (long) size(sa, "secrets"), age(sa, now))));
    printers.put("/events", new ObjectPrinter(EVENT_COLUMNS, clock, CorePrinters::coreEvent));
    printers.put(
        "/persistentvolumes", new ObjectPrinter(PV_COLUMNS, clock, CorePrinters::persistentVolume));
    printers.put(
        "/persistentvolumeclaims",
        new ObjectPrinter(PVC_COLUMNS, clock, CorePrinters::persistentVolumeClaim));
    printers.put(
        "/replicationcontrollers",
        new ObjectPrinter(
            List.of(
                name(),
                column("Desired", "integer", "Replicas asked for."),
                column("Current", "integer", "Replicas that exist."),
                column("Ready", "integer", "Replicas that are ready."),
                age(),
                WorkloadPrinters.CONTAINERS,
                WorkloadPrinters.IMAGES,
                wide("Selector", "string", "Labels that select the pods.")),
            clock,
            (rc, now) -> {
              String[] containers =
                  Formats.containers(rc.path("spec").path("template").path("spec"));
              return List.of(
                  name(rc),
                  lng(rc, 1, "spec", "replicas"),
                  lng(rc, "status", "replicas"),
                  lng(rc, "status", "readyReplicas"),
                  age(rc, now),
                  containers[0],
                  containers[1],
                  Formats.labels(map(rc, "spec", "selector")));
            }));
    printers.put(
        "/resourcequotas",
        new ObjectPrinter(
            List.of(
                name(),
                column("Request", "string", "Used and hard amounts of requests and counts."),
                column("Limit", "string", "Used and hard amounts of limits."),
                age()),
            clock,
            CorePrinters::resourceQuota));
    printers.put(
        "/componentstatuses",
        new ObjectPrinter(
            List.of(
                name(),
                column("Status", "string", "Healthy, Unhealthy or Unknown."),
                column("Message", "string", "What the health check reported."),
                column("Error", "string", "The health check's error, if any.")),
            clock,
            (cs, now) -> componentStatus(cs)));
    printers.put(
        "/podtemplates",
        new ObjectPrinter(
            List.of(
                name(),
                column("Containers", "string", "Container names of the template."),
                column("Images", "string", "Container images of the template."),
                column("Pod Labels", "string", "Labels of the template's pods.")),
            clock,
            (pt, now) -> {
              String[] containers = Formats.containers(pt.path("template").path("spec"));
              return List.of(
                  name(pt),
                  containers[0],
                  containers[1],
                  Formats.labels(map(pt, "template", "metadata", "labels")));
            }));
  }

  static final List<ColumnDefinition> NODE_COLUMNS =
      List.of(
          name(),
          column("Status", "string", "Readiness, and SchedulingDisabled when cordoned."),
          column("Roles", "string", "Roles from node-role labels."),
          age(),
          column("Version", "string", "The kubelet's version."),
          wide("Internal-IP", "string", "The node's first internal IP."),
          wide("External-IP", "string", "The node's first external IP."),
          wide("OS-Image", "string", "The node's operating system image."),
          wide("Kernel-Version", "string", "The node's kernel version."),
          wide("Container-Runtime", "string", "The container runtime and its version."));

  private static List<Object> node(JsonNode node, Instant now) {
    List<String> status = new ArrayList<>();
    for (JsonNode condition : list(node, "status", "conditions")) {
      if (str(condition, "type").equals("Ready")) {
        status.clear();
        status.add(str(condition, "status").equals("True") ? "Ready" : "NotReady");
      }
    }
    if (status.isEmpty()) {
      status.add("Unknown");
    }
    if (Fields.bool(node, "spec", "unschedulable")) {
      status.add("SchedulingDisabled");
    }
    TreeSet<String> roles = new TreeSet<>();
    map(node, "metadata", "labels")
        .forEach(
            (key, value) -> {
              if (key.startsWith("node-role.kubernetes.io/")) {
                String role = key.substring("node-role.kubernetes.io/".length());
                if (!role.isEmpty()) {
                  roles.add(role);
                }
              } else if (key.equals("kubernetes.io/role") && !value.isEmpty()) {
                roles.add(value);
              }
            });
    JsonNode info = node.path("status").path("nodeInfo");
    return List.of(
        name(node),
        String.join(",", status),
        roles.isEmpty() ? "<none>" : String.join(",", roles),
        age(node, now),
        str(info, "kubeletVersion"),
        nodeAddress(node, "InternalIP"),
        nodeAddress(node, "ExternalIP"),
        orDefault(str(info, "osImage"), "<unknown>"),
        orDefault(str(info, "kernelVersion"), "<unknown>"),
        orDefault(str(info, "containerRuntimeVersion"), "<unknown>"));
  }

  private static String nodeAddress(JsonNode node, String type) {
    for (JsonNode address : list(node, "status", "addresses")) {
      if (str(address, "type").equals(type)) {
        return str(address, "address");
      }
    }
    return "<none>";
  }

  static final List<ColumnDefinition> SERVICE_COLUMNS =
      List.of(
          name(),
          column("Type", "string", "How the service is exposed."),
          column("Cluster-IP", "string", "The service's cluster IP."),
          column("External-IP", "string", "Addresses reachable from outside the cluster."),
          column("Port(s)", "string", "Service ports, with node ports."),
          age(),
          wide("Selector", "string", "Labels that select the backing pods."));

  private static List<Object> service(JsonNode svc, Instant now) {
    JsonNode spec = svc.path("spec");
    List<JsonNode> clusterIps = list(spec, "clusterIPs");
    String clusterIp = clusterIps.isEmpty() ? "<none>" : clusterIps.get(0).asString("");
    List<String> ports = new ArrayList<>();
    for (JsonNode port : list(spec, "ports")) {
      long nodePort = lng(port, "nodePort");
      String protocol = str(port, "protocol");
      ports.add(
          nodePort > 0
              ? lng(port, "port") + ":" + nodePort + "/" + protocol
              : lng(port, "port") + "/" + protocol);
    }
    return List.of(
        name(svc),
        str(spec, "type"),
        clusterIp,
        serviceExternalIp(svc),
        ports.isEmpty() ? "<none>" : String.join(",", ports),
        age(svc, now),
        Formats.labels(map(spec, "selector")));
  }

  private static String serviceExternalIp(JsonNode svc) {
    JsonNode spec = svc.path("spec");
    List<String> externalIps = list(spec, "externalIPs").stream().map(n -> n.asString("")).toList();
    switch (str(spec, "type")) {
      case "ClusterIP", "NodePort":
        return externalIps.isEmpty() ? "<none>" : String.join(",", externalIps);
      case "LoadBalancer":
        TreeSet<String> ingress = new TreeSet<>();
        for (JsonNode entry : list(svc, "status", "loadBalancer", "ingress")) {
          if (!str(entry, "ip").isEmpty()) {
            ingress.add(str(entry, "ip"));
          } else if (!str(entry, "hostname").isEmpty()) {
            ingress.add(str(entry, "hostname"));
          }
        }
        List<String> all = new ArrayList<>(ingress);
        all.addAll(externalIps);
        if (!externalIps.isEmpty() || !ingress.isEmpty()) {
          return String.join(",", all);
        }
        return "<pending>";
      case "ExternalName":
        return str(spec, "externalName");
      default:
        return "<unknown>";
    }
  }

  private static String endpoints(JsonNode ep) {
    List<JsonNode> subsets = list(ep, "subsets");
    if (subsets.isEmpty()) {
      return "<none>";
    }
    List<String> shown = new ArrayList<>();
    int max = 3;
    int count = 0;
    for (JsonNode subset : subsets) {
      List<JsonNode> addresses = list(subset, "addresses");
      List<JsonNode> ports = list(subset, "ports");
      if (ports.isEmpty()) {
        count += addresses.size();
        for (JsonNode address : addresses) {
          if (shown.size() == max) {
            break;
          }
          shown.add(str(address, "ip"));
        }
        continue;
      }
      for (JsonNode port : ports) {
        count += addresses.size();
        for (JsonNode address : addresses) {
          if (shown.size() == max) {
            break;
          }
          String ip = str(address, "ip");
          String host = ip.contains(":") ? "[" + ip + "]" : ip;
          shown.add(host + ":" + lng(port, "port"));
        }
      }
    }
    String joined = String.join(",", shown);
    return count > max ? joined + " + " + (count - max) + " more..." : joined;
  }

  static final List<ColumnDefinition> EVENT_COLUMNS =
      List.of(
          column("Last Seen", "string", "Time since the event was last seen."),
          column("Type", "string", "Normal or Warning."),
          column("Reason", "string", "A short machine-readable reason."),
          column("Object", "string", "The object the event is about."),
          wide("Subobject", "string", "The part of the object, e.g. a container."),
          wide("Source", "string", "The component that reported the event."),
          column("Message", "string", "What happened."),
          wide("First Seen", "string", "Time since the event was first seen."),
          wide("Count", "string", "How often the event occurred."),
          new ColumnDefinition("Name", "string", "name", "The event's name.", 1));

  /** The core/v1 Event row. */
  static List<Object> coreEvent(JsonNode event, Instant now) {
    return eventRow(
        event,
        now,
        event.path("involvedObject"),
        str(event, "message"),
        event.path("source"),
        str(event, "firstTimestamp"),
        str(event, "lastTimestamp"),
        lng(event, "count"));
  }

  /** The events.k8s.io/v1 Event row: same columns, its fields renamed. */
  static List<Object> eventsV1Event(JsonNode event, Instant now) {
    return eventRow(
        event,
        now,
        event.path("regarding"),
        str(event, "note"),
        event.path("deprecatedSource"),
        str(event, "deprecatedFirstTimestamp"),
        str(event, "deprecatedLastTimestamp"),
        lng(event, "deprecatedCount"));
  }

  private static List<Object> eventRow(
      JsonNode event,
      Instant now,
      JsonNode involved,
      String message,
      JsonNode source,
      String firstTimestamp,
      String lastTimestamp,
      long count) {
    String first =
        firstTimestamp.isEmpty()
            ? HumanDuration.since(str(event, "eventTime"), now)
            : HumanDuration.since(firstTimestamp, now);
    String last = lastTimestamp.isEmpty() ? first : HumanDuration.since(lastTimestamp, now);
    if (has(event, "series")) {
      last = HumanDuration.since(str(event, "series", "lastObservedTime"), now);
      count = lng(event, "series", "count");
    } else if (count == 0) {
      count = 1;
    }
    String kind = str(involved, "kind").toLowerCase(Locale.ROOT);
    String target = str(involved, "name").isEmpty() ? kind : kind + "/" + str(involved, "name");
    String component = orDefault(str(source, "component"), str(event, "reportingController"));
    String host = orDefault(str(source, "host"), str(event, "reportingInstance"));
    String sourceText = host.isEmpty() ? component : component + ", " + host;
    return List.of(
        last,
        str(event, "type"),
        str(event, "reason"),
        target,
        str(involved, "fieldPath"),
        sourceText,
        message.strip(),
        first,
        count,
        name(event));
  }

  static final List<ColumnDefinition> PV_COLUMNS =
      List.of(
          name(),
          column("Capacity", "string", "The volume's storage capacity."),
          column("Access Modes", "string", "How the volume can be mounted."),
          column("Reclaim Policy", "string", "What happens to the volume when released."),
          column("Status", "string", "The volume's phase."),
          column("Claim", "string", "The claim bound to the volume."),
          column("StorageClass", "string", "The volume's storage class."),
          column("VolumeAttributesClass", "string", "The volume's attributes class."),
          column("Reason", "string", "Why the volume is in its phase."),
          age(),
          wide("VolumeMode", "string", "Filesystem or Block."));

  private static List<Object> persistentVolume(JsonNode pv, Instant now) {
    JsonNode spec = pv.path("spec");
    String claim =
        has(spec, "claimRef")
            ? str(spec, "claimRef", "namespace") + "/" + str(spec, "claimRef", "name")
            : "";
    String phase =
        has(pv, "metadata", "deletionTimestamp") ? "Terminating" : str(pv, "status", "phase");
    String storageClass =
        orDefault(
            str(pv, "metadata", "annotations", "volume.beta.kubernetes.io/storage-class"),
            str(spec, "storageClassName"));
    return List.of(
        name(pv),
        str(spec, "capacity", "storage"),
        Formats.accessModes(list(spec, "accessModes")),
        str(spec, "persistentVolumeReclaimPolicy"),
        phase,
        claim,
        storageClass,
        has(spec, "volumeAttributesClassName") ? str(spec, "volumeAttributesClassName") : "<unset>",
        str(pv, "status", "reason"),
        age(pv, now),
        has(spec, "volumeMode") ? str(spec, "volumeMode") : "<unset>");
  }

  static final List<ColumnDefinition> PVC_COLUMNS =
      List.of(
          name(),
          column("Status", "string", "The claim's phase."),
          column("Volume", "string", "The volume bound to the claim."),
          column("Capacity", "string", "The bound volume's capacity."),
          column("Access Modes", "string", "How the bound volume can be mounted."),
          column("StorageClass", "string", "The claim's storage class."),
          column("VolumeAttributesClass", "string", "The claim's attributes class."),
          age(),
          wide("VolumeMode", "string", "Filesystem or Block."));

  private static List<Object> persistentVolumeClaim(JsonNode pvc, Instant now) {
    JsonNode spec = pvc.path("spec");
    String phase =
        has(pvc, "metadata", "deletionTimestamp") ? "Terminating" : str(pvc, "status", "phase");
    String capacity = "";
    String accessModes = "";
    if (!str(spec, "volumeName").isEmpty()) {
      accessModes = Formats.accessModes(list(pvc, "status", "accessModes"));
      capacity = str(pvc, "status", "capacity", "storage");
    }
    String annotated =
        str(pvc, "metadata", "annotations", "volume.beta.kubernetes.io/storage-class");
    return List.of(
        name(pvc),
        phase,
        str(spec, "volumeName"),
        capacity,
        accessModes,
        annotated.isEmpty() ? str(spec, "storageClassName") : annotated,
        has(spec, "volumeAttributesClassName") ? str(spec, "volumeAttributesClassName") : "<unset>",
        age(pvc, now),
        has(spec, "volumeMode") ? str(spec, "volumeMode") : "<unset>");
  }

  private static List<Object> resourceQuota(JsonNode quota, Instant now) {
    Map<String, String> hard = new TreeMap<>(map(quota, "status", "hard"));
    Map<String, String> used = map(quota, "status", "used");
    List<String> requests = new ArrayList<>();
    List<String> limits = new ArrayList<>();
    hard.forEach(
        (resource, amount) -> {
          String text = resource + ": " + used.getOrDefault(resource, "0") + "/" + amount;
          String[] pieces = resource.split("\\.");
          if (pieces.length > 1 && pieces[0].equals("limits")) {
            limits.add(text);
          } else {
            requests.add(text);
          }
        });
    return List.of(
        name(quota), String.join(", ", requests), String.join(", ", limits), age(quota, now));
  }

  static List<Object> componentStatus(JsonNode cs) {
    String status = "Unknown";
    String message = "";
    String error = "";
    for (JsonNode condition : list(cs, "conditions")) {
      if (str(condition, "type").equals("Healthy")) {
        status = str(condition, "status").equals("True") ? "Healthy" : "Unhealthy";
        message = str(condition, "message");
        error = str(condition, "error");
        break;
      }
    }
    return Arrays.asList(name(cs), status, message, error);
  }
}
