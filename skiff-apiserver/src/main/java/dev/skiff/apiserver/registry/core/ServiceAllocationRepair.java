package dev.skiff.apiserver.registry.core;

import dev.skiff.api.Json;
import dev.skiff.apiserver.registry.Meta;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The start-up check of Kubernetes' cluster IP and node port repair controllers: every stored
 * service's cluster IPs and node ports must be valid, in range and held by no other service. The
 * allocators read what is in use from the stored services themselves, so a restart over an existing
 * datastore already never hands out a used address; this pass finds what the stored data gets wrong
 * (a service written with another --service-cidr, two services sharing an address) and reports each
 * as a warning log line and a Warning Event on the service, with Kubernetes' reasons
 * (ClusterIPNotValid, ClusterIPOutOfRange, ClusterIPAlreadyAllocated, PortOutOfRange,
 * PortAlreadyAllocated). Of two services sharing a value, the older one keeps it.
 */
public final class ServiceAllocationRepair {
  private static final Logger log = LoggerFactory.getLogger(ServiceAllocationRepair.class);
  static final String IP_COMPONENT = "ipallocator-repair-controller";
  static final String PORT_COMPONENT = "portallocator-repair-controller";

  /** One problem found on a stored service. */
  public record Problem(
      String component,
      String reason,
      String namespace,
      String name,
      ObjectNode service,
      String message) {}

  private final ClusterIpAllocator clusterIps;

  public ServiceAllocationRepair(ClusterIpAllocator clusterIps) {
    this.clusterIps = clusterIps;
  }

  /** The problems of {@code services}, oldest service first. */
  public List<Problem> check(List<ObjectNode> services) {
    List<ObjectNode> ordered = new ArrayList<>(services);
    ordered.sort(
        Comparator.comparing((ObjectNode s) -> Meta.textAt(s, "metadata.creationTimestamp"))
            .thenComparing(Meta::namespace)
            .thenComparing(Meta::name));
    List<Problem> problems = new ArrayList<>();
    Map<String, String> ipOwners = new HashMap<>();
    Map<Integer, String> portOwners = new HashMap<>();
    for (ObjectNode service : ordered) {
      String key = Meta.namespace(service) + "/" + Meta.name(service);
      JsonNode spec = service.path("spec");
      if (!Meta.text(spec, "type").equals("ExternalName")) {
        for (String ip : clusterIps(spec)) {
          if (ip.isEmpty() || ip.equals("None")) {
            continue;
          }
          if (ClusterIpAllocator.parse(ip) < 0) {
            problems.add(
                problem(
                    IP_COMPONENT,
                    "ClusterIPNotValid",
                    service,
                    "Cluster IP " + ip + " is not a valid IP; please recreate service"));
          } else if (!clusterIps.contains(ip)) {
            problems.add(
                problem(
                    IP_COMPONENT,
                    "ClusterIPOutOfRange",
                    service,
                    "Cluster IP "
                        + ip
                        + " is not within the service CIDR "
                        + clusterIps.range()
                        + "; please recreate service"));
          } else {
            String owner = ipOwners.putIfAbsent(ip, key);
            if (owner != null && !owner.equals(key)) {
              problems.add(
                  problem(
                      IP_COMPONENT,
                      "ClusterIPAlreadyAllocated",
                      service,
                      "Cluster IP "
                          + ip
                          + " was assigned to multiple services (also "
                          + owner
                          + "); please recreate service"));
            }
          }
        }
      }
      Set<Integer> seen = new HashSet<>();
      for (JsonNode port : spec.path("ports")) {
        int nodePort = port.path("nodePort").asInt(0);
        // one port number on several ports of a service (TCP and UDP) is one allocation
        if (nodePort == 0 || !seen.add(nodePort)) {
          continue;
        }
        if (!NodePortAllocator.inRange(nodePort)) {
          problems.add(
              problem(
                  PORT_COMPONENT,
                  "PortOutOfRange",
                  service,
                  "Port "
                      + nodePort
                      + " is not within the port range "
                      + NodePortAllocator.FIRST
                      + "-"
                      + NodePortAllocator.LAST
                      + "; please recreate service"));
          continue;
        }
        String owner = portOwners.putIfAbsent(nodePort, key);
        if (owner != null && !owner.equals(key)) {
          problems.add(
              problem(
                  PORT_COMPONENT,
                  "PortAlreadyAllocated",
                  service,
                  "Port "
                      + nodePort
                      + " was assigned to multiple services (also "
                      + owner
                      + "); please recreate service"));
        }
      }
    }
    return problems;
  }

  /** Checks {@code services}, logs each problem and hands an Event for it to {@code events}. */
  public List<Problem> repair(List<ObjectNode> services, Consumer<ObjectNode> events, Instant now) {
    List<Problem> problems = check(services);
    int i = 0;
    for (Problem p : problems) {
      log.warn(
          "service allocation problem component={} reason={} service={}/{} message=\"{}\"",
          p.component(),
          p.reason(),
          p.namespace(),
          p.name(),
          p.message());
      events.accept(event(p, now, i++));
    }
    return problems;
  }

  /** A core/v1 Warning Event about the problem's service, in the service's namespace. */
  static ObjectNode event(Problem p, Instant now, int index) {
    ObjectNode event = Json.object();
    event.put("apiVersion", "v1");
    event.put("kind", "Event");
    long nanos = now.getEpochSecond() * 1_000_000_000L + now.getNano() + index;
    event
        .putObject("metadata")
        .put("name", p.name() + "." + Long.toHexString(nanos))
        .put("namespace", p.namespace());
    ObjectNode involved = event.putObject("involvedObject");
    involved.put("apiVersion", "v1");
    involved.put("kind", "Service");
    involved.put("namespace", p.namespace());
    involved.put("name", p.name());
    involved.put("uid", Meta.uid(p.service()));
    involved.put("resourceVersion", Meta.resourceVersion(p.service()));
    event.put("reason", p.reason());
    event.put("message", p.message());
    event.put("type", "Warning");
    event.putObject("source").put("component", p.component());
    String time = now.truncatedTo(ChronoUnit.SECONDS).toString();
    event.put("firstTimestamp", time);
    event.put("lastTimestamp", time);
    event.put("count", 1);
    event.put("reportingComponent", p.component());
    return event;
  }

  private static List<String> clusterIps(JsonNode spec) {
    List<String> ips = new ArrayList<>();
    for (JsonNode ip : spec.path("clusterIPs")) {
      ips.add(ip.asString(""));
    }
    if (ips.isEmpty()) {
      ips.add(Meta.text(spec, "clusterIP"));
    }
    return ips;
  }

  private static Problem problem(
      String component, String reason, ObjectNode service, String message) {
    return new Problem(
        component, reason, Meta.namespace(service), Meta.name(service), service, message);
  }
}
