package dev.skiff.scheduler.client;

import static dev.skiff.scheduler.testing.Objects.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.skiff.api.Json;
import dev.skiff.scheduler.client.ClusterClient.SchedulerEvent;
import dev.skiff.scheduler.testing.FakeClock;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The requests the client sends, against a recording HTTP endpoint. */
class Fabric8ClusterClientTest {
  record Request(String method, String path, String contentType, JsonNode body) {}

  final List<Request> requests = new CopyOnWriteArrayList<>();
  final FakeClock clock = new FakeClock();
  volatile int status = 201;
  volatile String responseBody = "{}";
  HttpServer server;
  KubernetesClient kube;
  Fabric8ClusterClient client;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          requests.add(
              new Request(
                  exchange.getRequestMethod(),
                  exchange.getRequestURI().getPath(),
                  exchange.getRequestHeaders().getFirst("Content-Type"),
                  body.isEmpty() ? null : Json.MAPPER.readTree(body)));
          byte[] out = responseBody.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(status, out.length);
          exchange.getResponseBody().write(out);
          exchange.close();
        });
    server.start();
    Config config =
        new ConfigBuilder(Config.empty())
            .withMasterUrl("http://127.0.0.1:" + server.getAddress().getPort())
            .withRequestRetryBackoffLimit(0)
            .build();
    kube = new KubernetesClientBuilder().withConfig(config).build();
    client = new Fabric8ClusterClient(kube, clock, "host-1");
  }

  @AfterEach
  void stop() {
    kube.close();
    server.stop(0);
  }

  final Pod web = pod("web", "1", "1Gi").build();

  @Test
  void bindPostsABindingToThePodSubresource() {
    client.bind(web, "n1");
    Request r = requests.get(0);
    assertThat(r.method()).isEqualTo("POST");
    assertThat(r.path()).isEqualTo("/api/v1/namespaces/default/pods/web/binding");
    assertThat(r.body().path("kind").asString()).isEqualTo("Binding");
    assertThat(r.body().path("target").path("name").asString()).isEqualTo("n1");
    assertThat(r.body().path("metadata").path("uid").asString())
        .isEqualTo(web.getMetadata().getUid());
  }

  @Test
  void aRejectedBindingThrowsTheStatusMessage() {
    status = 409;
    responseBody =
        "{\"kind\":\"Status\",\"message\":\"pod web is already assigned to node \\\"n2\\\"\"}";
    assertThatThrownBy(() -> client.bind(web, "n1"))
        .hasMessage("binding default/web: HTTP 409: pod web is already assigned to node \"n2\"");
  }

  @Test
  void statusUpdatesMergeTheConditionAndNomination() {
    PodCondition c = new PodCondition();
    c.setType("PodScheduled");
    c.setStatus("False");
    c.setReason("Unschedulable");
    c.setMessage("0/1 nodes are available: 1 Insufficient cpu.");
    client.updatePodStatus(web, c, "n1");
    await().until(() -> requests.size() == 1);
    Request r = requests.get(0);
    assertThat(r.method()).isEqualTo("PATCH");
    assertThat(r.path()).isEqualTo("/api/v1/namespaces/default/pods/web/status");
    assertThat(r.contentType()).startsWith("application/merge-patch+json");
    assertThat(r.body().path("status").path("nominatedNodeName").asString()).isEqualTo("n1");
    assertThat(r.body().path("status").path("conditions").get(0).path("reason").asString())
        .isEqualTo("Unschedulable");
  }

  @Test
  void repeatedEventsBecomeASeries() {
    SchedulerEvent e =
        new SchedulerEvent(
            web,
            "default-scheduler",
            "Warning",
            "FailedScheduling",
            "Scheduling",
            "0/1 nodes are available");
    client.recordEvent(e);
    await().until(() -> requests.size() == 1);
    Request created = requests.get(0);
    assertThat(created.method()).isEqualTo("POST");
    assertThat(created.path()).isEqualTo("/apis/events.k8s.io/v1/namespaces/default/events");
    assertThat(created.body().path("reportingController").asString())
        .isEqualTo("default-scheduler");
    assertThat(created.body().path("reportingInstance").asString())
        .isEqualTo("default-scheduler-host-1");
    assertThat(created.body().path("regarding").path("name").asString()).isEqualTo("web");
    assertThat(created.body().path("note").asString()).isEqualTo("0/1 nodes are available");
    String name = created.body().path("metadata").path("name").asString();

    clock.advance(Duration.ofMinutes(1));
    client.recordEvent(e);
    await().until(() -> requests.size() == 2);
    Request series = requests.get(1);
    assertThat(series.method()).isEqualTo("PATCH");
    assertThat(series.path()).isEqualTo("/apis/events.k8s.io/v1/namespaces/default/events/" + name);
    assertThat(series.body().path("series").path("count").asInt()).isEqualTo(2);

    clock.advance(Fabric8ClusterClient.SERIES_WINDOW);
    client.recordEvent(e);
    await().until(() -> requests.size() == 3);
    assertThat(requests.get(2).method()).as("a new event after the window").isEqualTo("POST");
  }
}
