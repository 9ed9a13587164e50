package dev.skiff.controllers.servicelb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.controllers.runtime.DefaultRateLimitingQueue;
import dev.skiff.controllers.runtime.FakeClock;
import dev.skiff.controllers.runtime.FakeEventRecorder;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.QueueMetrics;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ServiceLoadBalancerControllerTest {
  private final CacheImpl<Service> services = new CacheImpl<>();
  private final CacheImpl<Node> nodes = new CacheImpl<>();
  private final CacheImpl<EndpointSlice> slices = new CacheImpl<>();
  private final FakeEventRecorder events = new FakeEventRecorder();
  private final List<String> writes = new ArrayList<>();
  private final DefaultRateLimitingQueue<ObjectKey> queue =
      DefaultRateLimitingQueue.create(new FakeClock(), QueueMetrics.NONE);
  private final ServiceLoadBalancerController controller =
      new ServiceLoadBalancerController(
          services,
          nodes,
          slices,
          service -> {
            writes.add(service.getMetadata().getName());
            services.put(service);
          },
          events,
          queue);

  @AfterEach
  void close() {
    queue.close();
  }

  @Test
  void listsTheInternalIpsOfReadySchedulableNodesAsVips() {
    nodes.put(node("b", "True", Map.of("InternalIP", "10.0.0.1")));
    nodes.put(node("a", "True", Map.of("InternalIP", "10.0.0.2")));
    nodes.put(node("not-ready", "False", Map.of("InternalIP", "10.0.0.3")));
    Node cordoned = node("cordoned", "True", Map.of("InternalIP", "10.0.0.4"));
    cordoned.getSpec().setUnschedulable(true);
    nodes.put(cordoned);
    services.put(loadBalancer("web", 80));

    controller.reconcile(key("web"));

    assertThat(ingress("web")).containsExactly("10.0.0.1 VIP", "10.0.0.2 VIP");
    assertThat(events.events())
        .containsExactly(
            "Normal EnsuringLoadBalancer Ensuring load balancer",
            "Normal EnsuredLoadBalancer Ensured load balancer");

    controller.reconcile(key("web"));
    assertThat(writes).containsExactly("web");
  }

  @Test
  void externalIpsWinWhenAnyServingNodeHasOne() {
    nodes.put(node("a", "True", Map.of("InternalIP", "10.0.0.1", "ExternalIP", "203.0.113.9")));
    nodes.put(node("b", "True", Map.of("InternalIP", "10.0.0.2")));
    services.put(loadBalancer("web", 80));

    controller.reconcile(key("web"));

    assertThat(ingress("web")).containsExactly("203.0.113.9 VIP");
  }

  @Test
  void onceANodeCarriesTheEnableLbLabelOnlyNodesLabelledTrueServe() {
    nodes.put(
        withLabel(
            node("a", "True", Map.of("InternalIP", "10.0.0.1")),
            LoadBalancerNodes.ENABLE_LB_LABEL,
            "true"));
    nodes.put(
        withLabel(
            node("b", "True", Map.of("InternalIP", "10.0.0.2")),
            LoadBalancerNodes.ENABLE_LB_LABEL,
            "false"));
    nodes.put(node("c", "True", Map.of("InternalIP", "10.0.0.3")));
    nodes.put(
        withLabel(
            node("d", "True", Map.of("InternalIP", "10.0.0.4")),
            LoadBalancerNodes.EXCLUDE_LABEL,
            ""));
    services.put(loadBalancer("web", 80));

    controller.reconcile(key("web"));

    assertThat(ingress("web")).containsExactly("10.0.0.1 VIP");
  }

  @Test
  void servicesOfAnotherLoadBalancerClassOrTypeAreLeftAlone() {
    nodes.put(node("a", "True", Map.of("InternalIP", "10.0.0.1")));
    services.put(
        new ServiceBuilder(loadBalancer("metal", 80))
            .editSpec()
            .withLoadBalancerClass("example.com/metal")
            .endSpec()
            .build());
    services.put(
        new ServiceBuilder(loadBalancer("ours", 81))
            .editSpec()
            .withLoadBalancerClass(ServiceLoadBalancerController.LOAD_BALANCER_CLASS)
            .endSpec()
            .build());
    services.put(
        new ServiceBuilder(loadBalancer("plain", 82))
            .editSpec()
            .withType("NodePort")
            .endSpec()
            .build());

    controller.reconcile(key("metal"));
    controller.reconcile(key("ours"));
    controller.reconcile(key("plain"));

    assertThat(writes).containsExactly("ours");
    assertThat(ingress("ours")).containsExactly("10.0.0.1 VIP");
  }

  @Test
  void theSecondServiceWantingAPortStaysPendingUntilTheFirstGoesAway() {
    nodes.put(node("a", "True", Map.of("InternalIP", "10.0.0.1")));
    nodes.put(node("b", "True", Map.of("InternalIP", "10.0.0.2")));
    services.put(withCreation(loadBalancer("first", 8080), "2026-01-01T00:00:00Z"));
    controller.reconcile(key("first"));
    // older by its timestamp, but the first already holds the port: holders keep it
    services.put(withCreation(loadBalancer("second", 8080), "2025-01-01T00:00:00Z"));

    controller.reconcile(key("second"));
    controller.reconcile(key("second"));

    assertThat(ingress("first")).containsExactly("10.0.0.1 VIP", "10.0.0.2 VIP");
    assertThat(ingress("second")).isEmpty();
    assertThat(writes).containsExactly("first");
    assertThat(events.events())
        .containsOnlyOnce(
            "Warning SyncLoadBalancerFailed Error syncing load balancer: no node has the"
                + " service's ports free (8080/TCP held by default/first); the service stays"
                + " Pending until they are released");

    Service first = services.getByKey("default/first");
    services.remove(first);
    controller.serviceHandler().onDelete(first, false);
    assertThat(queue.length()).isEqualTo(2);
    controller.reconcile(key("first"));
    controller.reconcile(key("second"));

    assertThat(ingress("second")).containsExactly("10.0.0.1 VIP", "10.0.0.2 VIP");
  }

  @Test
  void aServiceOnOtherPortsSharesTheNodes() {
    nodes.put(node("a", "True", Map.of("InternalIP", "10.0.0.1")));
    services.put(loadBalancer("http", 80));
    services.put(loadBalancer("https", 443));

    controller.reconcile(key("http"));
    controller.reconcile(key("https"));

    assertThat(ingress("http")).containsExactly("10.0.0.1 VIP");
    assertThat(ingress("https")).containsExactly("10.0.0.1 VIP");
  }

  @Test
  void nodeChangesUpdateTheIngressAndNoNodeLeavesItEmpty() {
    nodes.put(node("a", "True", Map.of("InternalIP", "10.0.0.1")));
    services.put(loadBalancer("web", 80));
    controller.reconcile(key("web"));

    Node b = node("b", "True", Map.of("InternalIP", "10.0.0.2"));
    nodes.put(b);
    controller.nodeHandler().onAdd(b);
    assertThat(queue.length()).isEqualTo(1);
    controller.reconcile(key("web"));
    assertThat(ingress("web")).containsExactly("10.0.0.1 VIP", "10.0.0.2 VIP");

    nodes.remove(nodes.getByKey("a"));
    nodes.remove(nodes.getByKey("b"));
    controller.reconcile(key("web"));
    controller.reconcile(key("web"));

    assertThat(ingress("web")).isEmpty();
    assertThat(events.events())
        .containsExactly(
            "Normal EnsuringLoadBalancer Ensuring load balancer",
            "Normal EnsuredLoadBalancer Ensured load balancer",
            "Normal UpdatedLoadBalancer Updated LoadBalancer with new IPs: [10.0.0.1] ->"
                + " [10.0.0.1, 10.0.0.2]",
            "Warning UnAvailableLoadBalancer There are no available nodes for LoadBalancer");
  }

  @Test
  void heartbeatsDoNotRequeueButReadinessDoes() {
    Node a = node("a", "True", Map.of("InternalIP", "10.0.0.1"));
    nodes.put(a);
    services.put(loadBalancer("web", 80));
    Node heartbeat =
        new NodeBuilder(a).editMetadata().withResourceVersion("7").endMetadata().build();
    heartbeat.getStatus().getConditions().getFirst().setLastHeartbeatTime("2026-01-01T00:00:10Z");

    controller.nodeHandler().onUpdate(a, heartbeat);
    assertThat(queue.length()).isZero();

    controller.nodeHandler().onUpdate(a, node("a", "False", Map.of("InternalIP", "10.0.0.1")));
    assertThat(queue.length()).isEqualTo(1);
  }

  @Test
  void externalTrafficPolicyLocalListsOnlyNodesWithAReadyEndpoint() {
    nodes.put(node("a", "True", Map.of("InternalIP", "10.0.0.1")));
    nodes.put(node("b", "True", Map.of("InternalIP", "10.0.0.2")));
    nodes.put(node("c", "True", Map.of("InternalIP", "10.0.0.3")));
    services.put(
        new ServiceBuilder(loadBalancer("web", 80))
            .editSpec()
            .withExternalTrafficPolicy("Local")
            .endSpec()
            .build());
    controller.reconcile(key("web"));
    assertThat(ingress("web")).isEmpty();
    assertThat(events.events())
        .containsExactly(
            "Warning UnAvailableLoadBalancer There are no available nodes for LoadBalancer");

    EndpointSlice slice =
        new EndpointSliceBuilder()
            .withNewMetadata()
            .withNamespace("default")
            .withName("web-x1")
            .addToLabels("kubernetes.io/service-name", "web")
            .endMetadata()
            .withAddressType("IPv4")
            .addNewEndpoint()
            .withAddresses("10.42.1.5")
            .withNodeName("b")
            .withNewTargetRef()
            .withKind("Pod")
            .withName("web-1")
            .endTargetRef()
            .withNewConditions()
            .withReady(true)
            .endConditions()
            .endEndpoint()
            .addNewEndpoint()
            .withAddresses("10.42.2.5")
            .withNodeName("c")
            .withNewTargetRef()
            .withKind("Pod")
            .withName("web-2")
            .endTargetRef()
            .withNewConditions()
            .withReady(false)
            .endConditions()
            .endEndpoint()
            .build();
    slices.put(slice);
    controller.endpointSliceHandler().onAdd(slice);
    assertThat(queue.length()).isEqualTo(1);
    controller.reconcile(key("web"));

    assertThat(ingress("web")).containsExactly("10.0.0.2 VIP");
  }

  @Test
  void aTypeChangeAwayClearsTheIngress() {
    nodes.put(node("a", "True", Map.of("InternalIP", "10.0.0.1")));
    services.put(loadBalancer("web", 80));
    controller.reconcile(key("web"));

    services.put(
        new ServiceBuilder(services.getByKey("default/web"))
            .editSpec()
            .withType("ClusterIP")
            .endSpec()
            .build());
    controller.reconcile(key("web"));

    assertThat(ingress("web")).isEmpty();
    assertThat(services.getByKey("default/web").getStatus().getLoadBalancer()).isNotNull();
    assertThat(events.events())
        .endsWith(
            "Normal DeletingLoadBalancer Deleting load balancer",
            "Normal DeletedLoadBalancer Deleted load balancer");
  }

  private List<String> ingress(String name) {
    Service service = services.getByKey("default/" + name);
    if (service.getStatus() == null
        || service.getStatus().getLoadBalancer() == null
        || service.getStatus().getLoadBalancer().getIngress() == null) {
      return List.of();
    }
    return service.getStatus().getLoadBalancer().getIngress().stream()
        .map((LoadBalancerIngress i) -> i.getIp() + " " + i.getIpMode())
        .toList();
  }

  private static ObjectKey key(String name) {
    return new ObjectKey("default", name);
  }

  static Service loadBalancer(String name, int port) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withNamespace("default")
        .withName(name)
        .withCreationTimestamp("2026-01-01T00:00:00Z")
        .endMetadata()
        .withNewSpec()
        .withType("LoadBalancer")
        .withClusterIP("10.43.0.50")
        .withIpFamilies("IPv4")
        .addNewPort()
        .withPort(port)
        .withProtocol("TCP")
        .withNodePort(30000 + port)
        .endPort()
        .endSpec()
        .withNewStatus()
        .withNewLoadBalancer()
        .endLoadBalancer()
        .endStatus()
        .build();
  }

  private static Service withCreation(Service service, String timestamp) {
    service.getMetadata().setCreationTimestamp(timestamp);
    return service;
  }

  static Node node(String name, String ready, Map<String, String> addresses) {
    NodeBuilder builder =
        new NodeBuilder()
            .withNewMetadata()
            .withName(name)
            .withResourceVersion("1")
            .endMetadata()
            .withNewSpec()
            .endSpec()
            .withNewStatus()
            .addNewCondition()
            .withType("Ready")
            .withStatus(ready)
            .endCondition()
            .endStatus();
    addresses.forEach(
        (type, ip) ->
            builder
                .editStatus()
                .addNewAddress()
                .withType(type)
                .withAddress(ip)
                .endAddress()
                .endStatus());
    return builder.build();
  }

  private static Node withLabel(Node node, String key, String value) {
    node.getMetadata().setLabels(Map.of(key, value));
    return node;
  }
}
