package dev.skiff.apiserver.componentstatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.api.Json;
import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.http.ApiResponse;
import dev.skiff.apiserver.http.UserInfo;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class ComponentStatusHandlerTest {
  static final String TABLE_ACCEPT =
      "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;"
          + "g=meta.k8s.io,application/json";

  final ComponentStatusHandler handler =
      new ComponentStatusHandler(probes(), InstantSource.fixed(Instant.EPOCH));

  static Map<String, Supplier<HealthResult>> probes() {
    Map<String, Supplier<HealthResult>> probes = new LinkedHashMap<>();
    probes.put("scheduler", () -> HealthResult.healthy("ok"));
    probes.put("controller-manager", () -> HealthResult.unhealthy("connection refused"));
    probes.put(
        "etcd-0",
        () -> {
          throw new IllegalStateException("probe crashed");
        });
    return probes;
  }

  static ApiRequest request(
      String method, String path, Map<String, List<String>> query, String accept) {
    Map<String, List<String>> headers = new HashMap<>();
    if (accept != null) {
      headers.put("accept", List.of(accept));
    }
    return new ApiRequest(method, path, query, headers, new byte[0], UserInfo.ANONYMOUS, false);
  }

  static JsonNode body(ApiResponse response) {
    return Json.MAPPER.readTree(((ApiResponse.Full) response).body());
  }

  @Test
  void listsEveryProbeWithAHealthyCondition() {
    JsonNode list =
        body(handler.handle(request("GET", "/api/v1/componentstatuses", Map.of(), null)));

    assertThat(list.get("kind").asString()).isEqualTo("ComponentStatusList");
    assertThat(
            handler
                .handle(request("GET", "/api/v1/componentstatuses", Map.of(), null))
                .headers()
                .get("Warning"))
        .containsExactly("299 - \"v1 ComponentStatus is deprecated in v1.19+\"");
    assertThat(list.get("items")).hasSize(3);
    assertThat(list.at("/items/0/metadata/name").asString()).isEqualTo("scheduler");
    assertThat(list.at("/items/0/conditions/0").toString())
        .isEqualTo("{\"type\":\"Healthy\",\"status\":\"True\",\"message\":\"ok\"}");
    assertThat(list.at("/items/1/conditions/0").toString())
        .isEqualTo("{\"type\":\"Healthy\",\"status\":\"False\",\"error\":\"connection refused\"}");
    assertThat(list.at("/items/2/conditions/0/error").asString()).isEqualTo("probe crashed");
  }

  @Test
  void getsOneByName() {
    JsonNode status =
        body(
            handler.handle(
                request(
                    "GET", "/api/v1/componentstatuses/scheduler", Map.of(), "application/json")));

    assertThat(status.get("kind").asString()).isEqualTo("ComponentStatus");
    assertThat(status.at("/metadata/name").asString()).isEqualTo("scheduler");
  }

  @Test
  void unknownComponentIsNotFound() {
    assertThatThrownBy(
            () -> handler.handle(request("GET", "/api/v1/componentstatuses/nope", Map.of(), null)))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.code()).isEqualTo(404);
              assertThat(e.getMessage()).isEqualTo("componentstatuses \"nope\" not found");
            });
  }

  @Test
  void rendersATableForKubectl() {
    ApiResponse response =
        handler.handle(request("GET", "/api/v1/componentstatuses", Map.of(), TABLE_ACCEPT));

    assertThat(response.contentType()).isEqualTo("application/json;g=meta.k8s.io;v=v1;as=Table");
    JsonNode table = body(response);
    assertThat(table.get("kind").asString()).isEqualTo("Table");
    assertThat(table.get("apiVersion").asString()).isEqualTo("meta.k8s.io/v1");
    List<String> columns =
        table.get("columnDefinitions").valueStream().map(c -> c.get("name").asString()).toList();
    assertThat(columns).containsExactly("Name", "Status", "Message", "Error");
    assertThat(table.at("/rows/0/cells").toString())
        .isEqualTo("[\"scheduler\",\"Healthy\",\"ok\",\"\"]");
    assertThat(table.at("/rows/1/cells").toString())
        .isEqualTo("[\"controller-manager\",\"Unhealthy\",\"\",\"connection refused\"]");
    assertThat(table.at("/rows/0/object/kind").asString()).isEqualTo("PartialObjectMetadata");
    assertThat(table.at("/rows/0/object/metadata/name").asString()).isEqualTo("scheduler");
  }

  @Test
  void tableRowsCarryTheWholeObjectWhenAsked() {
    JsonNode table =
        body(
            handler.handle(
                request(
                    "GET",
                    "/api/v1/componentstatuses",
                    Map.of("includeObject", List.of("Object")),
                    TABLE_ACCEPT)));

    assertThat(table.at("/rows/0/object/kind").asString()).isEqualTo("ComponentStatus");
  }

  @Test
  void onlyGetIsAllowed() {
    for (ApiRequest request :
        List.of(
            request("DELETE", "/api/v1/componentstatuses/scheduler", Map.of(), null),
            request("GET", "/api/v1/componentstatuses", Map.of("watch", List.of("true")), null))) {
      assertThatThrownBy(() -> handler.handle(request))
          .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(405));
    }
  }

  @Test
  void unknownMediaTypeIsNotAcceptable() {
    assertThatThrownBy(
            () ->
                handler.handle(request("GET", "/api/v1/componentstatuses", Map.of(), "text/html")))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(406));
  }
}
