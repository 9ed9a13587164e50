package dev.skiff.apiserver.discovery;

import dev.skiff.api.ResourceType;
import java.util.List;

/**
 * What discovery says about each subresource: the kind it accepts or returns and its verbs, as
 * Kubernetes lists them (e.g. {@code pods/eviction} is a policy/v1 Eviction you can only create).
 */
final class SubresourceKinds {
  private static final List<String> GET_PATCH_UPDATE = List.of("get", "patch", "update");
  private static final List<String> CREATE_GET = List.of("create", "get");
  private static final List<String> PROXY_VERBS =
      List.of("create", "delete", "get", "patch", "update");

  /**
   * One subresource of one resource.
   *
   * @param group the group of its kind; equal to the parent's group for most
   */
  record Entry(String name, String group, String version, String kind, List<String> verbs) {}

  private SubresourceKinds() {}

  static Entry of(ResourceType parent, String subresource) {
    String g = parent.group();
    String v = parent.version();
    return switch (subresource) {
      case "scale" -> new Entry(subresource, "autoscaling", "v1", "Scale", GET_PATCH_UPDATE);
      case "log" -> new Entry(subresource, g, v, parent.kind(), List.of("get"));
      case "exec" -> new Entry(subresource, g, v, "PodExecOptions", CREATE_GET);
      case "attach" -> new Entry(subresource, g, v, "PodAttachOptions", CREATE_GET);
      case "portforward" -> new Entry(subresource, g, v, "PodPortForwardOptions", CREATE_GET);
      case "proxy" -> new Entry(subresource, g, v, parent.kind() + "ProxyOptions", PROXY_VERBS);
      case "binding" -> new Entry(subresource, g, v, "Binding", List.of("create"));
      case "eviction" -> new Entry(subresource, "policy", "v1", "Eviction", List.of("create"));
      case "finalize" -> new Entry(subresource, g, v, parent.kind(), List.of("update"));
      case "token" ->
          new Entry(subresource, "authentication.k8s.io", "v1", "TokenRequest", List.of("create"));
      default -> new Entry(subresource, g, v, parent.kind(), GET_PATCH_UPDATE);
    };
  }
}
