package dev.skiff.apiserver.admission.webhook;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Resolves a webhook's service reference to one ready endpoint address of the Service, as
 * kube-apiserver does when it routes to endpoints instead of through a proxy: the Service port with
 * the referenced port number names the Endpoints port; a random ready address of a random subset
 * that has that port is chosen. The TLS server name stays {@code <service>.<namespace>.svc}.
 */
final class EndpointResolver {
  /** host and port to dial. */
  record Endpoint(String host, int port) {}

  private final Function<String, Optional<ObjectNode>> get;
  private final RandomGenerator random;

  /**
   * @param get reads an object by its API path, empty when absent
   */
  EndpointResolver(Function<String, Optional<ObjectNode>> get, RandomGenerator random) {
    this.get = get;
    this.random = random;
  }

  /**
   * @throws CallingWebhookException with Kubernetes' reason when the Service, its port or a ready
   *     endpoint is missing
   */
  Endpoint resolve(Webhook.ServiceReference reference) {
    String base = "/api/v1/namespaces/" + reference.namespace();
    ObjectNode service =
        get.apply(base + "/services/" + reference.name())
            .orElseThrow(
                () ->
                    new CallingWebhookException("service \"" + reference.name() + "\" not found"));
    String type = service.path("spec").path("type").asString("ClusterIP");
    if (!List.of("ClusterIP", "NodePort", "LoadBalancer").contains(type)) {
      throw new CallingWebhookException("unsupported service type \"" + type + "\"");
    }
    String portName = null;
    for (JsonNode port : service.path("spec").path("ports")) {
      if (port.path("port").asInt() == reference.port()) {
        portName = port.path("name").asString("");
        break;
      }
    }
    if (portName == null) {
      throw new CallingWebhookException(
          "no service port "
              + reference.port()
              + " found for service \""
              + reference.name()
              + "\"");
    }
    JsonNode subsets =
        get.apply(base + "/endpoints/" + reference.name())
            .map(endpoints -> endpoints.path("subsets"))
            .orElse(null);
    List<JsonNode> candidates = new ArrayList<>();
    if (subsets != null) {
      subsets.forEach(candidates::add);
    }
    if (!candidates.isEmpty()) {
      int start = random.nextInt(candidates.size());
      for (int i = 0; i < candidates.size(); i++) {
        JsonNode subset = candidates.get((start + i) % candidates.size());
        JsonNode addresses = subset.path("addresses");
        if (addresses.isEmpty()) {
          continue;
        }
        for (JsonNode port : subset.path("ports")) {
          if (port.path("name").asString("").equals(portName)) {
            String ip = addresses.get(random.nextInt(addresses.size())).path("ip").asString();
            return new Endpoint(ip, port.path("port").asInt());
          }
        }
      }
    }
    throw new CallingWebhookException(
        "no endpoints available for service \"" + reference.name() + "\"");
  }
}
