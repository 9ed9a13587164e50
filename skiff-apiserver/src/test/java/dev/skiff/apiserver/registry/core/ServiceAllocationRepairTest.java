package dev.skiff.apiserver.registry.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class ServiceAllocationRepairTest {
  private final ServiceAllocationRepair repair =
      new ServiceAllocationRepair(new ClusterIpAllocator("10.43.0.0/16", Set::of));

  private static ObjectNode service(String ns, String name, String created, String spec) {
    return Json.parseObject(
        ("{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"namespace\":\""
                + ns
                + "\",\"name\":\""
                + name
                + "\",\"uid\":\"uid-"
                + name
                + "\",\"resourceVersion\":\"7\",\"creationTimestamp\":\""
                + created
                + "\"},\"spec\":"
                + spec
                + "}")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private static String ip(String ip) {
    return "{\"type\":\"ClusterIP\",\"clusterIP\":\"" + ip + "\",\"clusterIPs\":[\"" + ip + "\"]}";
  }

  private static String nodePort(String ip, int port) {
    return "{\"type\":\"NodePort\",\"clusterIP\":\""
        + ip
        + "\",\"ports\":[{\"port\":80,\"protocol\":\"TCP\",\"nodePort\":"
        + port
        + "},{\"port\":80,\"protocol\":\"UDP\",\"nodePort\":"
        + port
        + "}]}";
  }

  @Test
  void healthyServicesHaveNoProblems() {
    assertThat(
            repair.check(
                List.of(
                    service("default", "a", "2026-01-01T00:00:00Z", ip("10.43.0.1")),
                    service("default", "headless", "2026-01-01T00:00:00Z", ip("None")),
                    service(
                        "default", "ext", "2026-01-01T00:00:00Z", "{\"type\":\"ExternalName\"}"),
                    // TCP and UDP on one node port of one service is one allocation
                    service(
                        "default", "np", "2026-01-01T00:00:00Z", nodePort("10.43.0.2", 30080)))))
        .isEmpty();
  }

  @Test
  void findsInvalidOutOfRangeAndSharedValuesTheOlderServiceKeeps() {
    List<ServiceAllocationRepair.Problem> problems =
        repair.check(
            List.of(
                service("b", "newer", "2026-02-01T00:00:00Z", nodePort("10.43.0.5", 30080)),
                service("a", "older", "2026-01-01T00:00:00Z", nodePort("10.43.0.5", 30080)),
                service("a", "outside", "2026-01-01T00:00:00Z", ip("10.96.0.1")),
                service("a", "garbage", "2026-01-01T00:00:00Z", ip("10.43.0.300")),
                service("a", "low-port", "2026-01-01T00:00:00Z", nodePort("10.43.0.6", 80))));

    assertThat(problems)
        .extracting(p -> p.reason() + " " + p.namespace() + "/" + p.name())
        .containsExactlyInAnyOrder(
            "ClusterIPAlreadyAllocated b/newer",
            "PortAlreadyAllocated b/newer",
            "ClusterIPOutOfRange a/outside",
            "ClusterIPNotValid a/garbage",
            "PortOutOfRange a/low-port");
    assertThat(problems)
        .filteredOn(p -> p.reason().equals("ClusterIPAlreadyAllocated"))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("10.43.0.5").contains("a/older"));
  }

  @Test
  void eachProblemBecomesAWarningEventOnTheService() {
    List<ObjectNode> events = new ArrayList<>();
    repair.repair(
        List.of(service("apps", "outside", "2026-01-01T00:00:00Z", ip("10.96.0.1"))),
        events::add,
        Instant.parse("2026-11-25T10:00:00.5Z"));

    assertThat(events).singleElement();
    ObjectNode event = events.getFirst();
    assertThat(event.path("metadata").path("namespace").asString()).isEqualTo("apps");
    assertThat(event.path("metadata").path("name").asString()).startsWith("outside.");
    assertThat(event.path("type").asString()).isEqualTo("Warning");
    assertThat(event.path("reason").asString()).isEqualTo("ClusterIPOutOfRange");
    assertThat(event.path("message").asString()).contains("10.96.0.1").contains("10.43.0.0/16");
    assertThat(event.path("involvedObject").path("kind").asString()).isEqualTo("Service");
    assertThat(event.path("involvedObject").path("uid").asString()).isEqualTo("uid-outside");
    assertThat(event.path("source").path("component").asString())
        .isEqualTo("ipallocator-repair-controller");
    assertThat(event.path("lastTimestamp").asString()).isEqualTo("2026-11-25T10:00:00Z");
  }
}
