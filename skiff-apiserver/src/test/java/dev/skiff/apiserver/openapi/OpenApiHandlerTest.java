package dev.skiff.apiserver.openapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.api.Json;
import dev.skiff.api.ResourceType;
import dev.skiff.api.catalog.ResourceCatalog;
import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.http.ApiResponse;
import dev.skiff.apiserver.http.UserInfo;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class OpenApiHandlerTest {
  static final String PROTOBUF_V2 = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";

  final AtomicReference<ResourceCatalog> catalog = new AtomicReference<>(ResourceCatalog.builtIn());
  final OpenApiHandler handler = new OpenApiHandler(catalog::get, "v1.32.0");

  static ApiRequest get(String path, Map<String, List<String>> query, String... headers) {
    Map<String, List<String>> map = new HashMap<>();
    for (int i = 0; i < headers.length; i += 2) {
      map.put(headers[i], List.of(headers[i + 1]));
    }
    return new ApiRequest("GET", path, query, map, new byte[0], UserInfo.ANONYMOUS, false);
  }

  static ApiRequest get(String path, String... headers) {
    return get(path, Map.of(), headers);
  }

  static JsonNode body(ApiResponse response) {
    return Json.MAPPER.readTree(((ApiResponse.Full) response).body());
  }

  JsonNode v3(String groupVersion) {
    return body(handler.handle(get("/openapi/v3/" + groupVersion)));
  }

  @Test
  void v3IndexListsEveryGroupVersionWithItsHash() {
    ApiResponse response = handler.handle(get("/openapi/v3", "accept", "application/json"));

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.contentType()).isEqualTo("application/json");
    JsonNode paths = body(response).get("paths");
    assertThat(paths.has("api/v1")).isTrue();
    assertThat(paths.has("apis/apps/v1")).isTrue();
    assertThat(paths.has("apis/autoscaling/v2")).isTrue();
    String url = paths.at("/apis~1apps~1v1/serverRelativeURL").asString();
    assertThat(url).startsWith("/openapi/v3/apis/apps/v1?hash=");
    String hash = url.substring(url.indexOf("hash=") + 5);

    ApiResponse doc =
        handler.handle(get("/openapi/v3/apis/apps/v1", Map.of("hash", List.of(hash))));

    assertThat(doc.status()).isEqualTo(200);
    assertThat(doc.headers().get("Cache-Control")).containsExactly("public, immutable");
    assertThat(doc.headers().get("ETag")).containsExactly("\"" + hash + "\"");
  }

  @Test
  void outdatedHashRedirectsToTheCurrentDocument() {
    ApiResponse response =
        handler.handle(get("/openapi/v3/api/v1", Map.of("hash", List.of("OLD"))));

    assertThat(response.status()).isEqualTo(301);
    assertThat(response.headers().get("Location").get(0)).startsWith("/openapi/v3/api/v1?hash=");
  }

  @Test
  void podSchemaIsReflectedFromTheModel() {
    JsonNode schemas = v3("api/v1").at("/components/schemas");
    JsonNode pod = schemas.get("io.k8s.api.core.v1.Pod");

    assertThat(pod.at("/x-kubernetes-group-version-kind/0").toString())
        .isEqualTo("{\"group\":\"\",\"kind\":\"Pod\",\"version\":\"v1\"}");
    assertThat(pod.at("/properties/spec/allOf/0/$ref").asString())
        .isEqualTo("#/components/schemas/io.k8s.api.core.v1.PodSpec");
    assertThat(pod.at("/properties/metadata/$ref").asString())
        .isEqualTo("#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
    assertThat(pod.get("description").asString()).isNotEmpty();
    JsonNode containers = schemas.at("/io.k8s.api.core.v1.PodSpec/properties/containers");
    assertThat(containers.get("type").asString()).isEqualTo("array");
    assertThat(containers.at("/items/$ref").asString())
        .isEqualTo("#/components/schemas/io.k8s.api.core.v1.Container");
    assertThat(containers.get("x-kubernetes-patch-merge-key").asString()).isEqualTo("name");
    assertThat(containers.get("x-kubernetes-patch-strategy").asString()).isEqualTo("merge");
    assertThat(containers.get("x-kubernetes-list-type").asString()).isEqualTo("map");
    assertThat(containers.get("x-kubernetes-list-map-keys").toString()).isEqualTo("[\"name\"]");
    assertThat(schemas.at("/io.k8s.api.core.v1.Container/required").toString())
        .isEqualTo("[\"name\"]");
    JsonNode container = schemas.at("/io.k8s.api.core.v1.Container/properties");
    assertThat(container.at("/image/type").asString()).isEqualTo("string");
    assertThat(container.at("/ports/x-kubernetes-list-map-keys").toString())
        .isEqualTo("[\"containerPort\",\"protocol\"]");
    assertThat(
            schemas
                .at("/io.k8s.api.core.v1.ContainerPort/properties/containerPort/format")
                .asString())
        .isEqualTo("int32");
    assertThat(
            schemas
                .at("/io.k8s.api.core.v1.PodSpec/properties/activeDeadlineSeconds/format")
                .asString())
        .isEqualTo("int64");
    assertThat(schemas.at("/io.k8s.api.core.v1.PodSpec/properties/hostNetwork/type").asString())
        .isEqualTo("boolean");
    assertThat(schemas.at("/io.k8s.api.core.v1.PodSpec/properties/nodeSelector").toString())
        .isEqualTo("{\"type\":\"object\",\"additionalProperties\":{\"type\":\"string\"}}");
    assertThat(
            schemas
                .at(
                    "/io.k8s.api.core.v1.ResourceRequirements/properties/limits/additionalProperties/$ref")
                .asString())
        .isEqualTo("#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity");
    assertThat(schemas.at("/io.k8s.apimachinery.pkg.api.resource.Quantity/type").asString())
        .isEqualTo("string");
    assertThat(
            schemas
                .at(
                    "/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta/properties/creationTimestamp/format")
                .asString())
        .isEqualTo("date-time");
    assertThat(
            schemas
                .at("/io.k8s.api.core.v1.PodList/x-kubernetes-group-version-kind/0/kind")
                .asString())
        .isEqualTo("PodList");
  }

  @Test
  void deploymentStrategyCarriesRetainKeysAndIntOrString() {
    JsonNode schemas = v3("apis/apps/v1").at("/components/schemas");

    JsonNode strategy = schemas.at("/io.k8s.api.apps.v1.DeploymentSpec/properties/strategy");
    assertThat(strategy.at("/allOf/0/$ref").asString())
        .isEqualTo("#/components/schemas/io.k8s.api.apps.v1.DeploymentStrategy");
    assertThat(strategy.get("x-kubernetes-patch-strategy").asString()).isEqualTo("retainKeys");
    JsonNode maxSurge =
        schemas.at("/io.k8s.api.apps.v1.RollingUpdateDeployment/properties/maxSurge/allOf/0/$ref");
    assertThat(maxSurge.asString())
        .isEqualTo("#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString");
    JsonNode intOrString = schemas.get("io.k8s.apimachinery.pkg.util.intstr.IntOrString");
    assertThat(intOrString.get("x-kubernetes-int-or-string").asBoolean()).isTrue();
    assertThat(schemas.has("io.k8s.api.core.v1.PodTemplateSpec")).isTrue();
    assertThat(
            schemas
                .at("/io.k8s.api.apps.v1.Deployment/x-kubernetes-group-version-kind/0/group")
                .asString())
        .isEqualTo("apps");
  }

  @Test
  void v3DocumentHasPathsForListGetAndCreate() {
    JsonNode doc = v3("apis/apps/v1");

    assertThat(doc.get("openapi").asString()).isEqualTo("3.0.0");
    JsonNode collection = doc.at("/paths/~1apis~1apps~1v1~1namespaces~1{namespace}~1deployments");
    assertThat(collection.at("/get/operationId").asString())
        .isEqualTo("listAppsV1NamespacedDeployment");
    assertThat(collection.at("/get/x-kubernetes-action").asString()).isEqualTo("list");
    assertThat(collection.at("/get/responses/200/content/application~1json/schema/$ref").asString())
        .isEqualTo("#/components/schemas/io.k8s.api.apps.v1.DeploymentList");
    assertThat(collection.at("/post/operationId").asString())
        .isEqualTo("createAppsV1NamespacedDeployment");
    assertThat(
            doc.at(
                    "/paths/~1apis~1apps~1v1~1namespaces~1{namespace}~1deployments~1{name}/get/operationId")
                .asString())
        .isEqualTo("readAppsV1NamespacedDeployment");
    assertThat(doc.at("/paths/~1apis~1apps~1v1~1deployments/get/operationId").asString())
        .isEqualTo("listAppsV1DeploymentForAllNamespaces");
  }

  @Test
  void patchOperationsAdvertiseFieldValidationAndPatchTypes() {
    // kubectl apply checks the PATCH operation of the kind for the fieldValidation parameter and,
    // for strategic merge, for its content type.
    JsonNode doc = v3("apis/apps/v1");

    JsonNode item = doc.at("/paths/~1apis~1apps~1v1~1namespaces~1{namespace}~1deployments~1{name}");
    JsonNode patch = item.get("patch");
    assertThat(patch.at("/x-kubernetes-group-version-kind/kind").asString())
        .isEqualTo("Deployment");
    assertThat(
            patch
                .get("parameters")
                .valueStream()
                .map(p -> p.get("name").asString() + "@" + p.get("in").asString()))
        .contains("fieldValidation@query", "dryRun@query", "fieldManager@query", "force@query");
    assertThat(patch.at("/requestBody/content").has("application/strategic-merge-patch+json"))
        .isTrue();
    assertThat(patch.at("/requestBody/content").has("application/apply-patch+yaml")).isTrue();
    assertThat(item.at("/put/operationId").asString())
        .isEqualTo("replaceAppsV1NamespacedDeployment");
    assertThat(item.at("/delete/responses/200/content/application~1json/schema/$ref").asString())
        .isEqualTo("#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Status");
    assertThat(item.get("parameters").valueStream().map(p -> p.get("name").asString()))
        .containsExactly("name", "namespace");
    JsonNode collection = doc.at("/paths/~1apis~1apps~1v1~1namespaces~1{namespace}~1deployments");
    assertThat(collection.at("/delete/operationId").asString())
        .isEqualTo("deletecollectionAppsV1NamespacedDeployment");
    assertThat(collection.at("/post/parameters").valueStream().map(p -> p.get("name").asString()))
        .contains("fieldValidation");
  }

  @Test
  void customResourcesAreNotStrategicMergePatched() {
    ResourceType widgets =
        new ResourceType(
            "stable.example.com",
            "v1",
            "Widget",
            "widgets",
            "widget",
            false,
            List.of(),
            List.of(),
            List.of("get", "patch"),
            List.of(),
            "v1");
    catalog.set(catalog.get().withTypes(List.of(widgets)));

    JsonNode patch =
        v3("apis/stable.example.com/v1")
            .at("/paths/~1apis~1stable.example.com~1v1~1widgets~1{name}/patch");

    assertThat(patch.at("/requestBody/content").has("application/merge-patch+json")).isTrue();
    assertThat(patch.at("/requestBody/content").has("application/strategic-merge-patch+json"))
        .isFalse();
  }

  @Test
  void v2IsOneSwaggerDocument() {
    ApiResponse response = handler.handle(get("/openapi/v2", "accept", "application/json"));

    JsonNode doc = body(response);
    assertThat(doc.get("swagger").asString()).isEqualTo("2.0");
    JsonNode pod = doc.at("/definitions/io.k8s.api.core.v1.Pod");
    assertThat(pod.at("/properties/spec/$ref").asString())
        .isEqualTo("#/definitions/io.k8s.api.core.v1.PodSpec");
    JsonNode strategy =
        doc.at("/definitions/io.k8s.api.apps.v1.DeploymentSpec/properties/strategy");
    assertThat(strategy.get("$ref").asString())
        .isEqualTo("#/definitions/io.k8s.api.apps.v1.DeploymentStrategy");
    assertThat(strategy.get("x-kubernetes-patch-strategy").asString()).isEqualTo("retainKeys");
    assertThat(doc.at("/paths/~1api~1v1~1nodes~1{name}/get/operationId").asString())
        .isEqualTo("readCoreV1Node");
    assertThat(doc.at("/paths/~1api~1v1~1nodes~1{name}/get/responses/200/schema/$ref").asString())
        .isEqualTo("#/definitions/io.k8s.api.core.v1.Node");
    assertThat(
            doc.at(
                    "/definitions/io.k8s.api.rbac.v1.ClusterRole/x-kubernetes-group-version-kind/0/group")
                .asString())
        .isEqualTo("rbac.authorization.k8s.io");
    assertThat(doc.has("definitions")).isTrue();
    assertThat(
            doc.at(
                    "/definitions/io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition")
                .isObject())
        .isTrue();
  }

  @Test
  void v2IsServedAsProtobufToo() {
    ApiResponse response = handler.handle(get("/openapi/v2", "accept", PROTOBUF_V2));

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.contentType())
        .isEqualTo("application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
    byte[] body = ((ApiResponse.Full) response).body();
    // Field 1 (swagger) is the first: tag 0x0a, length 3, "2.0".
    assertThat(java.util.Arrays.copyOf(body, 5)).containsExactly(0x0a, 3, '2', '.', '0');
    assertThat(new String(body, java.nio.charset.StandardCharsets.ISO_8859_1))
        .contains("io.k8s.api.core.v1.Pod")
        .contains("x-kubernetes-group-version-kind")
        .contains("x-kubernetes-patch-merge-key");
  }

  @Test
  void protobufV3OnlyClientsAreRefusedWith406() {
    assertThatThrownBy(
            () ->
                handler.handle(
                    get(
                        "/openapi/v3/api/v1",
                        "accept",
                        "application/com.github.proto-openapi.spec.v3@v1.0+protobuf")))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(406));
    assertThat(
            handler
                .handle(get("/openapi/v2", "accept", "application/json, " + PROTOBUF_V2))
                .contentType())
        .isEqualTo("application/json");
    assertThat(handler.handle(get("/openapi/v3", "accept", "*/*")).status()).isEqualTo(200);
  }

  @Test
  void matchingEtagIsNotModified() {
    String etag = handler.handle(get("/openapi/v2")).headers().get("ETag").get(0);

    assertThat(handler.handle(get("/openapi/v2", "if-none-match", etag)).status()).isEqualTo(304);
  }

  @Test
  void customResourcesGetAnOpenSchemaWithTheirKind() {
    ResourceType widgets =
        new ResourceType(
            "stable.example.com",
            "v1",
            "Widget",
            "widgets",
            "widget",
            true,
            List.of("wd"),
            List.of(),
            List.of("get", "list", "create"),
            List.of(),
            "v1");
    catalog.set(catalog.get().withTypes(List.of(widgets)));

    JsonNode index = body(handler.handle(get("/openapi/v3")));
    assertThat(index.at("/paths").has("apis/stable.example.com/v1")).isTrue();
    JsonNode widget =
        v3("apis/stable.example.com/v1").at("/components/schemas/com.example.stable.v1.Widget");
    assertThat(widget.at("/x-kubernetes-group-version-kind/0/kind").asString()).isEqualTo("Widget");
    assertThat(widget.get("x-kubernetes-preserve-unknown-fields").asBoolean()).isTrue();
  }

  @Test
  void builtInDocumentsAreKeptWhenCustomResourcesAreAdded() {
    byte[] before = ((ApiResponse.Full) handler.handle(get("/openapi/v3/apis/apps/v1"))).body();
    ResourceType widgets =
        new ResourceType(
            "stable.example.com",
            "v1",
            "Widget",
            "widgets",
            "widget",
            true,
            List.of(),
            List.of(),
            List.of("get"),
            List.of(),
            "v1");
    catalog.set(catalog.get().withTypes(List.of(widgets)));

    byte[] after = ((ApiResponse.Full) handler.handle(get("/openapi/v3/apis/apps/v1"))).body();

    assertThat(after).isSameAs(before);
  }

  @Test
  void unknownDocumentsAreNotFound() {
    assertThatThrownBy(() -> handler.handle(get("/openapi/v3/apis/nope/v1")))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(404));
  }
}
