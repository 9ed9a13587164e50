package dev.skiff.apiserver.registry.core;

import dev.skiff.api.validation.FieldError;
import dev.skiff.apiserver.registry.DeletionStrategy;
import dev.skiff.apiserver.registry.Meta;
import dev.skiff.apiserver.registry.NameRule;
import dev.skiff.apiserver.registry.ResourceStrategy;
import dev.skiff.apiserver.registry.Traits;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Services: ClusterIP by default, ports default to TCP with targetPort = port, a cluster IP from
 * the {@link ClusterIpAllocator} on create, and an immutable cluster IP.
 */
public final class ServiceStrategy implements ResourceStrategy, DeletionStrategy {
  private static final List<String> TYPES =
      List.of("ClusterIP", "ExternalName", "LoadBalancer", "NodePort");
  private static final Traits TRAITS = Traits.DEFAULT.withNameRule(NameRule.DNS1035_LABEL);

  private final ClusterIpAllocator allocator;
  private final NodePortAllocator nodePorts;

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
    if (type.equals("NodePort") || type.equals("LoadBalancer")) {
      for (JsonNode p : spec.path("ports")) {
        if (p instanceof ObjectNode port && port.path("nodePort").asInt(0) == 0) {
          port.put("nodePort", nodePorts.allocate());
        }
      }
    }
    String clusterIp = Meta.text(spec, "clusterIP");
    if (clusterIp.isEmpty()) {
      clusterIp = allocator.allocate();
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
    for (String field : List.of("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy")) {
      if (!spec.hasNonNull(field) && oldSpec.has(field)) {
        spec.set(field, oldSpec.get(field));
      }
    }
    // a port keeps its node port when the update leaves it out, as Kubernetes does
    for (JsonNode p : spec.path("ports")) {
      if (p instanceof ObjectNode port && port.path("nodePort").asInt(0) == 0) {
        for (JsonNode before : oldSpec.path("ports")) {
          if (before.path("port").equals(port.path("port"))
              && before.path("protocol").equals(port.path("protocol"))
              && before.has("nodePort")) {
            port.set("nodePort", before.get("nodePort"));
          }
        }
      }
    }
  }

  /** Create: the common checks plus a chosen cluster IP that must be in range and free. */
  @Override
  public List<FieldError> validate(ObjectNode service) {
    List<FieldError> errors = validateSpec(service);
    String ip = Meta.textAt(service, "spec.clusterIP");
    if (!ip.isEmpty() && !ip.equals("None") && errors.isEmpty()) {
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
      } else if (!allocator.claim(ip)) {
        errors.add(
            FieldError.invalid(
                "spec.clusterIPs",
                List.of(ip),
                "failed to allocate IP " + ip + ": provided IP is already allocated"));
      }
    }
    return errors;
  }

  private List<FieldError> validateSpec(ObjectNode service) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode spec = service.path("spec");
    String type = Meta.text(spec, "type");
    if (!TYPES.contains(type)) {
      errors.add(FieldError.notSupported("spec.type", type, TYPES));
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
    return errors;
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
