package dev.skiff.apiserver.rest;

import static dev.skiff.apiserver.rest.HandlerFixture.configMap;
import static dev.skiff.apiserver.rest.HandlerFixture.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.ApiResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class ResourceHandlerTest {
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

  @Test
  void bootstrapCreatesDefaultNamespacesIdempotently() {
    fx.handler.bootstrap();
    ObjectNode list = fx.json("GET", "/api/v1/namespaces", null);
    assertThat(list.path("kind").asString()).isEqualTo("NamespaceList");
    assertThat(
            list.path("items").valueStream().map(n -> n.path("metadata").path("name").asString()))
        .containsExactly("default", "kube-node-lease", "kube-public", "kube-system");
    ObjectNode def = fx.json("GET", "/api/v1/namespaces/default", null);
    assertThat(def.path("spec").path("finalizers").get(0).asString()).isEqualTo("kubernetes");
    assertThat(def.path("status").path("phase").asString()).isEqualTo("Active");
    assertThat(def.path("metadata").path("labels").path("kubernetes.io/metadata.name").asString())
        .isEqualTo("default");
  }

  @Test
  void unknownResourceIsNotFound() {
    ApiException e = error("GET", "/api/v1/namespaces/default/widgets", null);
    assertThat(e.code()).isEqualTo(404);
    assertThat(e.getMessage()).isEqualTo("the server could not find the requested resource");
  }

  @Test
  void createPodAppliesDefaultsAndServerFields() {
    ApiResponse.Full created = fx.call("POST", PODS, pod("web"));
    assertThat(created.status()).isEqualTo(201);
    ObjectNode pod = fx.json("GET", PODS + "/web", null);
    ObjectNode metadata = (ObjectNode) pod.path("metadata");
    assertThat(metadata.path("namespace").asString()).isEqualTo("default");
    assertThat(metadata.path("uid").asString()).hasSize(36);
    assertThat(metadata.path("creationTimestamp").asString()).isEqualTo("2026-11-25T10:00:00Z");
    assertThat(metadata.path("resourceVersion").asString()).isNotEmpty();
    assertThat(metadata.path("managedFields").get(0).path("manager").asString())
        .isEqualTo("kubectl");
    assertThat(metadata.path("managedFields").get(0).path("operation").asString())
        .isEqualTo("Update");
    ObjectNode spec = (ObjectNode) pod.path("spec");
    assertThat(spec.path("restartPolicy").asString()).isEqualTo("Always");
    assertThat(spec.path("dnsPolicy").asString()).isEqualTo("ClusterFirst");
    assertThat(spec.path("schedulerName").asString()).isEqualTo("default-scheduler");
    assertThat(spec.path("terminationGracePeriodSeconds").asLong()).isEqualTo(30);
    assertThat(spec.path("serviceAccountName").asString()).isEqualTo("default");
    assertThat(spec.path("containers").get(0).path("imagePullPolicy").asString())
        .isEqualTo("Always");
    assertThat(spec.path("containers").get(0).path("terminationMessagePath").asString())
        .isEqualTo("/dev/termination-log");
    assertThat(pod.path("status").path("phase").asString()).isEqualTo("Pending");
    assertThat(pod.path("status").path("qosClass").asString()).isEqualTo("BestEffort");
  }

  @Test
  void generateNameAddsFiveRandomCharacters() {
    String body =
        "{\"metadata\":{\"generateName\":\"web-\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx:1\"}]}}";
    ObjectNode pod = fx.json("POST", PODS, body);
    assertThat(pod.path("metadata").path("name").asString())
        .matches("web-[bcdfghjklmnpqrstvwxz2456789]{5}");
  }

  @Test
  void createErrorsMapToKubernetesStatuses() {
    fx.call("POST", PODS, pod("web"));
    ApiException exists = error("POST", PODS, pod("web"));
    assertThat(exists.code()).isEqualTo(409);
    assertThat(exists.reason()).isEqualTo("AlreadyExists");
    assertThat(exists.getMessage()).isEqualTo("pods \"web\" already exists");

    ApiException missingNs = error("POST", "/api/v1/namespaces/nope/pods", pod("web"));
    assertThat(missingNs.code()).isEqualTo(404);
    assertThat(missingNs.getMessage()).isEqualTo("namespaces \"nope\" not found");

    String other =
        pod("x").replace("\"name\":\"x\"", "\"name\":\"x\",\"namespace\":\"kube-system\"");
    assertThat(error("POST", PODS, other).code()).isEqualTo(400);

    ApiException invalid =
        error(
            "POST",
            PODS,
            "{\"metadata\":{\"name\":\"Bad_Name\"},\"spec\":{\"containers\":[{\"name\":\"c\"}]}}");
    assertThat(invalid.code()).isEqualTo(422);
    assertThat(invalid.details().causes())
        .extracting(ApiException.Cause::field)
        .contains("metadata.name", "spec.containers[0].image");

    assertThat(error("POST", PODS, "{not json").code()).isEqualTo(400);
    assertThat(error("POST", PODS, pod("p"), "Content-Type", "text/plain").code()).isEqualTo(415);
    assertThat(
            error("POST", PODS, pod("p"), "Content-Type", "application/vnd.kubernetes.protobuf")
                .code())
        .isEqualTo(400);
    assertThat(error("GET", PODS, null, "Accept", "application/vnd.kubernetes.protobuf").code())
        .isEqualTo(406);
    assertThat(error("GET", PODS + "/missing", null).getMessage())
        .isEqualTo("pods \"missing\" not found");
  }

  @Test
  void updateWithStaleResourceVersionConflicts() {
    ObjectNode cm = fx.json("POST", CONFIGMAPS, configMap("c", "{}"));
    String rv = cm.path("metadata").path("resourceVersion").asString();
    ((ObjectNode) cm.path("data")).put("k", "v2");
    ObjectNode updated = fx.json("PUT", CONFIGMAPS + "/c", cm.toString());
    assertThat(updated.path("data").path("k").asString()).isEqualTo("v2");
    assertThat(updated.path("metadata").path("resourceVersion").asString()).isNotEqualTo(rv);
    ApiException stale = error("PUT", CONFIGMAPS + "/c", cm.toString());
    assertThat(stale.code()).isEqualTo(409);
    assertThat(stale.getMessage())
        .isEqualTo(
            "Operation cannot be fulfilled on configmaps \"c\": the object has been modified;"
                + " please apply your changes to the latest version and try again");
  }

  @Test
  void immutableConfigMapRejectsDataChanges() {
    String body = "{\"metadata\":{\"name\":\"frozen\"},\"immutable\":true,\"data\":{\"a\":\"1\"}}";
    fx.call("POST", CONFIGMAPS, body);
    ApiException e = error("PUT", CONFIGMAPS + "/frozen", body.replace("\"1\"", "\"2\""));
    assertThat(e.code()).isEqualTo(422);
    assertThat(e.details().causes()).extracting(ApiException.Cause::field).containsExactly("data");
  }

  @Test
  void dryRunValidatesWithoutStoring() {
    ObjectNode pod = fx.json("POST", PODS + "?dryRun=All", pod("dry"));
    assertThat(pod.path("spec").path("dnsPolicy").asString()).isEqualTo("ClusterFirst");
    assertThat(error("GET", PODS + "/dry", null).code()).isEqualTo(404);
  }

  @Test
  void fieldValidationStrictRejectsAndWarnWarns() {
    String body = "{\"metadata\":{\"name\":\"c\"},\"data\":{},\"spec\":{\"foo\":1}}";
    ApiException strict = error("POST", CONFIGMAPS + "?fieldValidation=Strict", body);
    assertThat(strict.code()).isEqualTo(400);
    assertThat(strict.getMessage()).isEqualTo("strict decoding error: unknown field \"spec\"");
    ApiResponse.Full warned = fx.call("POST", CONFIGMAPS + "?fieldValidation=Warn", body);
    assertThat(warned.headers().get("Warning"))
        .containsExactly("299 - \"unknown field \\\"spec\\\"\"");
    String nested = pod("p").replace("\"image\":\"nginx\"", "\"image\":\"nginx\",\"bogus\":true");
    assertThat(error("POST", PODS + "?fieldValidation=Strict", nested).getMessage())
        .isEqualTo("strict decoding error: unknown field \"spec.containers[0].bogus\"");
  }

  @Test
  void listFiltersBySelectorsAndRejectsUnknownFieldLabels() {
    fx.call("POST", CONFIGMAPS, configMap("a", "{\"tier\":\"front\"}"));
    fx.call("POST", CONFIGMAPS, configMap("b", "{\"tier\":\"back\"}"));
    fx.call(
        "POST",
        "/api/v1/namespaces/kube-system/configmaps",
        configMap("c", "{\"tier\":\"front\"}"));
    ObjectNode front = fx.json("GET", "/api/v1/configmaps?labelSelector=tier%3Dfront", null);
    assertThat(names(front)).containsExactly("a", "c");
    ObjectNode byName = fx.json("GET", CONFIGMAPS + "?fieldSelector=metadata.name%3Db", null);
    assertThat(names(byName)).containsExactly("b");
    ApiException bad = error("GET", CONFIGMAPS + "?fieldSelector=spec.foo%3Dx", null);
    assertThat(bad.code()).isEqualTo(400);
    assertThat(bad.getMessage()).isEqualTo("field label not supported: spec.foo");
  }

  private static java.util.List<String> names(ObjectNode list) {
    return list.path("items")
        .valueStream()
        .map(n -> n.path("metadata").path("name").asString())
        .toList();
  }

  @Test
  void paginationContinuesAndExpiresAfterCompaction() {
    for (String name : new String[] {"a", "b", "c"}) {
      fx.call("POST", CONFIGMAPS, configMap(name, "{}"));
    }
    ObjectNode first = fx.json("GET", CONFIGMAPS + "?limit=2", null);
    assertThat(names(first)).containsExactly("a", "b");
    assertThat(first.path("metadata").path("remainingItemCount").asLong()).isEqualTo(1);
    String token = first.path("metadata").path("continue").asString();
    ObjectNode second = fx.json("GET", CONFIGMAPS + "?limit=2&continue=" + token, null);
    assertThat(names(second)).containsExactly("c");
    assertThat(second.path("metadata").has("continue")).isFalse();

    fx.call("POST", CONFIGMAPS, configMap("d", "{}"));
    assertThat(names(fx.json("GET", CONFIGMAPS, null))).containsExactly("a", "b", "c", "d");
    fx.store.compact(fx.store.currentRevision());
    ApiException gone = error("GET", CONFIGMAPS + "?limit=2&continue=" + token, null);
    assertThat(gone.code()).isEqualTo(410);
    assertThat(gone.reason()).isEqualTo("Expired");
    assertThat(gone.getMessage()).startsWith("The provided continue parameter is too old");
  }

  @Test
  void tableOutputHasColumnsAndPartialMetadataRows() {
    fx.call("POST", CONFIGMAPS, configMap("a", "{}"));
    ApiResponse.Full response =
        fx.call(
            "GET",
            CONFIGMAPS,
            null,
            "Accept",
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json");
    ObjectNode table = dev.skiff.api.Json.parseObject(response.body());
    assertThat(table.path("kind").asString()).isEqualTo("Table");
    assertThat(table.path("apiVersion").asString()).isEqualTo("meta.k8s.io/v1");
    assertThat(table.path("columnDefinitions").get(0).path("name").asString()).isEqualTo("Name");
    ObjectNode row = (ObjectNode) table.path("rows").get(0);
    assertThat(row.path("cells").get(0).asString()).isEqualTo("a");
    assertThat(row.path("object").path("kind").asString()).isEqualTo("PartialObjectMetadata");
  }

  @Test
  void yamlRequestAndResponse() {
    String yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\ndata:\n  k: v\n";
    ApiResponse.Full created =
        fx.call(
            "POST",
            CONFIGMAPS,
            yaml,
            "Content-Type",
            "application/yaml",
            "Accept",
            "application/yaml");
    assertThat(created.contentType()).isEqualTo("application/yaml");
    assertThat(new String(created.body(), StandardCharsets.UTF_8)).contains("name: \"y\"");
  }

  @Test
  void patchesMergeAndBumpGeneration() {
    String deployment =
        "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"d\"},\"spec\":{"
            + "\"selector\":{\"matchLabels\":{\"app\":\"d\"}},\"template\":{\"metadata\":{\"labels\":"
            + "{\"app\":\"d\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx:1\"},"
            + "{\"name\":\"s\",\"image\":\"side:1\"}]}}}}";
    String path = "/apis/apps/v1/namespaces/default/deployments";
    ObjectNode created = fx.json("POST", path, deployment);
    assertThat(created.path("metadata").path("generation").asLong()).isEqualTo(1);
    assertThat(
            created.path("spec").path("strategy").path("rollingUpdate").path("maxSurge").asString())
        .isEqualTo("25%");
    ObjectNode patched =
        fx.json(
            "PATCH",
            path + "/d",
            "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx:2\"}]}}}}",
            "Content-Type",
            "application/strategic-merge-patch+json");
    assertThat(patched.path("metadata").path("generation").asLong()).isEqualTo(2);
    assertThat(patched.path("spec").path("template").path("spec").path("containers").size())
        .isEqualTo(2);
    assertThat(
            patched
                .path("spec")
                .path("template")
                .path("spec")
                .path("containers")
                .get(0)
                .path("image")
                .asString())
        .isEqualTo("nginx:2");
    ObjectNode labelled =
        fx.json(
            "PATCH",
            path + "/d",
            "{\"metadata\":{\"labels\":{\"x\":\"y\"}}}",
            "Content-Type",
            "application/merge-patch+json");
    assertThat(labelled.path("metadata").path("generation").asLong()).isEqualTo(2);
    ObjectNode jsonPatched =
        fx.json(
            "PATCH",
            path + "/d",
            "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":3}]",
            "Content-Type",
            "application/json-patch+json");
    assertThat(jsonPatched.path("spec").path("replicas").asLong()).isEqualTo(3);
    ObjectNode scale = fx.json("GET", path + "/d/scale", null);
    assertThat(scale.path("spec").path("replicas").asLong()).isEqualTo(3);
    assertThat(scale.path("status").path("selector").asString()).isEqualTo("app=d");
  }

  @Test
  void statusSubresourceIsSeparateFromSpec() {
    String path = "/apis/apps/v1/namespaces/default/replicasets";
    String rs =
        "{\"metadata\":{\"name\":\"r\"},\"spec\":{\"selector\":{\"matchLabels\":{\"a\":\"b\"}},"
            + "\"template\":{\"metadata\":{\"labels\":{\"a\":\"b\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}},"
            + "\"status\":{\"replicas\":9}}";
    ObjectNode created = fx.json("POST", path, rs);
    assertThat(created.path("status").has("replicas")).isFalse();
    ObjectNode status =
        fx.json(
            "PATCH",
            path + "/r/status",
            "{\"status\":{\"replicas\":2},\"spec\":{\"replicas\":7}}",
            "Content-Type",
            "application/merge-patch+json");
    assertThat(status.path("status").path("replicas").asLong()).isEqualTo(2);
    assertThat(status.path("spec").path("replicas").asLong()).isEqualTo(1);
    ObjectNode main =
        fx.json(
            "PATCH",
            path + "/r",
            "{\"status\":{\"replicas\":5}}",
            "Content-Type",
            "application/merge-patch+json");
    assertThat(main.path("status").path("replicas").asLong()).isEqualTo(2);
    ObjectNode selected = fx.json("GET", path + "?fieldSelector=status.replicas%3D2", null);
    assertThat(names(selected)).containsExactly("r");
  }

  @Test
  void boundPodsDeleteGracefullyAndFinalizersHoldObjects() {
    fx.call("POST", PODS, pod("p"));
    ApiResponse.Full bound =
        fx.call(
            "POST",
            PODS + "/p/binding",
            "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"p\"},\"target\":{\"kind\":\"Node\",\"name\":\"n1\"}}");
    assertThat(bound.status()).isEqualTo(201);
    ObjectNode scheduled = fx.json("GET", PODS + "/p", null);
    assertThat(scheduled.path("spec").path("nodeName").asString()).isEqualTo("n1");
    assertThat(scheduled.path("status").path("conditions").get(0).path("type").asString())
        .isEqualTo("PodScheduled");
    assertThat(scheduled.path("status").path("conditions").get(0).path("status").asString())
        .isEqualTo("True");
    assertThat(
            error(
                    "POST",
                    PODS + "/p/binding",
                    "{\"metadata\":{\"name\":\"p\"},\"target\":{\"name\":\"n2\"}}")
                .code())
        .isEqualTo(409);
    ObjectNode deleting = fx.json("DELETE", PODS + "/p", null);
    assertThat(deleting.path("metadata").path("deletionGracePeriodSeconds").asLong()).isEqualTo(30);
    assertThat(deleting.path("metadata").path("deletionTimestamp").asString())
        .isEqualTo("2026-11-25T10:00:30Z");
    assertThat(fx.json("GET", PODS + "/p", null).path("metadata").has("deletionTimestamp"))
        .isTrue();
    fx.call("DELETE", PODS + "/p?gracePeriodSeconds=0", null);
    assertThat(error("GET", PODS + "/p", null).code()).isEqualTo(404);

    fx.call(
        "POST",
        CONFIGMAPS,
        "{\"metadata\":{\"name\":\"f\",\"finalizers\":[\"example.com/hold\"]},\"data\":{}}");
    ObjectNode held = fx.json("DELETE", CONFIGMAPS + "/f", null);
    assertThat(held.path("metadata").path("deletionTimestamp").asString())
        .isEqualTo("2026-11-25T10:00:00Z");
    ApiResponse.Full released =
        fx.call(
            "PATCH",
            CONFIGMAPS + "/f",
            "{\"metadata\":{\"finalizers\":null}}",
            "Content-Type",
            "application/merge-patch+json");
    assertThat(released.status()).isEqualTo(200);
    assertThat(error("GET", CONFIGMAPS + "/f", null).code()).isEqualTo(404);
  }

  @Test
  void deleteAnswersStatusAndChecksPreconditions() {
    ObjectNode cm = fx.json("POST", CONFIGMAPS, configMap("c", "{}"));
    ApiException conflict =
        error("DELETE", CONFIGMAPS + "/c", "{\"preconditions\":{\"uid\":\"other\"}}");
    assertThat(conflict.code()).isEqualTo(409);
    assertThat(conflict.getMessage()).contains("Precondition failed: UID in precondition: other");
    ObjectNode status = fx.json("DELETE", CONFIGMAPS + "/c", null);
    assertThat(status.path("kind").asString()).isEqualTo("Status");
    assertThat(status.path("status").asString()).isEqualTo("Success");
    assertThat(status.path("details").path("uid").asString())
        .isEqualTo(cm.path("metadata").path("uid").asString());

    fx.call("POST", CONFIGMAPS, configMap("o", "{}"));
    ObjectNode orphaned = fx.json("DELETE", CONFIGMAPS + "/o?propagationPolicy=Orphan", null);
    assertThat(orphaned.path("metadata").path("finalizers").get(0).asString()).isEqualTo("orphan");
  }

  @Test
  void terminatingNamespaceRefusesNewContent() {
    fx.call("POST", "/api/v1/namespaces", "{\"metadata\":{\"name\":\"team\"}}");
    ObjectNode deleting = fx.json("DELETE", "/api/v1/namespaces/team", null);
    assertThat(deleting.path("status").path("phase").asString()).isEqualTo("Terminating");
    ApiException e = error("POST", "/api/v1/namespaces/team/configmaps", configMap("c", "{}"));
    assertThat(e.code()).isEqualTo(403);
    assertThat(e.getMessage())
        .isEqualTo(
            "configmaps \"c\" is forbidden: unable to create new content in namespace team"
                + " because it is being terminated");
    fx.call(
        "PUT",
        "/api/v1/namespaces/team/finalize",
        "{\"metadata\":{\"name\":\"team\"},\"spec\":{\"finalizers\":[]}}");
    assertThat(error("GET", "/api/v1/namespaces/team", null).code()).isEqualTo(404);
  }

  @Test
  void servicesGetClusterIpsAndDefaults() {
    String svc =
        "{\"metadata\":{\"name\":\"web\"},\"spec\":{\"selector\":{\"app\":\"web\"},\"ports\":[{\"port\":80}]}}";
    ObjectNode created = fx.json("POST", "/api/v1/namespaces/default/services", svc);
    assertThat(created.path("spec").path("clusterIP").asString()).isEqualTo("10.43.0.1");
    assertThat(created.path("spec").path("type").asString()).isEqualTo("ClusterIP");
    assertThat(created.path("spec").path("ports").get(0).path("targetPort").asLong()).isEqualTo(80);
    assertThat(created.path("spec").path("ports").get(0).path("protocol").asString())
        .isEqualTo("TCP");
    ObjectNode second =
        fx.json(
            "POST",
            "/api/v1/namespaces/default/services",
            svc.replace("\"web\"}", "\"x\"}").replace("\"name\":\"web\"", "\"name\":\"other\""));
    assertThat(second.path("spec").path("clusterIP").asString()).isEqualTo("10.43.0.2");
  }

  @Test
  void secretsFoldStringDataIntoData() {
    ObjectNode secret =
        fx.json(
            "POST",
            "/api/v1/namespaces/default/secrets",
            "{\"metadata\":{\"name\":\"s\"},\"stringData\":{\"user\":\"admin\"}}");
    assertThat(secret.path("type").asString()).isEqualTo("Opaque");
    assertThat(secret.path("data").path("user").asString()).isEqualTo("YWRtaW4=");
    assertThat(secret.has("stringData")).isFalse();
  }

  @Test
  void kubeletSubresourcesAnswerClearly() {
    fx.call("POST", PODS, pod("p"));
    ApiException unbound = error("GET", PODS + "/p/log", null);
    assertThat(unbound.code()).isEqualTo(400);
    assertThat(unbound.getMessage()).isEqualTo("pod p does not have a host assigned");
    assertThatThrownBy(
            () -> fx.call("POST", "/api/v1/namespaces/default/serviceaccounts/default/token", "{}"))
        .isInstanceOf(ApiException.class)
        .extracting(e -> ((ApiException) e).code())
        .isEqualTo(405);
  }
}
