package dev.skiff.apiserver.admission.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.api.Json;
import dev.skiff.api.ResourceType;
import dev.skiff.api.catalog.ResourceCatalog;
import dev.skiff.apiserver.admission.AdmissionRequest;
import dev.skiff.apiserver.admission.AdmissionRequest.Operation;
import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.UserInfo;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.node.ObjectNode;

/** Which writes a webhook is called for: rules, scope, selectors and matchPolicy. */
class WebhookMatcherTest {
  private static final ResourceCatalog CATALOG = ResourceCatalog.builtIn();
  private static final ResourceType PODS = CATALOG.find("", "v1", "pods").orElseThrow();
  private static final ResourceType NAMESPACES = CATALOG.find("", "v1", "namespaces").orElseThrow();
  private static final ResourceType NODES = CATALOG.find("", "v1", "nodes").orElseThrow();
  private static final ResourceType DEPLOYMENTS =
      CATALOG.find("apps", "v1", "deployments").orElseThrow();
  private static final ResourceType HPA_V2 =
      CATALOG.find("autoscaling", "v2", "horizontalpodautoscalers").orElseThrow();

  /** Namespaces known to the matcher: "prod" (env=prod) and "dev" (env=dev). */
  private static final WebhookMatcher MATCHER =
      new WebhookMatcher(
          name ->
              switch (name) {
                case "prod" -> Optional.of(object(Map.of("env", "prod")));
                case "dev" -> Optional.of(object(Map.of("env", "dev")));
                default -> Optional.empty();
              });

  private static ObjectNode object(Map<String, String> labels) {
    ObjectNode object = Json.object();
    ObjectNode metadata = object.putObject("metadata");
    metadata.put("name", "x");
    ObjectNode labelNode = metadata.putObject("labels");
    labels.forEach(labelNode::put);
    return object;
  }

  private static Webhook webhook(String json) {
    return Webhook.parse("config", Json.MAPPER.readTree(json));
  }

  private static AdmissionRequest write(
      Operation operation, ResourceType type, String subresource, String namespace) {
    return new AdmissionRequest(
        operation,
        type,
        subresource,
        namespace,
        "x",
        operation == Operation.DELETE ? null : object(Map.of("app", "web")),
        operation == Operation.CREATE ? null : object(Map.of("app", "old")),
        UserInfo.ANONYMOUS,
        false);
  }

  private static GroupVersionResource stored(AdmissionRequest request) {
    return new GroupVersionResource(request.group(), request.type().version(), request.resource());
  }

  record Case(String name, String webhook, AdmissionRequest request, boolean matches) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static final String POD_CREATE =
      "\"rules\":[{\"operations\":[\"CREATE\"],\"apiGroups\":[\"\"],\"apiVersions\":[\"v1\"],"
          + "\"resources\":[\"pods\"]}]";

  private static String rules(String operations, String groups, String resources, String scope) {
    return "{\"name\":\"w\",\"rules\":[{\"operations\":["
        + operations
        + "],\"apiGroups\":["
        + groups
        + "],\"apiVersions\":[\"*\"],\"resources\":["
        + resources
        + "]"
        + (scope == null ? "" : ",\"scope\":\"" + scope + "\"")
        + "}]}";
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case(
            "exact rule",
            "{\"name\":\"w\"," + POD_CREATE + "}",
            write(Operation.CREATE, PODS, "", "prod"),
            true),
        new Case(
            "other operation",
            "{\"name\":\"w\"," + POD_CREATE + "}",
            write(Operation.UPDATE, PODS, "", "prod"),
            false),
        new Case(
            "other group",
            "{\"name\":\"w\"," + POD_CREATE + "}",
            write(Operation.CREATE, DEPLOYMENTS, "", "prod"),
            false),
        new Case(
            "plain resource does not match its subresource",
            "{\"name\":\"w\"," + POD_CREATE + "}",
            write(Operation.CREATE, PODS, "status", "prod"),
            false),
        new Case(
            "star operations and groups",
            rules("\"*\"", "\"*\"", "\"deployments\"", null),
            write(Operation.DELETE, DEPLOYMENTS, "", "prod"),
            true),
        new Case(
            "star resources: main resources only",
            rules("\"*\"", "\"*\"", "\"*\"", null),
            write(Operation.UPDATE, PODS, "status", "prod"),
            false),
        new Case(
            "star resources match a main resource",
            rules("\"*\"", "\"*\"", "\"*\"", null),
            write(Operation.UPDATE, PODS, "", "prod"),
            true),
        new Case(
            "named subresource",
            rules("\"UPDATE\"", "\"\"", "\"pods/status\"", null),
            write(Operation.UPDATE, PODS, "status", "prod"),
            true),
        new Case(
            "named subresource not the main resource",
            rules("\"UPDATE\"", "\"\"", "\"pods/status\"", null),
            write(Operation.UPDATE, PODS, "", "prod"),
            false),
        new Case(
            "resource with any subresource",
            rules("\"UPDATE\"", "\"\"", "\"pods/*\"", null),
            write(Operation.UPDATE, PODS, "status", "prod"),
            true),
        new Case(
            "every resource and subresource",
            rules("\"UPDATE\"", "\"*\"", "\"*/*\"", null),
            write(Operation.UPDATE, PODS, "status", "prod"),
            true),
        new Case(
            "Namespaced scope skips cluster objects",
            rules("\"*\"", "\"*\"", "\"*\"", "Namespaced"),
            write(Operation.CREATE, NODES, "", ""),
            false),
        new Case(
            "Namespaced scope takes namespaced objects",
            rules("\"*\"", "\"*\"", "\"*\"", "Namespaced"),
            write(Operation.CREATE, PODS, "", "dev"),
            true),
        new Case(
            "Cluster scope skips namespaced objects",
            rules("\"*\"", "\"*\"", "\"*\"", "Cluster"),
            write(Operation.CREATE, PODS, "", "dev"),
            false),
        new Case(
            "Cluster scope takes namespaces",
            rules("\"*\"", "\"*\"", "\"*\"", "Cluster"),
            write(Operation.CREATE, NAMESPACES, "", ""),
            true),
        new Case(
            "namespace selector matches the namespace's labels",
            "{\"name\":\"w\","
                + POD_CREATE
                + ",\"namespaceSelector\":{\"matchLabels\":{\"env\":\"prod\"}}}",
            write(Operation.CREATE, PODS, "", "prod"),
            true),
        new Case(
            "namespace selector excludes another namespace",
            "{\"name\":\"w\","
                + POD_CREATE
                + ",\"namespaceSelector\":{\"matchLabels\":{\"env\":\"prod\"}}}",
            write(Operation.CREATE, PODS, "", "dev"),
            false),
        new Case(
            "namespace selector with NotIn",
            "{\"name\":\"w\","
                + POD_CREATE
                + ",\"namespaceSelector\":{\"matchExpressions\":[{\"key\":\"env\",\"operator\":\"NotIn\",\"values\":[\"dev\"]}]}}",
            write(Operation.CREATE, PODS, "", "dev"),
            false),
        new Case(
            "namespace selector does not exclude cluster-scoped objects",
            rules("\"*\"", "\"*\"", "\"nodes\"", null)
                .replace("}]}", "}],\"namespaceSelector\":{\"matchLabels\":{\"env\":\"prod\"}}}"),
            write(Operation.CREATE, NODES, "", ""),
            true),
        new Case(
            "namespace selector on a Namespace uses its own labels",
            rules("\"*\"", "\"\"", "\"namespaces\"", null)
                .replace("}]}", "}],\"namespaceSelector\":{\"matchLabels\":{\"app\":\"web\"}}}"),
            write(Operation.CREATE, NAMESPACES, "", ""),
            true),
        new Case(
            "object selector matches the new object",
            "{\"name\":\"w\",\"rules\":[{\"operations\":[\"*\"],\"apiGroups\":[\"\"],\"apiVersions\":[\"v1\"],\"resources\":[\"pods\"]}],\"objectSelector\":{\"matchLabels\":{\"app\":\"web\"}}}",
            write(Operation.UPDATE, PODS, "", "prod"),
            true),
        new Case(
            "object selector matches the old object",
            "{\"name\":\"w\",\"rules\":[{\"operations\":[\"*\"],\"apiGroups\":[\"\"],\"apiVersions\":[\"v1\"],\"resources\":[\"pods\"]}],\"objectSelector\":{\"matchLabels\":{\"app\":\"old\"}}}",
            write(Operation.DELETE, PODS, "", "prod"),
            true),
        new Case(
            "object selector excludes",
            "{\"name\":\"w\",\"rules\":[{\"operations\":[\"*\"],\"apiGroups\":[\"\"],\"apiVersions\":[\"v1\"],\"resources\":[\"pods\"]}],\"objectSelector\":{\"matchLabels\":{\"app\":\"db\"}}}",
            write(Operation.UPDATE, PODS, "", "prod"),
            false));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void matches(Case c) {
    Webhook webhook = webhook(c.webhook());
    assertThat(MATCHER.match(webhook, c.request(), stored(c.request())).isPresent())
        .isEqualTo(c.matches());
  }

  @Test
  void equivalentMatchPolicyFallsBackToTheStoredVersion() {
    AdmissionRequest hpa = write(Operation.CREATE, HPA_V2, "", "prod");
    GroupVersionResource v1 =
        new GroupVersionResource("autoscaling", "v1", "horizontalpodautoscalers");
    String v2Rule =
        "\"rules\":[{\"operations\":[\"CREATE\"],\"apiGroups\":[\"autoscaling\"],"
            + "\"apiVersions\":[\"v2\"],\"resources\":[\"horizontalpodautoscalers\"]}]";
    Webhook equivalent = webhook("{\"name\":\"w\"," + v2Rule + "}");
    Webhook exact = webhook("{\"name\":\"w\",\"matchPolicy\":\"Exact\"," + v2Rule + "}");

    assertThat(MATCHER.match(equivalent, hpa, v1))
        .contains(new GroupVersionResource("autoscaling", "v2", "horizontalpodautoscalers"));
    assertThat(MATCHER.match(exact, hpa, v1)).isEmpty();
    assertThat(MATCHER.match(exact, hpa, stored(hpa))).isPresent();
  }

  @Test
  void aMissingNamespaceIsNotFoundWhenASelectorNeedsItsLabels() {
    Webhook webhook =
        webhook(
            "{\"name\":\"w\","
                + POD_CREATE
                + ",\"namespaceSelector\":{\"matchLabels\":{\"env\":\"prod\"}}}");
    AdmissionRequest request = write(Operation.CREATE, PODS, "", "gone");
    assertThatThrownBy(() -> MATCHER.match(webhook, request, stored(request)))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.code()).isEqualTo(404);
              assertThat(e.getMessage()).isEqualTo("namespaces \"gone\" not found");
            });
  }

  @Test
  void defaultsAreKubernetes() {
    Webhook webhook = webhook("{\"name\":\"w\"," + POD_CREATE + "}");
    assertThat(webhook.failurePolicy()).isEqualTo(Webhook.FailurePolicy.FAIL);
    assertThat(webhook.matchPolicy()).isEqualTo(Webhook.MatchPolicy.EQUIVALENT);
    assertThat(webhook.timeoutSeconds()).isEqualTo(10);
    assertThat(webhook.namespaceSelector().isEverything()).isTrue();
    assertThat(webhook.objectSelector().isEverything()).isTrue();
    assertThat(webhook.supportsDryRun()).isFalse();
    assertThat(webhook("{\"name\":\"w\",\"timeoutSeconds\":0}").timeoutSeconds()).isEqualTo(10);
    assertThat(webhook("{\"name\":\"w\",\"timeoutSeconds\":3}").timeoutSeconds()).isEqualTo(3);
    assertThat(webhook("{\"name\":\"w\",\"timeoutSeconds\":90}").timeoutSeconds()).isEqualTo(30);
    assertThat(
            webhook(
                    "{\"name\":\"w\",\"sideEffects\":\"NoneOnDryRun\",\"clientConfig\":{\"service\":{\"namespace\":\"n\",\"name\":\"s\"}}}")
                .clientConfig()
                .service())
        .isEqualTo(new Webhook.ServiceReference("n", "s", "/", 443));
  }

  @Test
  void admissionConfigurationObjectsAreExempt() {
    ResourceType validating =
        CATALOG
            .find("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations")
            .orElseThrow();
    assertThat(WebhookMatcher.exempt(write(Operation.DELETE, validating, "", ""))).isTrue();
    assertThat(WebhookMatcher.exempt(write(Operation.DELETE, PODS, "", "prod"))).isFalse();
  }

  @Test
  void responsesAreCheckedAsKubernetesChecksThem() {
    assertThatThrownBy(
            () ->
                AdmissionReviews.verify(
                    "u1",
                    false,
                    Json.MAPPER.readTree(
                        "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
                            + "\"response\":{\"uid\":\"u2\",\"allowed\":true}}")))
        .hasMessage("received invalid webhook response: expected response.uid=\"u1\", got \"u2\"");
    assertThatThrownBy(
            () ->
                AdmissionReviews.verify(
                    "u1",
                    true,
                    Json.MAPPER.readTree(
                        "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
                            + "\"response\":{\"uid\":\"u1\",\"allowed\":true,\"patch\":\"W10=\"}}")))
        .hasMessage(
            "received invalid webhook response: webhook returned response.patch but not"
                + " response.patchType");
    assertThatThrownBy(
            () ->
                AdmissionReviews.verify(
                    "u1",
                    false,
                    Json.MAPPER.readTree(
                        "{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\"}")))
        .hasMessage(
            "received invalid webhook response: expected webhook response of"
                + " admission.k8s.io/v1, Kind=AdmissionReview, got admission.k8s.io/v1beta1,"
                + " Kind=AdmissionReview");
  }

  @Test
  void serverNamesAreCheckedAgainstSubjectAlternativeNames() throws Exception {
    Path dir = java.nio.file.Files.createTempDirectory("san-pki");
    try {
      var pki = dev.skiff.apiserver.pki.ClusterPki.loadOrCreate(dir, List.of());
      var cert =
          pki.issueServingCertificate("w", List.of("webhook.ns.svc", "*.example.com", "127.0.0.1"))
              .certificate();
      ServerNameTrustManager.verifyName(cert, "webhook.ns.svc");
      ServerNameTrustManager.verifyName(cert, "a.example.com");
      ServerNameTrustManager.verifyName(cert, "127.0.0.1");
      assertThatThrownBy(() -> ServerNameTrustManager.verifyName(cert, "other.ns.svc"))
          .hasMessage(
              "x509: certificate is valid for webhook.ns.svc, *.example.com, not other.ns.svc");
      assertThatThrownBy(() -> ServerNameTrustManager.verifyName(cert, "a.b.example.com"))
          .hasMessageStartingWith("x509: certificate is valid for");
      assertThatThrownBy(() -> ServerNameTrustManager.verifyName(cert, "127.0.0.2"))
          .hasMessage("x509: certificate is valid for 127.0.0.1, not 127.0.0.2");
    } finally {
      try (var paths = java.nio.file.Files.walk(dir)) {
        for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          java.nio.file.Files.deleteIfExists(path);
        }
      }
    }
  }
}
