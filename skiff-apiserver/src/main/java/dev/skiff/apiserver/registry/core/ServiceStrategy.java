package dev.skiff.apiserver.registry.core;

import dev.skiff.api.validation.FieldError;
import dev.skiff.apiserver.registry.CreateFinisher;
import dev.skiff.apiserver.registry.DeletionStrategy;
import dev.skiff.apiserver.registry.Meta;
import dev.skiff.apiserver.registry.NameRule;
import dev.skiff.apiserver.registry.ResourceStrategy;
import dev.skiff.apiserver.registry.Traits;
import dev.skiff.apiserver.registry.UpdateFinisher;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Services: ClusterIP by default, ports default to TCP with targetPort = port, a cluster IP from
 * the {@link ClusterIpAllocator} on create, and an immutable cluster IP.
 *
 * <p>A create holds its cluster IP and node ports (allocated or chosen) under the new service's
 * uid; {@link #finishCreate} commits them when the service was stored and releases them when the
 * create failed later on or was a dry run.
 *
 * <p>An update that needs what the stored service lacks (a type change to NodePort or LoadBalancer,
 * ExternalName to another type, a new requested node port) allocates or claims it the same way,
 * held under an owner of its own for that update attempt; {@link #finishUpdate} commits or releases
 * it. What an update drops (node ports off NodePort, the cluster IP off ExternalName) is free once
 * the stored service no longer shows it.
 */
public final class ServiceStrategy
    implements ResourceStrategy, DeletionStrategy, CreateFinisher, UpdateFinisher {
  private static final List<String> TYPES =
      List.of("ClusterIP", "ExternalName", "LoadBalancer", "NodePort");
  private static final Traits TRAITS = Traits.DEFAULT.withNameRule(NameRule.DNS1035_LABEL);

  private final ClusterIpAllocator allocator;
  private final NodePortAllocator nodePorts;
  private final AtomicLong updates = new AtomicLong();

  /** The hold owner of each update in flight, by the identity of the object being updated. */
  private final Map<ObjectNode, String> updateOwners =
      Collections.synchronizedMap(new IdentityHashMap<>());

  public ServiceStrategy(ClusterIpAllocator allocator, NodePortAllocator nodePorts) {
    this.allocator = allocator;
    this.nodePorts = nodePorts;
  }

  @Override
  public void applyDefaults(ObjectNode service) {
    ObjectNode spec = Meta.child(service, "spec");
    Meta.defaultText(spec, "type", "ClusterIP");
    Meta.defaultText(spec, "sessionAffinity", "None");
    String type = Meta.text(spec, "type");
    if (!type.equals("ExternalName")) {
      Meta.defaultText(spec, "internalTrafficPolicy", "Cluster");
    }
    if (type.equals("NodePort") || type.equals("LoadBalancer")) {
      Meta.defaultText(spec, "externalTrafficPolicy", "Cluster");
    }
    if (type.equals("LoadBalancer") && !spec.hasNonNull("allocateLoadBalancerNodePorts")) {
      spec.put("allocateLoadBalancerNodePorts", true);
    }
    for (JsonNode p : spec.path("ports")) {
      if (p instanceof ObjectNode port) {
        Meta.defaultText(port, "protocol", "TCP");
        if (!port.hasNonNull("targetPort") && port.has("port")) {
          port.set("targetPort", port.get("port"));
        }
      }
    }
  }

  @Override
  public void prepareForCreate(ObjectNode service) {
    ObjectNode spec = Meta.child(service, "spec");
    service.putObject("status").putObject("loadBalancer");
    String type = Meta.text(spec, "type");
    if (type.equals("ExternalName")) {
      return;
    }
    String owner = owner(service);
    if (needsNodePorts(spec)) {
      allocateNodePorts(spec, owner);
    }
    allocateClusterIp(spec, owner);
  }

  /** A node port for every port without one, never one another port of the spec asks for. */
  private void allocateNodePorts(ObjectNode spec, String owner) {
    Set<Integer> requested = new HashSet<>();
    for (JsonNode port : spec.path("ports")) {
      if (port.path("nodePort").asInt(0) != 0) {
        requested.add(port.path("nodePort").asInt());
      }
    }
    for (JsonNode p : spec.path("ports")) {
      if (p instanceof ObjectNode port && port.path("nodePort").asInt(0) == 0) {
        int allocated = nodePorts.allocate(owner);
        // a requested port handed out here stays held: validation claims it for the same owner
        while (requested.contains(allocated)) {
          allocated = nodePorts.allocate(owner);
        }
        port.put("nodePort", allocated);
      }
    }
  }

  /** A cluster IP when none is set, and the IP family fields that go with it. */
  private void allocateClusterIp(ObjectNode spec, String owner) {
    String clusterIp = Meta.text(spec, "clusterIP");
    if (clusterIp.isEmpty()) {
      clusterIp = allocator.allocate(owner);
      spec.put("clusterIP", clusterIp);
    }
    if (!spec.has("clusterIPs")) {
      spec.putArray("clusterIPs").add(clusterIp);
    }
    if (!spec.has("ipFamilies")) {
      spec.putArray("ipFamilies").add("IPv4");
    }
    Meta.defaultText(spec, "ipFamilyPolicy", "SingleStack");
  }

  @Override
  public void prepareForUpdate(ObjectNode service, ObjectNode old) {
    ObjectNode spec = Meta.child(service, "spec");
    JsonNode oldSpec = old.path("spec");
    List<String> ipFields = List.of("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy");
    for (String field : ipFields) {
      if (!spec.hasNonNull(field) && oldSpec.has(field)) {
        spec.set(field, oldSpec.get(field));
      }
    }
    String type = Meta.text(spec, "type");
    if (type.equals("ExternalName")) {
      // an ExternalName service has no cluster IP: what the update left as it was goes
      for (String field : ipFields) {
        if (spec.has(field) && spec.get(field).equals(oldSpec.get(field))) {
          spec.remove(field);
        }
      }
      if (spec.has("internalTrafficPolicy")
          && spec.get("internalTrafficPolicy").equals(oldSpec.get("internalTrafficPolicy"))) {
        spec.remove("internalTrafficPolicy");
      }
    }
    boolean hadNodePorts = needsNodePorts(oldSpec);
    boolean needsNodePorts = needsNodePorts(spec);
    // a port keeps its node port when the update leaves it out, as Kubernetes does
    for (JsonNode p : spec.path("ports")) {
      if (hadNodePorts
          && needsNodePorts
          && p instanceof ObjectNode port
          && port.path("nodePort").asInt(0) == 0) {
        for (JsonNode before : oldSpec.path("ports")) {
          if (before.path("port").equals(port.path("port"))
              && before.path("protocol").equals(port.path("protocol"))
              && before.has("nodePort")) {
            port.set("nodePort", before.get("nodePort"));
          }
        }
      }
    }
    dropTypeDependentFields(spec, oldSpec, hadNodePorts && !needsNodePorts);
    if (type.equals("ExternalName")) {
      return;
    }
    String owner = owner(service) + "/update-" + updates.incrementAndGet();
    updateOwners.put(service, owner);
    if (needsNodePorts) {
      allocateNodePorts(spec, owner);
    }
    allocateClusterIp(spec, owner);
  }

  /** A NodePort service, or a LoadBalancer unless allocateLoadBalancerNodePorts is false. */
  private static boolean needsNodePorts(JsonNode spec) {
    String type = Meta.text(spec, "type");
    return type.equals("NodePort")
        || type.equals("LoadBalancer")
            && spec.path("allocateLoadBalancerNodePorts").asBoolean(true);
  }

  /**
   * What only another type uses goes when the type changes, unless the update changed it itself
   * (Kubernetes' rule): node ports (freeing them), allocateLoadBalancerNodePorts and
   * loadBalancerClass off LoadBalancer, externalTrafficPolicy off externally reachable types.
   */
  private static void dropTypeDependentFields(
      ObjectNode spec, JsonNode oldSpec, boolean nodePortsGone) {
    if (nodePortsGone && sameNodePorts(spec, oldSpec)) {
      for (JsonNode p : spec.path("ports")) {
        if (p instanceof ObjectNode port) {
          port.remove("nodePort");
        }
      }
    }
    String type = Meta.text(spec, "type");
    if (!type.equals("LoadBalancer")) {
      for (String field : List.of("allocateLoadBalancerNodePorts", "loadBalancerClass")) {
        if (spec.has(field) && spec.get(field).equals(oldSpec.get(field))) {
          spec.remove(field);
        }
      }
    }
    boolean externallyReachable =
        type.equals("NodePort")
            || type.equals("LoadBalancer")
            || !spec.path("externalIPs").isEmpty();
    if (!externallyReachable
        && spec.has("externalTrafficPolicy")
        && spec.get("externalTrafficPolicy").equals(oldSpec.get("externalTrafficPolicy"))) {
      spec.remove("externalTrafficPolicy");
    }
  }

  /** Whether every port has the node port it had (by position), or none where it had none. */
  private static boolean sameNodePorts(JsonNode spec, JsonNode oldSpec) {
    JsonNode ports = spec.path("ports");
    JsonNode oldPorts = oldSpec.path("ports");
    if (ports.size() != oldPorts.size()) {
      return false;
    }
    for (int i = 0; i < ports.size(); i++) {
      if (ports.get(i).path("nodePort").asInt(0) != oldPorts.get(i).path("nodePort").asInt(0)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Create: the common checks plus a chosen cluster IP and node ports that must be in range and
   * free; they are held for this create from here on.
   */
  @Override
  public List<FieldError> validate(ObjectNode service) {
    List<FieldError> errors = validateSpec(service);
    if (!errors.isEmpty()) {
      return errors;
    }
    claim(service, owner(service), Set.of(), "", errors);
    return errors;
  }

  /**
   * Claims the node ports and cluster IP {@code service} names for {@code owner}, except those the
   * stored service already has ({@code ownPorts}, {@code ownIp}), adding an error per one taken.
   */
  private void claim(
      ObjectNode service,
      String owner,
      Set<Integer> ownPorts,
      String ownIp,
      List<FieldError> errors) {
    int i = 0;
    Set<Integer> claimed = new LinkedHashSet<>(ownPorts);
    for (JsonNode port : service.path("spec").path("ports")) {
      int nodePort = port.path("nodePort").asInt(0);
      // the same node port on two ports of one service (e.g. TCP and UDP) is one allocation
      if (nodePort != 0 && !claimed.contains(nodePort)) {
        if (nodePorts.claim(nodePort, owner)) {
          claimed.add(nodePort);
        } else {
          errors.add(
              FieldError.invalid(
                  "spec.ports[" + i + "].nodePort",
                  nodePort,
                  "provided port is already allocated"));
        }
      }
      i++;
    }
    String ip = Meta.textAt(service, "spec.clusterIP");
    if (!ip.isEmpty() && !ip.equals("None") && !ip.equals(ownIp)) {
      if (!allocator.contains(ip)) {
        errors.add(
            FieldError.invalid(
                "spec.clusterIPs",
                List.of(ip),
                "failed to allocate IP "
                    + ip
                    + ": provided IP is not in the valid range. The"
                    + " range of valid IPs is "
                    + allocator.range()));
      } else if (!allocator.claim(ip, owner)) {
        errors.add(
            FieldError.invalid(
                "spec.clusterIPs",
                List.of(ip),
                "failed to allocate IP " + ip + ": provided IP is already allocated"));
      }
    }
  }

  private List<FieldError> validateSpec(ObjectNode service) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode spec = service.path("spec");
    String type = Meta.text(spec, "type");
    if (!TYPES.contains(type)) {
      errors.add(FieldError.notSupported("spec.type", type, TYPES));
    }
    if (type.equals("ExternalName")) {
      boolean[] set = {
        !Meta.text(spec, "clusterIP").isEmpty() || !spec.path("clusterIPs").isEmpty(),
        !spec.path("ipFamilies").isEmpty(),
        !Meta.text(spec, "ipFamilyPolicy").isEmpty()
      };
      List<String> fields = List.of("clusterIPs", "ipFamilies", "ipFamilyPolicy");
      for (int f = 0; f < fields.size(); f++) {
        if (set[f]) {
          errors.add(
              FieldError.forbidden(
                  "spec." + fields.get(f), "may not be set for ExternalName services"));
        }
      }
      if (Meta.text(spec, "externalName").isEmpty()) {
        errors.add(FieldError.required("spec.externalName", ""));
      }
    }
    JsonNode ports = spec.path("ports");
    if (!type.equals("ExternalName")
        && (!ports.isArray() || ports.isEmpty())
        && !Meta.text(spec, "clusterIP").equals("None")) {
      errors.add(FieldError.required("spec.ports", ""));
    }
    int i = 0;
    for (JsonNode port : ports) {
      int nodePort = port.path("nodePort").asInt(0);
      if (nodePort != 0
          && (nodePort < NodePortAllocator.FIRST || nodePort > NodePortAllocator.LAST)) {
        errors.add(
            FieldError.invalid(
                "spec.ports[" + i + "].nodePort",
                nodePort,
                "provided port is not in the valid range. The range of valid ports is"
                    + " 30000-32767"));
      }
      long number = port.path("port").asLong(0);
      if (number < 1 || number > 65535) {
        errors.add(
            FieldError.invalid(
                "spec.ports[" + i + "].port", number, "must be between 1 and 65535, inclusive"));
      }
      if (ports.size() > 1 && Meta.text(port, "name").isEmpty()) {
        errors.add(FieldError.required("spec.ports[" + i + "].name", ""));
      }
      i++;
    }
    return errors;
  }

  @Override
  public List<FieldError> validateUpdate(ObjectNode service, ObjectNode old) {
    List<FieldError> errors = new ArrayList<>(validateSpec(service));
    String oldIp = Meta.textAt(old, "spec.clusterIP");
    String newIp = Meta.textAt(service, "spec.clusterIP");
    if (!oldIp.isEmpty()
        && !oldIp.equals(newIp)
        && !Meta.textAt(service, "spec.type").equals("ExternalName")) {
      errors.add(FieldError.invalid("spec.clusterIPs[0]", newIp, "may not change once set"));
    }
    String owner = updateOwners.get(service);
    if (errors.isEmpty() && owner != null) {
      claim(service, owner, nodePortsOf(old.path("spec")), oldIp, errors);
    }
    return errors;
  }

  @Override
  public void finishUpdate(ObjectNode service, ObjectNode old, boolean stored) {
    String owner = updateOwners.remove(service);
    if (owner != null) {
      finish(service, owner, stored, nodePortsOf(old.path("spec")));
    }
  }

  private static Set<Integer> nodePortsOf(JsonNode spec) {
    Set<Integer> ports = new HashSet<>();
    for (JsonNode port : spec.path("ports")) {
      if (port.path("nodePort").asInt(0) != 0) {
        ports.add(port.path("nodePort").asInt());
      }
    }
    return ports;
  }

  @Override
  public void finishCreate(ObjectNode service, boolean stored) {
    finish(service, owner(service), stored, Set.of());
  }

  /**
   * Commits (stored) or releases what {@code owner} holds of the service's cluster IP and node
   * ports; a value held by someone else (e.g. the stored service's own) is left alone.
   */
  private void finish(ObjectNode service, String owner, boolean stored, Set<Integer> skip) {
    long revision = stored ? Long.parseLong(Meta.textAt(service, "metadata.resourceVersion")) : 0;
    String ip = Meta.textAt(service, "spec.clusterIP");
    if (!ip.isEmpty() && !ip.equals("None")) {
      if (stored) {
        allocator.commit(ip, owner, revision);
      } else {
        allocator.release(ip, owner);
      }
    }
    for (JsonNode port : service.path("spec").path("ports")) {
      int nodePort = port.path("nodePort").asInt(0);
      if (nodePort != 0 && !skip.contains(nodePort)) {
        if (stored) {
          nodePorts.commit(nodePort, owner, revision);
        } else {
          nodePorts.release(nodePort, owner);
        }
      }
    }
  }

  /** The create a hold belongs to: the new service's uid (set before prepareForCreate). */
  private static String owner(ObjectNode service) {
    return Meta.textAt(service, "metadata.uid");
  }

  @Override
  public Traits traits() {
    return TRAITS;
  }

  @Override
  public boolean returnsDeletedObject() {
    return true;
  }
}
