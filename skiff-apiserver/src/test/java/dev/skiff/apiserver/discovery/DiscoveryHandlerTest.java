package dev.skiff.apiserver.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.api.Json;
import dev.skiff.api.ResourceType;
import dev.skiff.api.catalog.ResourceCatalog;
import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.http.ApiResponse;
import dev.skiff.apiserver.http.UserInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class DiscoveryHandlerTest {
  static final String KUBECTL_ACCEPT =
      "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
          + "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
          + "application/json";
  static final List<String> CRUD =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

  final AtomicReference<ResourceCatalog> catalog = new AtomicReference<>(ResourceCatalog.builtIn());
  final DiscoveryHandler handler = new DiscoveryHandler(catalog::get, () -> "10.0.0.1:6443");

  static JsonNode named(JsonNode array, String field, String value) {
    for (JsonNode node : array) {
      if (node.path(field).asString("").equals(value)) {
        return node;
      }
    }
    throw new AssertionError(field + "=" + value + " not in " + array);
  }

  static List<String> names(JsonNode array, String field) {
    List<String> names = new ArrayList<>();
    array.forEach(node -> names.add(node.get(field).asString()));
    return names;
  }

  static ApiRequest get(String path, String... headers) {
    Map<String, List<String>> map = new HashMap<>();
    for (int i = 0; i < headers.length; i += 2) {
      map.put(headers[i], List.of(headers[i + 1]));
    }
    return new ApiRequest(
        "GET",
        path,
        Map.of(),
        map,
        new byte[0],
        new UserInfo("admin", "", List.of(), Map.of()),
        false);
  }

  static JsonNode body(ApiResponse response) {
    return Json.MAPPER.readTree(((ApiResponse.Full) response).body());
  }

  @Test
  void apiAnswersAggregatedV2ToKubectl() {
    ApiResponse response = handler.handle(get("/api", "accept", KUBECTL_ACCEPT));

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.contentType())
        .isEqualTo("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
    assertThat(response.headers()).containsEntry("Vary", List.of("Accept"));
    assertThat(response.headers().get("ETag").get(0)).startsWith("\"").endsWith("\"");
    JsonNode doc = body(response);
    assertThat(doc.get("kind").asString()).isEqualTo("APIGroupDiscoveryList");
    assertThat(doc.get("apiVersion").asString()).isEqualTo("apidiscovery.k8s.io/v2");
    assertThat(doc.get("items")).hasSize(1);
    JsonNode v1 = doc.at("/items/0/versions/0");
    assertThat(v1.get("version").asString()).isEqualTo("v1");
    assertThat(v1.get("freshness").asString()).isEqualTo("Current");
    assertThat(names(v1.get("resources"), "resource")).contains("bindings", "namespaces", "pods");
    JsonNode namespaces = named(v1.get("resources"), "resource", "namespaces");
    assertThat(namespaces.get("scope").asString()).isEqualTo("Cluster");
    JsonNode pods = named(v1.get("resources"), "resource", "pods");
    assertThat(pods.get("scope").asString()).isEqualTo("Namespaced");
    assertThat(pods.get("singularResource").asString()).isEqualTo("pod");
    assertThat(pods.get("responseKind").toString())
        .isEqualTo("{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"}");
    assertThat(pods.get("verbs")).hasSize(8);
    assertThat(pods.at("/shortNames/0").asString()).isEqualTo("po");
    assertThat(pods.at("/categories/0").asString()).isEqualTo("all");
    assertThat(names(pods.get("subresources"), "subresource"))
        .containsExactly(
            "attach",
            "binding",
            "ephemeralcontainers",
            "eviction",
            "exec",
            "log",
            "portforward",
            "proxy",
            "resize",
            "status");
    JsonNode eviction = named(pods.get("subresources"), "subresource", "eviction");
    assertThat(eviction.at("/responseKind/group").asString()).isEqualTo("policy");
    assertThat(eviction.at("/responseKind/kind").asString()).isEqualTo("Eviction");
    assertThat(eviction.at("/verbs").toString()).isEqualTo("[\"create\"]");
    assertThat(named(pods.get("subresources"), "subresource", "exec").get("verbs").toString())
        .isEqualTo("[\"create\",\"get\"]");
  }

  @Test
  void apisAggregatedListsNamedGroupsWithPreferredVersionFirst() {
    ApiResponse response = handler.handle(get("/apis", "accept", KUBECTL_ACCEPT));

    JsonNode doc = body(response);
    List<String> groups = new ArrayList<>();
    doc.get("items").forEach(item -> groups.add(item.at("/metadata/name").asString()));
    assertThat(groups)
        .startsWith("apps", "events.k8s.io")
        .contains("autoscaling")
        .doesNotContain("");
    JsonNode autoscaling = doc.get("items").get(groups.indexOf("autoscaling"));
    assertThat(autoscaling.at("/versions/0/version").asString()).isEqualTo("v2");
    assertThat(autoscaling.at("/versions/1/version").asString()).isEqualTo("v1");
    JsonNode deployments =
        named(doc.at("/items/0/versions/0/resources"), "resource", "deployments");
    JsonNode scale = named(deployments.get("subresources"), "subresource", "scale");
    assertThat(scale.get("responseKind").toString())
        .isEqualTo("{\"group\":\"autoscaling\",\"version\":\"v1\",\"kind\":\"Scale\"}");
    assertThat(scale.get("verbs").toString()).isEqualTo("[\"get\",\"patch\",\"update\"]");
  }

  @Test
  void v2beta1IsServedWhenTheClientOnlyKnowsIt() {
    ApiResponse response =
        handler.handle(
            get(
                "/apis",
                "accept",
                "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
                    + "application/json"));

    assertThat(response.contentType())
        .isEqualTo("application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList");
    assertThat(body(response).get("apiVersion").asString())
        .isEqualTo("apidiscovery.k8s.io/v2beta1");
  }

  @Test
  void unchangedAggregatedDocumentAnswersNotModified() {
    String etag =
        handler.handle(get("/api", "accept", KUBECTL_ACCEPT)).headers().get("ETag").get(0);

    ApiResponse again =
        handler.handle(get("/api", "accept", KUBECTL_ACCEPT, "if-none-match", etag));

    assertThat(again.status()).isEqualTo(304);
    assertThat(again.headers().get("ETag")).containsExactly(etag);
  }

  @Test
  void etagChangesWhenResourcesChange() {
    String before =
        handler.handle(get("/apis", "accept", KUBECTL_ACCEPT)).headers().get("ETag").get(0);
    ResourceType widgets =
        new ResourceType(
            "example.com",
            "v1alpha1",
            "Widget",
            "widgets",
            "widget",
            true,
            List.of(),
            List.of(),
            CRUD,
            List.of(),
            "v1alpha1");
    catalog.set(catalog.get().withTypes(List.of(widgets)));

    ApiResponse after = handler.handle(get("/apis", "accept", KUBECTL_ACCEPT));

    assertThat(after.headers().get("ETag").get(0)).isNotEqualTo(before);
    JsonNode items = body(after).get("items");
    assertThat(items.get(items.size() - 1).at("/metadata/name").asString())
        .isEqualTo("example.com");
    assertThat(
            body(handler.handle(get("/apis/example.com/v1alpha1")))
                .at("/resources/0/name")
                .asString())
        .isEqualTo("widgets");
  }

  @Test
  void apiAnswersApiVersionsToPlainJson() {
    ApiResponse response = handler.handle(get("/api", "accept", "application/json"));

    assertThat(response.contentType()).isEqualTo("application/json");
    assertThat(body(response).toString())
        .isEqualTo(
            "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],\"serverAddressByClientCIDRs\":"
                + "[{\"clientCIDR\":\"0.0.0.0/0\",\"serverAddress\":\"10.0.0.1:6443\"}]}");
  }

  @Test
  void apisAnswersGroupListWithPreferredVersions() {
    JsonNode doc = body(handler.handle(get("/apis")));

    assertThat(doc.get("kind").asString()).isEqualTo("APIGroupList");
    assertThat(doc.at("/groups/0/name").asString()).isEqualTo("apps");
    JsonNode autoscaling = named(doc.get("groups"), "name", "autoscaling");
    assertThat(autoscaling.get("preferredVersion").toString())
        .isEqualTo("{\"groupVersion\":\"autoscaling/v2\",\"version\":\"v2\"}");
    assertThat(autoscaling.at("/versions/1/groupVersion").asString()).isEqualTo("autoscaling/v1");
  }

  @Test
  void groupAnswersApiGroup() {
    JsonNode doc = body(handler.handle(get("/apis/apps/")));

    assertThat(doc.get("kind").asString()).isEqualTo("APIGroup");
    assertThat(doc.get("name").asString()).isEqualTo("apps");
    assertThat(doc.at("/preferredVersion/groupVersion").asString()).isEqualTo("apps/v1");
  }

  @Test
  void coreResourceListHasResourcesAndSubresourcesSortedByName() {
    JsonNode doc = body(handler.handle(get("/api/v1", "accept", "application/json")));

    assertThat(doc.get("groupVersion").asString()).isEqualTo("v1");
    List<String> names = names(doc.get("resources"), "name");
    assertThat(names).isSorted();
    assertThat(names)
        .containsSubsequence(
            "namespaces",
            "namespaces/finalize",
            "namespaces/status",
            "nodes",
            "nodes/proxy",
            "nodes/status");
    assertThat(names).contains("pods/eviction", "serviceaccounts/token", "componentstatuses");
    JsonNode pods = named(doc.get("resources"), "name", "pods");
    assertThat(pods.get("singularName").asString()).isEqualTo("pod");
    assertThat(pods.get("namespaced").asBoolean()).isTrue();
    assertThat(pods.get("kind").asString()).isEqualTo("Pod");
    assertThat(pods.get("verbs")).hasSize(8);
    assertThat(pods.get("storageVersionHash").asString()).hasSize(12);
    JsonNode eviction = named(doc.get("resources"), "name", "pods/eviction");
    assertThat(eviction.get("singularName").asString()).isEmpty();
    assertThat(eviction.get("group").asString()).isEqualTo("policy");
    assertThat(eviction.get("version").asString()).isEqualTo("v1");
    assertThat(eviction.get("kind").asString()).isEqualTo("Eviction");
    assertThat(eviction.has("storageVersionHash")).isFalse();
    JsonNode status = named(doc.get("resources"), "name", "pods/status");
    assertThat(status.has("group")).isFalse();
    assertThat(status.get("kind").asString()).isEqualTo("Pod");
    assertThat(status.get("verbs").toString()).isEqualTo("[\"get\",\"patch\",\"update\"]");
    assertThat(named(doc.get("resources"), "name", "namespaces/finalize").get("verbs").toString())
        .isEqualTo("[\"update\"]");
    assertThat(named(doc.get("resources"), "name", "componentstatuses").get("verbs").toString())
        .isEqualTo("[\"get\",\"list\"]");
  }

  @Test
  void storageVersionHashFollowsTheStorageVersion() {
    JsonNode v1 = body(handler.handle(get("/apis/autoscaling/v1")));
    JsonNode v2 = body(handler.handle(get("/apis/autoscaling/v2")));

    String hpa = "horizontalpodautoscalers";
    assertThat(named(v1.get("resources"), "name", hpa).get("storageVersionHash").asString())
        .isEqualTo(named(v2.get("resources"), "name", hpa).get("storageVersionHash").asString());
  }

  @Test
  void scaleSubresourceNamesItsOwnGroup() {
    JsonNode doc = body(handler.handle(get("/apis/apps/v1")));

    JsonNode scale = named(doc.get("resources"), "name", "deployments/scale");
    assertThat(scale.get("group").asString()).isEqualTo("autoscaling");
    assertThat(scale.get("kind").asString()).isEqualTo("Scale");
  }

  @Test
  void tableIsNotAConversionDiscoveryOffersSoJsonIsChosen() {
    ApiResponse response =
        handler.handle(
            get(
                "/api/v1",
                "accept",
                "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"));

    assertThat(response.contentType()).isEqualTo("application/json");
  }

  @Test
  void yamlIsServed() {
    ApiResponse response = handler.handle(get("/apis/apps", "accept", "application/yaml"));

    assertThat(response.contentType()).isEqualTo("application/yaml");
    assertThat(new String(((ApiResponse.Full) response).body())).contains("kind: \"APIGroup\"");
  }

  @Test
  void unknownMediaTypesAreNotAcceptable() {
    for (String accept :
        List.of(
            "text/html",
            "application/json;as=Table;v=v1;g=meta.k8s.io",
            "application/json;foo=bar")) {
      assertThatThrownBy(() -> handler.handle(get("/api", "accept", accept)))
          .isInstanceOfSatisfying(
              ApiException.class,
              e -> {
                assertThat(e.code()).isEqualTo(406);
                assertThat(e.reason()).isEqualTo("NotAcceptable");
              });
    }
  }

  @Test
  void wildcardsAndQualityAreHonoured() {
    assertThat(handler.handle(get("/api", "accept", "*/*")).contentType())
        .isEqualTo("application/json");
    assertThat(
            handler
                .handle(get("/api", "accept", "application/json;q=0.5, application/yaml"))
                .contentType())
        .isEqualTo("application/yaml");
  }

  @Test
  void unknownGroupsAndVersionsAreNotFound() {
    for (String path : List.of("/apis/nope", "/apis/apps/v2", "/api/v2")) {
      assertThatThrownBy(() -> handler.handle(get(path)))
          .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(404));
    }
  }

  @Test
  void handlesOnlyDiscoveryPaths() {
    assertThat(DiscoveryHandler.handles("/api")).isTrue();
    assertThat(DiscoveryHandler.handles("/api/v1")).isTrue();
    assertThat(DiscoveryHandler.handles("/apis/apps/v1")).isTrue();
    assertThat(DiscoveryHandler.handles("/api/v1/pods")).isFalse();
    assertThat(DiscoveryHandler.handles("/apis/apps/v1/deployments")).isFalse();
    assertThat(DiscoveryHandler.handles("/healthz")).isFalse();
  }
}
