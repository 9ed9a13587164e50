package dev.skiff.apiserver.rest;

import static dev.skiff.apiserver.rest.HandlerFixture.configMap;
import static dev.skiff.apiserver.rest.HandlerFixture.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.ApiResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class ResourceHandlerMoreTest {
  private static final String PODS = "/api/v1/namespaces/default/pods";
  private static final String CONFIGMAPS = "/api/v1/namespaces/default/configmaps";

  private final HandlerFixture fx = new HandlerFixture();

  @AfterEach
  void close() {
    fx.close();
  }

  private ApiException error(String method, String path, String body, String... headers) {
    try {
      fx.call(method, path, body, headers);
    } catch (ApiException e) {
      return e;
    }
    throw new AssertionError("expected an ApiException from " + method + " " + path);
  }

  private static List<String> names(ObjectNode list) {
    return list.path("items")
        .valueStream()
        .map(n -> n.path("metadata").path("name").asString())
        .toList();
  }

  @Test
  void coreEventsAreReadableAsEventsK8sIo() {
    String event =
        "{\"metadata\":{\"name\":\"e1\"},\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"p\"},"
            + "\"reason\":\"Started\",\"message\":\"started\",\"type\":\"Normal\"}";
    fx.call("POST", "/api/v1/namespaces/default/events", event);
    ObjectNode newer = fx.json("GET", "/apis/events.k8s.io/v1/namespaces/default/events/e1", null);
    assertThat(newer.path("apiVersion").asString()).isEqualTo("events.k8s.io/v1");
    assertThat(newer.path("regarding").path("name").asString()).isEqualTo("p");
    assertThat(newer.path("note").asString()).isEqualTo("started");
    ObjectNode selected =
        fx.json(
            "GET", "/api/v1/events?fieldSelector=involvedObject.name%3Dp,reason%3DStarted", null);
    assertThat(names(selected)).containsExactly("e1");
  }

  @Test
  void eventsAreCreatedOnUpdate() {
    ApiResponse.Full created =
        fx.call(
            "PUT",
            "/api/v1/namespaces/default/events/e2",
            "{\"metadata\":{\"name\":\"e2\"},\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"p\"}}");
    assertThat(created.status()).isEqualTo(201);
    assertThat(error("PUT", CONFIGMAPS + "/missing", configMap("missing", "{}")).code())
        .isEqualTo(404);
  }

  @Test
  void autoscalingV1ShowsTheCpuTargetOfStoredV2() {
    String v1 =
        "{\"apiVersion\":\"autoscaling/v1\",\"kind\":\"HorizontalPodAutoscaler\",\"metadata\":{\"name\":\"h\"},"
            + "\"spec\":{\"scaleTargetRef\":{\"kind\":\"Deployment\",\"name\":\"d\",\"apiVersion\":\"apps/v1\"},"
            + "\"minReplicas\":1,\"maxReplicas\":5,\"targetCPUUtilizationPercentage\":70}}";
    fx.call("POST", "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers", v1);
    ObjectNode v2 =
        fx.json("GET", "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/h", null);
    assertThat(v2.path("apiVersion").asString()).isEqualTo("autoscaling/v2");
    assertThat(
            v2.path("spec")
                .path("metrics")
                .get(0)
                .path("resource")
                .path("target")
                .path("averageUtilization")
                .asInt())
        .isEqualTo(70);
    ObjectNode back =
        fx.json("GET", "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/h", null);
    assertThat(back.path("spec").path("targetCPUUtilizationPercentage").asInt()).isEqualTo(70);
    assertThat(back.path("spec").has("metrics")).isFalse();
  }

  @Test
  void deleteCollectionDeletesWhatTheSelectorMatches() {
    fx.call("POST", CONFIGMAPS, configMap("a", "{\"x\":\"1\"}"));
    fx.call("POST", CONFIGMAPS, configMap("b", "{\"x\":\"2\"}"));
    fx.call("POST", CONFIGMAPS, configMap("c", "{\"x\":\"1\"}"));
    ObjectNode deleted = fx.json("DELETE", CONFIGMAPS + "?labelSelector=x%3D1", null);
    assertThat(deleted.path("kind").asString()).isEqualTo("ConfigMapList");
    assertThat(names(deleted)).containsExactly("a", "c");
    assertThat(names(fx.json("GET", CONFIGMAPS, null))).containsExactly("b");
  }

  @Test
  void duplicateFieldsFailStrictValidation() {
    String body = "{\"metadata\":{\"name\":\"d\",\"name\":\"e\"},\"data\":{}}";
    ApiException e = error("POST", CONFIGMAPS + "?fieldValidation=Strict", body);
    assertThat(e.code()).isEqualTo(400);
    assertThat(e.getMessage()).isEqualTo("strict decoding error: duplicate field \"name\"");
    ApiResponse.Full ignored = fx.call("POST", CONFIGMAPS + "?fieldValidation=Ignore", body);
    assertThat(ignored.status()).isEqualTo(201);
    assertThat(ignored.headers()).doesNotContainKey("Warning");
  }

  @Test
  void bindingsResourceAndEvictionAndPodFieldSelectors() {
    fx.call("POST", PODS, pod("p"));
    fx.call("POST", PODS, pod("q"));
    ApiResponse.Full bound =
        fx.call(
            "POST",
            "/api/v1/namespaces/default/bindings",
            "{\"metadata\":{\"name\":\"p\",\"annotations\":{\"a\":\"b\"}},\"target\":{\"kind\":\"Node\",\"name\":\"n1\"}}");
    assertThat(bound.status()).isEqualTo(201);
    ObjectNode pod = fx.json("GET", PODS + "/p", null);
    assertThat(pod.path("spec").path("nodeName").asString()).isEqualTo("n1");
    assertThat(pod.path("metadata").path("annotations").path("a").asString()).isEqualTo("b");
    assertThat(names(fx.json("GET", "/api/v1/pods?fieldSelector=spec.nodeName%3Dn1", null)))
        .containsExactly("p");
    assertThat(names(fx.json("GET", "/api/v1/pods?fieldSelector=spec.nodeName%3D", null)))
        .containsExactly("q");
    ApiResponse.Full evicted =
        fx.call(
            "POST",
            PODS + "/q/eviction",
            "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"q\"}}");
    assertThat(evicted.status()).isEqualTo(201);
    assertThat(error("GET", PODS + "/q", null).code()).isEqualTo(404);
    ApiException kubelet = error("GET", PODS + "/p/log", null);
    assertThat(kubelet.code()).isEqualTo(503);
    assertThat(kubelet.getMessage()).isEqualTo("no kubelet is connected for node n1");
  }

  @Test
  void applyPatchIsUnsupportedForNow() {
    fx.call("POST", CONFIGMAPS, configMap("a", "{}"));
    ApiException e =
        error(
            "PATCH", CONFIGMAPS + "/a", "data: {}", "Content-Type", "application/apply-patch+yaml");
    assertThat(e.code()).isEqualTo(415);
  }

  @Test
  void scopeMismatchesAreNotFound() {
    assertThat(error("GET", "/api/v1/namespaces/default/nodes", null).code()).isEqualTo(404);
    assertThat(error("POST", "/api/v1/pods", pod("p")).code()).isEqualTo(404);
  }

  @Test
  void watchOfOneObjectByName() {
    fx.call("POST", CONFIGMAPS, configMap("a", "{}"));
    fx.call("POST", CONFIGMAPS, configMap("b", "{}"));
    FakeStreamSink sink = fx.watch("/api/v1/watch/namespaces/default/configmaps/b");
    fx.call(
        "PATCH",
        CONFIGMAPS + "/a",
        "{\"data\":{\"k\":\"2\"}}",
        "Content-Type",
        "application/merge-patch+json");
    fx.call(
        "PATCH",
        CONFIGMAPS + "/b",
        "{\"data\":{\"k\":\"2\"}}",
        "Content-Type",
        "application/merge-patch+json");
    await().atMost(Duration.ofSeconds(5)).until(() -> sink.events().size() == 2);
    assertThat(sink.summary()).containsExactly("ADDED b", "MODIFIED b");
  }

  @Test
  void managedFieldsRecordTheManagerAndItsFields() {
    ObjectNode created =
        fx.json("POST", CONFIGMAPS + "?fieldManager=tester", configMap("a", "{\"app\":\"x\"}"));
    ObjectNode entry = (ObjectNode) created.path("metadata").path("managedFields").get(0);
    assertThat(entry.path("manager").asString()).isEqualTo("tester");
    assertThat(entry.path("fieldsType").asString()).isEqualTo("FieldsV1");
    assertThat(entry.path("fieldsV1").toString())
        .isEqualTo(
            "{\"f:data\":{\".\":{},\"f:k\":{}},\"f:metadata\":{\"f:labels\":{\".\":{},\"f:app\":{}}}}");
    ObjectNode patched =
        fx.json(
            "PATCH",
            CONFIGMAPS + "/a",
            "{\"data\":{\"k\":\"2\"}}",
            "Content-Type",
            "application/merge-patch+json",
            "User-Agent",
            "other/1.0");
    List<String> managers =
        patched
            .path("metadata")
            .path("managedFields")
            .valueStream()
            .map(e -> e.path("manager").asString())
            .toList();
    assertThat(managers).containsExactly("tester", "other");
    assertThat(patched.path("metadata").path("managedFields").get(1).path("fieldsV1").toString())
        .isEqualTo("{\"f:data\":{\"f:k\":{}}}");
  }

  @Test
  void objectsReadBackPassStrictValidation() {
    String deployment =
        "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"d\"},"
            + "\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"d\"}},\"template\":{\"metadata\":"
            + "{\"labels\":{\"app\":\"d\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx\","
            + "\"ports\":[{\"containerPort\":80}],\"resources\":{\"limits\":{\"cpu\":\"1\"}}}]}}}}";
    String path = "/apis/apps/v1/namespaces/default/deployments";
    ObjectNode created = fx.json("POST", path + "?fieldValidation=Strict", deployment);
    ApiResponse.Full replaced =
        fx.call("PUT", path + "/d?fieldValidation=Strict", created.toString());
    assertThat(replaced.status()).isEqualTo(200);
    ObjectNode pod = fx.json("POST", PODS + "?fieldValidation=Strict", pod("p"));
    assertThat(fx.call("PUT", PODS + "/p?fieldValidation=Strict", pod.toString()).status())
        .isEqualTo(200);
  }

  @Test
  void nodePortServicesGetPortsAndKeepThemOnUpdate() {
    String svc =
        "{\"metadata\":{\"name\":\"np\"},\"spec\":{\"type\":\"NodePort\",\"ports\":[{\"port\":80}]}}";
    ObjectNode created = fx.json("POST", "/api/v1/namespaces/default/services", svc);
    assertThat(created.path("spec").path("ports").get(0).path("nodePort").asInt()).isEqualTo(30000);
    assertThat(created.path("spec").path("externalTrafficPolicy").asString()).isEqualTo("Cluster");
    ObjectNode updated = fx.json("PUT", "/api/v1/namespaces/default/services/np", svc);
    assertThat(updated.path("spec").path("ports").get(0).path("nodePort").asInt()).isEqualTo(30000);
    assertThat(updated.path("spec").path("clusterIP").asString())
        .isEqualTo(created.path("spec").path("clusterIP").asString());
    ApiException outOfRange =
        error(
            "POST",
            "/api/v1/namespaces/default/services",
            svc.replace("\"np\"", "\"bad\"").replace("\"port\":80", "\"port\":80,\"nodePort\":80"));
    assertThat(outOfRange.code()).isEqualTo(422);
  }

  @Test
  void replicationControllersDefaultTheirSelectorFromTheTemplate() {
    String rc =
        "{\"metadata\":{\"name\":\"rc\"},\"spec\":{\"template\":{\"metadata\":{\"labels\":"
            + "{\"app\":\"x\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}}}";
    ObjectNode created = fx.json("POST", "/api/v1/namespaces/default/replicationcontrollers", rc);
    assertThat(created.path("spec").path("selector").path("app").asString()).isEqualTo("x");
    assertThat(created.path("spec").path("replicas").asInt()).isEqualTo(1);
    ObjectNode scale =
        fx.json("GET", "/api/v1/namespaces/default/replicationcontrollers/rc/scale", null);
    assertThat(scale.path("status").path("selector").asString()).isEqualTo("app=x");
  }

  @Test
  void rbacNamesMayContainColons() {
    ApiResponse.Full created =
        fx.call(
            "POST",
            "/apis/rbac.authorization.k8s.io/v1/clusterroles",
            "{\"metadata\":{\"name\":\"system:controller:x\"},\"rules\":[]}");
    assertThat(created.status()).isEqualTo(201);
  }

  @Test
  void partialObjectMetadataForGetAndList() {
    fx.call("POST", CONFIGMAPS, configMap("a", "{\"x\":\"1\"}"));
    ObjectNode one =
        fx.json(
            "GET",
            CONFIGMAPS + "/a",
            null,
            "Accept",
            "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1");
    assertThat(one.path("kind").asString()).isEqualTo("PartialObjectMetadata");
    assertThat(one.path("metadata").path("labels").path("x").asString()).isEqualTo("1");
    assertThat(one.has("data")).isFalse();
    ObjectNode list =
        fx.json(
            "GET",
            CONFIGMAPS,
            null,
            "Accept",
            "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1");
    assertThat(list.path("kind").asString()).isEqualTo("PartialObjectMetadataList");
    assertThat(list.path("items").get(0).path("kind").asString())
        .isEqualTo("PartialObjectMetadata");
    assertThat(list.path("metadata").path("resourceVersion").asString()).isNotEmpty();
  }

  @Test
  void nodesKeepTheirRegisteredStatusAndSelectByUnschedulable() {
    ObjectNode node =
        fx.json(
            "POST",
            "/api/v1/nodes",
            "{\"metadata\":{\"name\":\"n1\"},\"spec\":{\"unschedulable\":true},"
                + "\"status\":{\"capacity\":{\"cpu\":\"4\"}}}");
    assertThat(node.path("status").path("capacity").path("cpu").asString()).isEqualTo("4");
    fx.call("POST", "/api/v1/nodes", "{\"metadata\":{\"name\":\"n2\"}}");
    assertThat(
            names(fx.json("GET", "/api/v1/nodes?fieldSelector=spec.unschedulable%3Dfalse", null)))
        .containsExactly("n2");
  }

  @Test
  void deletionWithFinalizersBumpsTheGeneration() {
    String deployment =
        "{\"metadata\":{\"name\":\"d\",\"finalizers\":[\"x/y\"]},\"spec\":{\"selector\":"
            + "{\"matchLabels\":{\"a\":\"b\"}},\"template\":{\"metadata\":{\"labels\":{\"a\":\"b\"}},"
            + "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}}}";
    String path = "/apis/apps/v1/namespaces/default/deployments";
    fx.call("POST", path, deployment);
    ObjectNode deleting = fx.json("DELETE", path + "/d?propagationPolicy=Foreground", null);
    assertThat(deleting.path("metadata").path("generation").asLong()).isEqualTo(2);
    assertThat(deleting.path("metadata").path("finalizers").valueStream().map(f -> f.asString()))
        .containsExactly("x/y", "foregroundDeletion");
    ApiException added =
        error(
            "PATCH",
            path + "/d",
            "{\"metadata\":{\"finalizers\":[\"x/y\",\"foregroundDeletion\",\"new\"]}}",
            "Content-Type",
            "application/merge-patch+json");
    assertThat(added.code()).isEqualTo(422);
  }

  @Test
  void concurrentPatchesAllLandThroughConflictRetries() throws Exception {
    fx.call("POST", CONFIGMAPS, configMap("shared", "{}"));
    int writers = 8;
    try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      List<java.util.concurrent.Future<?>> futures = new java.util.ArrayList<>();
      for (int i = 0; i < writers; i++) {
        String key = "k" + i;
        futures.add(
            pool.submit(
                () ->
                    fx.call(
                        "PATCH",
                        CONFIGMAPS + "/shared",
                        "{\"data\":{\"" + key + "\":\"v\"}}",
                        "Content-Type",
                        "application/merge-patch+json")));
      }
      for (var f : futures) {
        f.get();
      }
    }
    ObjectNode shared = fx.json("GET", CONFIGMAPS + "/shared", null);
    assertThat(shared.path("data").size()).isEqualTo(writers + 1);
  }

  @Test
  void malformedLabelSelectorIsBadRequest() {
    ApiException e = error("GET", CONFIGMAPS + "?labelSelector=a%20in%20(", null);
    assertThat(e.code()).isEqualTo(400);
    assertThat(e.getMessage()).startsWith("unable to parse requirement: ");
  }

  @Test
  void wronglyTypedValuesAreBadRequests() {
    String path = "/apis/apps/v1/namespaces/default/deployments";
    String deployment =
        "{\"metadata\":{\"name\":\"d\"},\"spec\":{\"replicas\":\"many\",\"selector\":"
            + "{\"matchLabels\":{\"a\":\"b\"}},\"template\":{\"metadata\":{\"labels\":{\"a\":\"b\"}},"
            + "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}}}";
    ApiException created = error("POST", path, deployment);
    assertThat(created.code()).isEqualTo(400);
    assertThat(created.getMessage())
        .startsWith("Deployment in version \"v1\" cannot be handled as a Deployment: ");
    fx.call("POST", path, deployment.replace("\"many\"", "2"));
    ApiException patched =
        error(
            "PATCH",
            path + "/d",
            "{\"spec\":{\"template\":{\"spec\":{\"containers\":\"x\"}}}}",
            "Content-Type",
            "application/merge-patch+json");
    assertThat(patched.code()).isEqualTo(400);
    assertThat(fx.json("GET", path + "/d", null).path("spec").path("replicas").asInt())
        .isEqualTo(2);
  }

  @Test
  void exactResourceVersionListsThePastUntilCompacted() {
    fx.call("POST", CONFIGMAPS, configMap("a", "{}"));
    String then =
        fx.json("GET", CONFIGMAPS, null).path("metadata").path("resourceVersion").asString();
    fx.call("POST", CONFIGMAPS, configMap("b", "{}"));
    ObjectNode past =
        fx.json(
            "GET", CONFIGMAPS + "?resourceVersion=" + then + "&resourceVersionMatch=Exact", null);
    assertThat(names(past)).containsExactly("a");
    assertThat(past.path("metadata").path("resourceVersion").asString()).isEqualTo(then);
    ObjectNode any = fx.json("GET", CONFIGMAPS + "?resourceVersion=0", null);
    assertThat(names(any)).containsExactly("a", "b");
    fx.store.compact(fx.store.currentRevision());
    ApiException gone =
        error("GET", CONFIGMAPS + "?resourceVersion=" + then + "&resourceVersionMatch=Exact", null);
    assertThat(gone.code()).isEqualTo(410);
    assertThat(gone.getMessage()).startsWith("too old resource version: " + then);
    assertThat(error("GET", CONFIGMAPS + "?resourceVersionMatch=Exact", null).code())
        .isEqualTo(422);
  }

  @Test
  void chosenClusterIpsAreCheckedAndKeptFromTheAllocator() {
    String svc =
        "{\"metadata\":{\"name\":\"dns\"},\"spec\":{\"clusterIP\":\"10.43.0.10\",\"ports\":[{\"port\":53,\"protocol\":\"UDP\"}]}}";
    ObjectNode dns = fx.json("POST", "/api/v1/namespaces/default/services", svc);
    assertThat(dns.path("spec").path("clusterIPs").get(0).asString()).isEqualTo("10.43.0.10");
    ApiException taken =
        error("POST", "/api/v1/namespaces/default/services", svc.replace("\"dns\"", "\"dns2\""));
    assertThat(taken.code()).isEqualTo(422);
    assertThat(taken.getMessage()).contains("provided IP is already allocated");
    ApiException outside =
        error(
            "POST",
            "/api/v1/namespaces/default/services",
            svc.replace("\"dns\"", "\"x\"").replace("10.43.0.10", "192.168.0.1"));
    assertThat(outside.getMessage()).contains("provided IP is not in the valid range");
  }
}
