package dev.skiff.kubelet.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.skiff.api.Json;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** TokenReview and SubjectAccessReview answers are cached for the kubelet's default times. */
class ApiServerReviewsTest {
  private HttpServer apiServer;
  private KubernetesClient client;
  private final AtomicInteger tokenReviews = new AtomicInteger();
  private final AtomicInteger accessReviews = new AtomicInteger();
  private volatile boolean allow;
  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.parse("2024-01-01T00:00:00Z"));
  private ApiServerReviews reviews;

  @BeforeEach
  void start() throws Exception {
    apiServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    apiServer.createContext(
        "/apis/authentication.k8s.io/v1/tokenreviews",
        exchange -> {
          tokenReviews.incrementAndGet();
          ObjectNode review = Json.parseObject(exchange.getRequestBody().readAllBytes());
          ObjectNode status = review.putObject("status").put("authenticated", true);
          status.putObject("user").put("username", "bob").putArray("groups").add("dev");
          byte[] body = Json.bytes(review);
          exchange.sendResponseHeaders(201, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    apiServer.createContext(
        "/apis/authorization.k8s.io/v1/subjectaccessreviews",
        exchange -> {
          accessReviews.incrementAndGet();
          ObjectNode review = Json.parseObject(exchange.getRequestBody().readAllBytes());
          review.putObject("status").put("allowed", allow);
          byte[] body = Json.bytes(review);
          exchange.sendResponseHeaders(201, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    apiServer.start();
    client =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder()
                    .withMasterUrl("http://127.0.0.1:" + apiServer.getAddress().getPort())
                    .build())
            .build();
    reviews = new ApiServerReviews(client, "node1", now::get);
  }

  @AfterEach
  void stop() {
    client.close();
    apiServer.stop(0);
  }

  @Test
  void tokensAreReviewedOnceWithinTwoMinutes() {
    assertThat(reviews.authenticateToken("t")).contains(new KubeletUser("bob", List.of("dev")));
    now.set(now.get().plus(Duration.ofSeconds(119)));
    assertThat(reviews.authenticateToken("t")).isPresent();
    assertThat(tokenReviews).hasValue(1);
    now.set(now.get().plus(Duration.ofSeconds(2)));
    reviews.authenticateToken("t");
    assertThat(tokenReviews).hasValue(2);
  }

  @Test
  void denialsAreCachedThirtySecondsAndPermissionsFiveMinutes() {
    KubeletUser alice = new KubeletUser("alice", List.of());
    allow = false;
    assertThat(reviews.allowed(alice, "get", "proxy")).isFalse();
    allow = true;
    now.set(now.get().plus(Duration.ofSeconds(29)));
    assertThat(reviews.allowed(alice, "get", "proxy")).isFalse();
    now.set(now.get().plus(Duration.ofSeconds(2)));
    assertThat(reviews.allowed(alice, "get", "proxy")).isTrue();
    assertThat(accessReviews).hasValue(2);
    allow = false;
    now.set(now.get().plus(Duration.ofMinutes(4)));
    assertThat(reviews.allowed(alice, "get", "proxy")).isTrue();
    // another verb or subresource is another question
    assertThat(reviews.allowed(alice, "create", "proxy")).isFalse();
    assertThat(accessReviews).hasValue(3);
  }
}
