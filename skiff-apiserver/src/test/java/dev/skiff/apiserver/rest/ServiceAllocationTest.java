package dev.skiff.apiserver.rest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.Json;
import dev.skiff.api.catalog.ResourceCatalog;
import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.ApiResponse;
import dev.skiff.storage.KeyValue;
import dev.skiff.storage.memory.MemoryStore;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * Cluster IP and node port allocation through the registry: holds released by failed and dry-run
 * creates and by deletes, requested values checked, and the start-up repair over an existing store.
 */
class ServiceAllocationTest {
  private static final String SERVICES = "/api/v1/namespaces/default/services";

  private final MemoryStore store = new MemoryStore();
  private final List<ResourceHandler> handlers = new ArrayList<>();
  private ResourceHandler handler = start("10.43.0.0/16");

  @AfterEach
  void close() {
    handlers.forEach(ResourceHandler::close);
    store.close();
  }

  /** A server over {@link #store} (a restart when one ran before), bootstrapped. */
  private ResourceHandler start(String serviceCidr) {
    RegistryOptions base = RegistryOptions.defaults();
    RegistryOptions options =
        new RegistryOptions(
            serviceCidr,
            InstantSource.fixed(HandlerFixture.NOW),
            new Random(handlers.size()),
            base.watchCacheCapacity(),
            base.bookmarkInterval(),
            base.maxUnwritable(),
            base.minWatchTimeout(),
            Duration.ofSeconds(2));
    ResourceHandler started = new ResourceHandler(store, ResourceCatalog.builtIn(), options);
    started.bootstrap();
    handlers.add(started);
    return started;
  }

  private ApiResponse.Full call(String method, String path, String body) {
    return (ApiResponse.Full) handler.handle(HandlerFixture.request(method, path, body));
  }

  private ObjectNode create(String body) {
    return Json.parseObject(call("POST", SERVICES, body).body());
  }

  private ApiException error(String method, String path, String body) {
    try {
      call(method, path, body);
    } catch (ApiException e) {
      return e;
    }
    throw new AssertionError("expected an ApiException from " + method + " " + path);
  }

  private static String service(String name, String clusterIp) {
    String ip = clusterIp == null ? "" : "\"clusterIP\":\"" + clusterIp + "\",";
    return "{\"metadata\":{\"name\":\""
        + name
        + "\"},\"spec\":{"
        + ip
        + "\"ports\":[{\"port\":80}]}}";
  }

  private static String nodePortService(String name, int nodePort) {
    return "{\"metadata\":{\"name\":\""
        + name
        + "\"},\"spec\":{\"type\":\"NodePort\","
        + "\"ports\":[{\"port\":80,\"nodePort\":"
        + nodePort
        + "}]}}";
  }

  private static String clusterIp(ObjectNode service) {
    return service.path("spec").path("clusterIP").asString();
  }

  @Test
  void loadBalancersGetNodePortsUnlessAllocateLoadBalancerNodePortsIsFalse() {
    ObjectNode lb =
        create(
            "{\"metadata\":{\"name\":\"lb\"},\"spec\":{\"type\":\"LoadBalancer\","
                + "\"ports\":[{\"port\":80}]}}");
    ObjectNode without =
        create(
            "{\"metadata\":{\"name\":\"lb-bare\"},\"spec\":{\"type\":\"LoadBalancer\","
                + "\"allocateLoadBalancerNodePorts\":false,\"ports\":[{\"port\":80}]}}");

    assertThat(lb.path("spec").path("allocateLoadBalancerNodePorts").asBoolean()).isTrue();
    assertThat(lb.path("spec").path("ports").get(0).path("nodePort").asInt()).isPositive();
    assertThat(without.path("spec").path("allocateLoadBalancerNodePorts").asBoolean(true))
        .isFalse();
    assertThat(without.path("spec").path("ports").get(0).has("nodePort")).isFalse();
  }

  @Test
  void changingTheTypeToClusterIpDropsAndFreesTheNodePort() {
    create(
        "{\"metadata\":{\"name\":\"lb-turned\"},\"spec\":{\"type\":\"LoadBalancer\","
            + "\"ports\":[{\"port\":80,\"nodePort\":30110}]}}");

    ApiResponse.Full patched =
        (ApiResponse.Full)
            handler.handle(
                HandlerFixture.request(
                    "PATCH",
                    SERVICES + "/lb-turned",
                    "{\"spec\":{\"type\":\"ClusterIP\"}}",
                    "Content-Type",
                    "application/merge-patch+json"));
    ObjectNode spec = (ObjectNode) Json.parseObject(patched.body()).path("spec");

    assertThat(spec.path("type").asString()).isEqualTo("ClusterIP");
    assertThat(spec.path("ports").get(0).has("nodePort")).isFalse();
    assertThat(spec.has("allocateLoadBalancerNodePorts")).isFalse();
    assertThat(spec.has("externalTrafficPolicy")).isFalse();
    assertThat(call("POST", SERVICES, nodePortService("takes-it", 30110)).status()).isEqualTo(201);
  }

  @Test
  void dryRunCreateDoesNotKeepTheRequestedAddressOrPort() {
    assertThat(call("POST", SERVICES + "?dryRun=All", service("web", "10.43.0.50")).status())
        .isEqualTo(201);
    assertThat(call("POST", SERVICES + "?dryRun=All", nodePortService("np", 30100)).status())
        .isEqualTo(201);

    assertThat(clusterIp(create(service("web", "10.43.0.50")))).isEqualTo("10.43.0.50");
    assertThat(
            create(nodePortService("np", 30100))
                .path("spec")
                .path("ports")
                .get(0)
                .path("nodePort")
                .asInt())
        .isEqualTo(30100);
  }

  @Test
  void dryRunWithAnAddressInUseIsRefusedLikeARealCreate() {
    create(service("web", "10.43.0.54"));
    ApiException taken = error("POST", SERVICES + "?dryRun=All", service("other", "10.43.0.54"));
    assertThat(taken.code()).isEqualTo(422);
  }

  @Test
  void failedCreatesDoNotConsumeTheirAddress() {
    // invalid after the allocation
    assertThat(error("POST", SERVICES, service("Bad_Name", "10.43.0.51")).code()).isEqualTo(422);
    assertThat(clusterIp(create(service("good", "10.43.0.51")))).isEqualTo("10.43.0.51");

    // a name conflict, found at the store write
    create(service("taken", null));
    assertThat(error("POST", SERVICES, service("taken", "10.43.0.52")).code()).isEqualTo(409);
    assertThat(error("POST", SERVICES, nodePortService("taken", 30101)).code()).isEqualTo(409);
    assertThat(clusterIp(create(service("second", "10.43.0.52")))).isEqualTo("10.43.0.52");
    assertThat(
            create(nodePortService("np", 30101))
                .path("spec")
                .path("ports")
                .get(0)
                .path("nodePort")
                .asInt())
        .isEqualTo(30101);
  }

  @Test
  void deleteReleasesAddressAndPort() {
    create(service("gone", "10.43.0.53"));
    create(nodePortService("gone-np", 30102));
    call("DELETE", SERVICES + "/gone", null);
    call("DELETE", SERVICES + "/gone-np", null);

    assertThat(clusterIp(create(service("again", "10.43.0.53")))).isEqualTo("10.43.0.53");
    assertThat(call("POST", SERVICES, nodePortService("again-np", 30102)).status()).isEqualTo(201);
  }

  @Test
  void requestedValuesInUseOrOutOfRangeAreInvalidWithTheirField() {
    create(service("dns", "10.43.0.10"));
    create(nodePortService("np", 30080));

    ApiException ipTaken = error("POST", SERVICES, service("dns2", "10.43.0.10"));
    assertThat(ipTaken.code()).isEqualTo(422);
    assertThat(ipTaken.details().causes())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.field()).isEqualTo("spec.clusterIPs");
              assertThat(c.message()).contains("provided IP is already allocated");
            });
    ApiException outside = error("POST", SERVICES, service("far", "10.96.0.10"));
    assertThat(outside.code()).isEqualTo(422);
    assertThat(outside.details().causes())
        .extracting(ApiException.Cause::field)
        .containsExactly("spec.clusterIPs");
    ApiException portTaken = error("POST", SERVICES, nodePortService("np2", 30080));
    assertThat(portTaken.code()).isEqualTo(422);
    assertThat(portTaken.details().causes())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.field()).isEqualTo("spec.ports[0].nodePort");
              assertThat(c.message()).contains("provided port is already allocated");
            });
    // the refused creates held nothing: the next automatic allocations skip only what is stored
    ObjectNode next = create(nodePortService("np3", 0));
    assertThat(next.path("spec").path("ports").get(0).path("nodePort").asInt()).isEqualTo(30000);
  }

  @Test
  void restartOverTheStoreNeverHandsOutAnAddressInUse() {
    handler = start("10.43.0.0/28");
    create(service("first", "10.43.0.5"));
    create(nodePortService("np", 30000));

    handler = start("10.43.0.0/28");
    assertThat(error("POST", SERVICES, service("clash", "10.43.0.5")).code()).isEqualTo(422);
    assertThat(
            create(nodePortService("np2", 0))
                .path("spec")
                .path("ports")
                .get(0)
                .path("nodePort")
                .asInt())
        .isEqualTo(30001);
    List<String> handedOut = new ArrayList<>();
    // 14 host addresses: .5, and .1 and .2 of the node port services, are taken
    for (int i = 0; i < 11; i++) {
      handedOut.add(clusterIp(create(service("s" + i, null))));
    }
    assertThat(handedOut)
        .doesNotHaveDuplicates()
        .doesNotContain("10.43.0.5", "10.43.0.1", "10.43.0.2")
        .hasSize(11);
  }

  @Test
  void startUpRepairReportsOutOfRangeAndDuplicateAddressesAsEvents() {
    create(service("web", "10.43.0.7"));
    // a second service with the same address, written behind the API's back
    KeyValue stored =
        store.range("/registry/", 0, null, 0).items().stream()
            .filter(kv -> kv.key().contains("services") && kv.key().endsWith("/default/web"))
            .findFirst()
            .orElseThrow();
    ObjectNode copy = Json.parseObject(stored.value());
    ((ObjectNode) copy.get("metadata"))
        .put("name", "web-copy")
        .put("uid", "copy-uid")
        .put("creationTimestamp", "2099-01-01T00:00:00Z");
    store.create(stored.key().replace("/default/web", "/default/web-copy"), Json.bytes(copy));

    handler = start("10.43.0.0/16");
    assertThat(eventReasons()).containsExactly("ClusterIPAlreadyAllocated web-copy");

    handler = start("10.44.0.0/16");
    assertThat(eventReasons()).contains("ClusterIPOutOfRange web", "ClusterIPOutOfRange web-copy");
  }

  private List<String> eventReasons() {
    ObjectNode events =
        Json.parseObject(call("GET", "/api/v1/namespaces/default/events", null).body());
    return events
        .path("items")
        .valueStream()
        .filter(e -> e.path("involvedObject").path("kind").asString().equals("Service"))
        .map(
            e ->
                e.path("reason").asString()
                    + " "
                    + e.path("involvedObject").path("name").asString())
        .toList();
  }
}
