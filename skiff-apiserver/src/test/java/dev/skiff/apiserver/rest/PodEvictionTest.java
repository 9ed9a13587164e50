package dev.skiff.apiserver.rest;

import static dev.skiff.apiserver.rest.HandlerFixture.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.ApiResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class PodEvictionTest {
  private static final String PODS = "/api/v1/namespaces/default/pods";
  private static final String PDBS = "/apis/policy/v1/namespaces/default/poddisruptionbudgets";
  private static final String MERGE = "application/merge-patch+json";
  private static final String EVICTION =
      "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"p\"}}";

  private final HandlerFixture fx = new HandlerFixture();

  @AfterEach
  void close() {
    fx.close();
  }

  private ApiException error(String method, String path, String body) {
    try {
      fx.call(method, path, body);
    } catch (ApiException e) {
      return e;
    }
    throw new AssertionError("expected an ApiException from " + method + " " + path);
  }

  private void runningPod(String name, boolean ready) {
    fx.call("POST", PODS, pod(name));
    fx.call(
        "PATCH",
        PODS + "/" + name + "/status",
        "{\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\",\"status\":\""
            + (ready ? "True" : "False")
            + "\"}]}}",
        "Content-Type",
        MERGE);
  }

  /** A budget selecting app=web with the given status, observed at generation {@code observed}. */
  private void budget(String name, int allowed, int current, int desired, int observed) {
    fx.call(
        "POST",
        PDBS,
        "{\"apiVersion\":\"policy/v1\",\"kind\":\"PodDisruptionBudget\",\"metadata\":{\"name\":\""
            + name
            + "\"},\"spec\":{\"minAvailable\":1,\"selector\":{\"matchLabels\":{\"app\":\"web\"}}}}");
    fx.call(
        "PATCH",
        PDBS + "/" + name + "/status",
        "{\"status\":{\"disruptionsAllowed\":"
            + allowed
            + ",\"currentHealthy\":"
            + current
            + ",\"desiredHealthy\":"
            + desired
            + ",\"expectedPods\":"
            + current
            + ",\"observedGeneration\":"
            + observed
            + "}}",
        "Content-Type",
        MERGE);
  }

  private boolean podExists(String name) {
    try {
      fx.call("GET", PODS + "/" + name, null);
      return true;
    } catch (ApiException e) {
      assertThat(e.code()).isEqualTo(404);
      return false;
    }
  }

  @Test
  void evictionConsumesADisruptionAndDeletesThePod() {
    runningPod("p", true);
    budget("b", 1, 2, 1, 1);

    ApiResponse.Full evicted = fx.call("POST", PODS + "/p/eviction", EVICTION);

    assertThat(evicted.status()).isEqualTo(201);
    assertThat(podExists("p")).isFalse();
    ObjectNode pdb = fx.json("GET", PDBS + "/b", null);
    assertThat(pdb.at("/status/disruptionsAllowed").asInt()).isZero();
    assertThat(pdb.at("/status/disruptedPods/p").asString())
        .isEqualTo(HandlerFixture.NOW.toString());
    assertThat(pdb.at("/status/conditions/0/type").asString()).isEqualTo("DisruptionAllowed");
    assertThat(pdb.at("/status/conditions/0/status").asString()).isEqualTo("False");
    assertThat(pdb.at("/status/conditions/0/reason").asString()).isEqualTo("InsufficientPods");
  }

  @Test
  void noDisruptionLeftIsTooManyRequestsAndKeepsThePod() {
    runningPod("p", true);
    budget("b", 0, 1, 1, 1);

    ApiException e = error("POST", PODS + "/p/eviction", EVICTION);

    assertThat(e.code()).isEqualTo(429);
    ObjectNode status = e.toStatus();
    assertThat(status.path("reason").asString()).isEqualTo("TooManyRequests");
    assertThat(status.path("message").asString())
        .isEqualTo("Cannot evict pod as it would violate the pod's disruption budget.");
    assertThat(status.at("/details/causes/0/reason").asString()).isEqualTo("DisruptionBudget");
    assertThat(status.at("/details/causes/0/message").asString())
        .isEqualTo("The disruption budget b needs 1 healthy pods and has 1 currently");
    assertThat(podExists("p")).isTrue();
  }

  @Test
  void budgetNotYetObservedIsTooManyRequests() {
    runningPod("p", true);
    budget("b", 1, 2, 1, 0);

    ApiException e = error("POST", PODS + "/p/eviction", EVICTION);

    assertThat(e.code()).isEqualTo(429);
    assertThat(e.toStatus().at("/details/causes/0/message").asString())
        .isEqualTo("The disruption budget b is still being processed by the server.");
    assertThat(podExists("p")).isTrue();
  }

  @Test
  void twoBudgetsIsAnInternalError() {
    runningPod("p", true);
    budget("a", 1, 2, 1, 1);
    budget("b", 1, 2, 1, 1);

    ApiException e = error("POST", PODS + "/p/eviction", EVICTION);

    assertThat(e.code()).isEqualTo(500);
    assertThat(e.getMessage())
        .isEqualTo(
            "This pod has more than one PodDisruptionBudget, which the eviction subresource"
                + " does not support.");
    assertThat(podExists("p")).isTrue();
  }

  @Test
  void pendingPodIsEvictedWithoutTheBudget() {
    fx.call("POST", PODS, pod("p"));
    budget("b", 0, 0, 1, 1);

    assertThat(fx.call("POST", PODS + "/p/eviction", EVICTION).status()).isEqualTo(201);

    assertThat(podExists("p")).isFalse();
    assertThat(fx.json("GET", PDBS + "/b", null).at("/status/disruptedPods").isMissingNode())
        .isTrue();
  }

  @Test
  void terminatingPodIsEvictedWithoutTheBudget() {
    runningPod("p", true);
    fx.call(
        "PATCH",
        PODS + "/p",
        "{\"metadata\":{\"finalizers\":[\"example.com/hold\"]}}",
        "Content-Type",
        MERGE);
    fx.call("DELETE", PODS + "/p", null);
    budget("b", 0, 1, 1, 1);

    assertThat(fx.call("POST", PODS + "/p/eviction", EVICTION).status()).isEqualTo(201);

    ObjectNode pod = fx.json("GET", PODS + "/p", null);
    ObjectNode target = null;
    for (var c : pod.at("/status/conditions")) {
      if (c.path("type").asString().equals("DisruptionTarget")) {
        target = (ObjectNode) c;
      }
    }
    assertThat(target).isNotNull();
    assertThat(target.path("status").asString()).isEqualTo("True");
    assertThat(target.path("reason").asString()).isEqualTo("EvictionByEvictionAPI");
    assertThat(target.path("message").asString()).isEqualTo("Eviction API: evicting");
  }

  @Test
  void matchingResourceVersionPreconditionStillEvicts() {
    runningPod("p", true);
    budget("b", 1, 2, 1, 1);
    String version = fx.json("GET", PODS + "/p", null).at("/metadata/resourceVersion").asString();

    ApiResponse.Full evicted =
        fx.call(
            "POST",
            PODS + "/p/eviction",
            "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"p\"},"
                + "\"deleteOptions\":{\"preconditions\":{\"resourceVersion\":\""
                + version
                + "\"}}}");

    assertThat(evicted.status()).isEqualTo(201);
    assertThat(podExists("p")).isFalse();
  }

  @Test
  void unreadyPodGoesWhenTheBudgetIsHealthy() {
    runningPod("p", false);
    budget("b", 0, 2, 2, 1);

    assertThat(fx.call("POST", PODS + "/p/eviction", EVICTION).status()).isEqualTo(201);

    assertThat(podExists("p")).isFalse();
    assertThat(fx.json("GET", PDBS + "/b", null).at("/status/disruptionsAllowed").asInt()).isZero();
  }

  @Test
  void unreadyPodIsProtectedWhenTheBudgetIsUnhealthy() {
    runningPod("p", false);
    budget("b", 0, 1, 2, 1);

    assertThat(error("POST", PODS + "/p/eviction", EVICTION).code()).isEqualTo(429);
    assertThat(podExists("p")).isTrue();
  }

  @Test
  void unreadyPodGoesWithAlwaysAllow() {
    runningPod("p", false);
    budget("b", 0, 0, 2, 1);
    fx.call(
        "PATCH",
        PDBS + "/b",
        "{\"spec\":{\"unhealthyPodEvictionPolicy\":\"AlwaysAllow\"}}",
        "Content-Type",
        MERGE);

    assertThat(fx.call("POST", PODS + "/p/eviction", EVICTION).status()).isEqualTo(201);
    assertThat(podExists("p")).isFalse();
  }

  @Test
  void podNotSelectedByTheBudgetIsEvicted() {
    fx.call("POST", PODS, pod("p").replace("\"app\":\"web\"", "\"app\":\"other\""));
    fx.call(
        "PATCH",
        PODS + "/p/status",
        "{\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}",
        "Content-Type",
        MERGE);
    budget("b", 0, 1, 1, 1);

    assertThat(fx.call("POST", PODS + "/p/eviction", EVICTION).status()).isEqualTo(201);
    assertThat(podExists("p")).isFalse();
  }

  @Test
  void dryRunChecksButChangesNothing() {
    runningPod("p", true);
    budget("b", 1, 2, 1, 1);

    assertThat(fx.call("POST", PODS + "/p/eviction?dryRun=All", EVICTION).status()).isEqualTo(201);

    assertThat(podExists("p")).isTrue();
    assertThat(fx.json("GET", PDBS + "/b", null).at("/status/disruptionsAllowed").asInt())
        .isEqualTo(1);
  }

  @Test
  void evictionHonoursDeleteOptionsPreconditions() {
    runningPod("p", true);
    budget("b", 1, 2, 1, 1);

    ApiException e =
        error(
            "POST",
            PODS + "/p/eviction",
            "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"p\"},"
                + "\"deleteOptions\":{\"preconditions\":{\"uid\":\"not-the-uid\"}}}");

    assertThat(e.code()).isEqualTo(409);
    assertThat(podExists("p")).isTrue();
  }
}
