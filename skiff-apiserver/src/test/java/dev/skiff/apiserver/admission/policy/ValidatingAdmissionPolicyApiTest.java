package dev.skiff.apiserver.admission.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.skiff.api.Json;
import dev.skiff.apiserver.AdminControlPlane;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * ValidatingAdmissionPolicy and its bindings through the in-process API server and the fabric8
 * client. Each test's bindings select its own namespace by the label {@code vap-test=<test>}, so
 * the policies of one test do not reach the writes of another.
 */
class ValidatingAdmissionPolicyApiTest {
  @RegisterExtension static final AdminControlPlane cluster = new AdminControlPlane();

  private static KubernetesClient admin() {
    return cluster.admin();
  }

  private static void namespace(String name) {
    admin()
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(Map.of("vap-test", name))
                .endMetadata()
                .build())
        .create();
  }

  private static void apply(String yaml) {
    admin().resource(yaml).create();
  }

  /** Waits until admission applies every policy and binding written so far. */
  private static void awaitPolicies() {
    assertThat(cluster.controlPlane().security().awaitCurrent(Duration.ofSeconds(10))).isTrue();
  }

  private static String deploymentYaml(String namespace, String name, int replicas) {
    return """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: %s, namespace: %s}
        spec:
          replicas: %d
          selector: {matchLabels: {app: %s}}
          template:
            metadata: {labels: {app: %s}}
            spec:
              containers: [{name: c, image: busybox}]
        """
        .formatted(name, namespace, replicas, name, name);
  }

  private static Deployment createDeployment(String namespace, String name, int replicas) {
    return admin()
        .apps()
        .deployments()
        .inNamespace(namespace)
        .resource(
            admin()
                .getKubernetesSerialization()
                .unmarshal(deploymentYaml(namespace, name, replicas), Deployment.class))
        .create();
  }

  private static KubernetesClientException refused(String namespace, String name, int replicas) {
    return catchThrowableOfType(
        KubernetesClientException.class, () -> createDeployment(namespace, name, replicas));
  }

  /** A policy on deployment creates and updates with one validation. */
  private static void replicasPolicy(String name, String validation) {
    apply(
        """
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicy
        metadata: {name: %s}
        spec:
          failurePolicy: Fail
          matchConstraints:
            resourceRules:
            - apiGroups: [apps]
              apiVersions: [v1]
              operations: [CREATE, UPDATE]
              resources: [deployments]
          validations:
          - %s
        """
            .formatted(name, validation));
  }

  private static void binding(String name, String policy, String actions, String namespace) {
    apply(
        """
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicyBinding
        metadata: {name: %s}
        spec:
          policyName: %s
          validationActions: [%s]
          matchResources:
            namespaceSelector:
              matchLabels: {vap-test: %s}
        """
            .formatted(name, policy, actions, namespace));
  }

  @Test
  void denyBindingRefusesWithKubernetesMessageAndInvalidCode() {
    String ns = "vap-deny";
    namespace(ns);
    replicasPolicy("max-replicas.example.com", "expression: object.spec.replicas <= 5");
    binding("max-replicas-deny", "max-replicas.example.com", "Deny", ns);
    awaitPolicies();

    KubernetesClientException denied = refused(ns, "six", 6);
    assertThat(denied.getCode()).isEqualTo(422);
    assertThat(denied.getStatus().getReason()).isEqualTo("Invalid");
    String message =
        "ValidatingAdmissionPolicy 'max-replicas.example.com' with binding 'max-replicas-deny'"
            + " denied request: failed expression: object.spec.replicas <= 5";
    assertThat(denied.getStatus().getMessage())
        .isEqualTo("deployments.apps \"six\" is forbidden: " + message);
    assertThat(denied.getStatus().getDetails().getName()).isEqualTo("six");
    assertThat(denied.getStatus().getDetails().getGroup()).isEqualTo("apps");
    assertThat(denied.getStatus().getDetails().getKind()).isEqualTo("deployments");
    assertThat(denied.getStatus().getDetails().getCauses())
        .extracting(StatusCause::getMessage)
        .containsExactly(message);
    assertThat(admin().apps().deployments().inNamespace(ns).withName("six").get()).isNull();

    assertThat(createDeployment(ns, "five", 5).getSpec().getReplicas()).isEqualTo(5);
    // updates are validated too
    KubernetesClientException scaled =
        catchThrowableOfType(
            KubernetesClientException.class,
            () ->
                admin()
                    .apps()
                    .deployments()
                    .inNamespace(ns)
                    .withName("five")
                    .edit(
                        d -> {
                          d.getSpec().setReplicas(7);
                          return d;
                        }));
    assertThat(scaled.getCode()).isEqualTo(422);
  }

  @Test
  void reasonAndMessageExpressionShapeTheDenial() {
    String ns = "vap-reason";
    namespace(ns);
    replicasPolicy(
        "max-replicas-forbidden.example.com",
        """
        {expression: "object.spec.replicas <= 2", reason: Forbidden,
                 messageExpression: "'replicas must be at most 2, got ' + string(object.spec.replicas)"}
        """);
    binding("max-replicas-forbidden", "max-replicas-forbidden.example.com", "Deny", ns);
    awaitPolicies();

    KubernetesClientException denied = refused(ns, "three", 3);
    assertThat(denied.getCode()).isEqualTo(403);
    assertThat(denied.getStatus().getReason()).isEqualTo("Forbidden");
    assertThat(denied.getStatus().getMessage())
        .isEqualTo(
            "deployments.apps \"three\" is forbidden: ValidatingAdmissionPolicy"
                + " 'max-replicas-forbidden.example.com' with binding 'max-replicas-forbidden'"
                + " denied request: replicas must be at most 2, got 3");
  }

  @Test
  void bindingNamespaceSelectorScopesThePolicy() {
    String scoped = "vap-scoped";
    namespace(scoped);
    admin()
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName("vap-free").endMetadata().build())
        .create();
    replicasPolicy("scoped-replicas.example.com", "expression: object.spec.replicas <= 1");
    binding("scoped-replicas", "scoped-replicas.example.com", "Deny", scoped);
    awaitPolicies();

    assertThat(refused(scoped, "two", 2).getCode()).isEqualTo(422);
    assertThat(createDeployment("vap-free", "two", 2)).isNotNull();
  }

  @Test
  void paramsComeFromAConfigMap() {
    String ns = "vap-params";
    namespace(ns);
    admin()
        .configMaps()
        .inNamespace(ns)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("limits")
                .endMetadata()
                .addToData("maxReplicas", "3")
                .build())
        .create();
    apply(
        """
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicy
        metadata: {name: param-replicas.example.com}
        spec:
          paramKind: {apiVersion: v1, kind: ConfigMap}
          matchConstraints:
            resourceRules:
            - apiGroups: [apps]
              apiVersions: [v1]
              operations: [CREATE]
              resources: [deployments]
          variables:
          - name: limit
            expression: int(params.data.maxReplicas)
          validations:
          - expression: object.spec.replicas <= variables.limit
            messageExpression: "'at most ' + string(variables.limit) + ' replicas'"
        """);
    apply(
        """
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicyBinding
        metadata: {name: param-replicas}
        spec:
          policyName: param-replicas.example.com
          validationActions: [Deny]
          paramRef: {name: limits, parameterNotFoundAction: Deny}
          matchResources:
            namespaceSelector:
              matchLabels: {vap-test: vap-params}
        """);
    awaitPolicies();

    assertThat(refused(ns, "four", 4).getStatus().getMessage())
        .endsWith("denied request: at most 3 replicas");
    assertThat(createDeployment(ns, "three", 3)).isNotNull();

    admin()
        .configMaps()
        .inNamespace(ns)
        .withName("limits")
        .edit(cm -> new ConfigMapBuilder(cm).addToData("maxReplicas", "4").build());
    assertThat(createDeployment(ns, "four", 4)).isNotNull();

    admin().configMaps().inNamespace(ns).withName("limits").delete();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> admin().configMaps().inNamespace(ns).withName("limits").get() == null);
    KubernetesClientException missing = refused(ns, "one", 1);
    assertThat(missing.getCode()).isEqualTo(422);
    assertThat(missing.getStatus().getMessage())
        .isEqualTo(
            "deployments.apps \"one\" is forbidden: ValidatingAdmissionPolicy"
                + " 'param-replicas.example.com' with binding 'param-replicas' denied request:"
                + " failed to configure binding: no params found for policy binding with `Deny`"
                + " parameterNotFoundAction");
  }

  /** Creates a deployment over plain HTTP, to see the response headers. */
  private static HttpResponse<String> post(String ns, String name, int replicas) throws Exception {
    var http = admin().getHttpClient();
    HttpRequest post =
        http.newHttpRequestBuilder()
            .uri(admin().getMasterUrl() + "apis/apps/v1/namespaces/" + ns + "/deployments")
            .post(
                "application/json",
                Json.bytes(Json.YAML.readTree(deploymentYaml(ns, name, replicas))))
            .build();
    return http.sendAsync(post, String.class).get();
  }

  @Test
  void warnBindingWarnsAndAuditBindingAdmitsInsteadOfDenying() throws Exception {
    String ns = "vap-warn";
    namespace(ns);
    replicasPolicy("warn-replicas.example.com", "expression: object.spec.replicas <= 1");
    binding("warn-replicas", "warn-replicas.example.com", "Warn", ns);
    String audited = "vap-audit";
    namespace(audited);
    binding("audit-replicas", "warn-replicas.example.com", "Audit", audited);
    awaitPolicies();

    HttpResponse<String> warned = post(ns, "warned", 2);
    assertThat(warned.code()).isEqualTo(201);
    assertThat(warned.headers("Warning"))
        .containsExactly(
            "299 - \"Validation failed for ValidatingAdmissionPolicy 'warn-replicas.example.com'"
                + " with binding 'warn-replicas': failed expression: object.spec.replicas <= 1\"");

    HttpResponse<String> quiet = post(audited, "audited", 2);
    assertThat(quiet.code()).isEqualTo(201);
    assertThat(quiet.headers("Warning")).isEmpty();
  }

  @Test
  void policiesAreCheckedAndDefaultedWhenWrittenAndTheirStatusFollows() {
    KubernetesClientException invalid =
        catchThrowableOfType(
            KubernetesClientException.class,
            () -> replicasPolicy("broken.example.com", "expression: spec.replicas <= 5"));
    assertThat(invalid.getCode()).isEqualTo(422);
    assertThat(invalid.getStatus().getMessage())
        .startsWith(
            "ValidatingAdmissionPolicy.admissionregistration.k8s.io \"broken.example.com\" is"
                + " invalid: spec.validations[0].expression: Invalid value: \"spec.replicas <="
                + " 5\": compilation failed: ERROR: <input>:1:1: undeclared reference to 'spec'");
    KubernetesClientException both =
        catchThrowableOfType(
            KubernetesClientException.class,
            () -> binding("both", "any.example.com", "Deny, Warn", "vap-none"));
    assertThat(both.getCode()).isEqualTo(422);
    assertThat(both.getStatus().getMessage()).contains("must not contain both Deny and Warn");

    replicasPolicy("checked.example.com", "expression: object.spec.replicas <= 50");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              GenericKubernetesResource policy =
                  admin()
                      .genericKubernetesResources(
                          "admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy")
                      .withName("checked.example.com")
                      .get();
              JsonNode object = Json.MAPPER.valueToTree(policy);
              assertThat(object.path("metadata").path("generation").asLong()).isEqualTo(1);
              assertThat(
                      object.path("spec").path("matchConstraints").path("matchPolicy").asString())
                  .isEqualTo("Equivalent");
              JsonNode status = object.path("status");
              assertThat(status.path("observedGeneration").asLong()).isEqualTo(1);
              assertThat(status.path("typeChecking").isObject()).isTrue();
              assertThat(status.path("typeChecking").has("expressionWarnings")).isFalse();
            });
  }

  @Test
  void requestNamespaceObjectAndMatchConditionsAreSeen() {
    String ns = "vap-vars";
    admin()
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(ns)
                .withLabels(Map.of("vap-test", ns, "tier", "gold"))
                .endMetadata()
                .build())
        .create();
    apply(
        """
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicy
        metadata: {name: gold-configmaps.example.com}
        spec:
          matchConstraints:
            resourceRules:
            - apiGroups: [""]
              apiVersions: [v1]
              operations: ["*"]
              resources: [configmaps]
          matchConditions:
          - name: not-exempt
            expression: "!has(object.metadata.labels) || !('exempt' in object.metadata.labels)"
          validations:
          - expression: >-
              namespaceObject.metadata.labels.tier != 'gold'
              || request.userInfo.username == 'nobody'
            messageExpression: >-
              request.operation + ' of ' + request.resource.resource + ' ' + request.name
              + ' by ' + request.userInfo.username + ' in ' + request.namespace + ' refused'
        """);
    binding("gold-configmaps", "gold-configmaps.example.com", "Deny", ns);
    awaitPolicies();

    KubernetesClientException denied =
        catchThrowableOfType(
            KubernetesClientException.class,
            () ->
                admin()
                    .configMaps()
                    .inNamespace(ns)
                    .resource(
                        new ConfigMapBuilder()
                            .withNewMetadata()
                            .withName("c")
                            .endMetadata()
                            .build())
                    .create());
    assertThat(denied.getStatus().getMessage())
        .endsWith("denied request: CREATE of configmaps c by admin in vap-vars refused");
    // the matchCondition leaves exempt objects alone
    assertThat(
            admin()
                .configMaps()
                .inNamespace(ns)
                .resource(
                    new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("exempt")
                        .addToLabels("exempt", "yes")
                        .endMetadata()
                        .build())
                .create())
        .isNotNull();
  }

  @Test
  void selectorParamsEvaluateOncePerParamAndIgnoreSkipsErrors() {
    String ns = "vap-selector";
    namespace(ns);
    for (String limit : new String[] {"4", "2"}) {
      admin()
          .configMaps()
          .inNamespace(ns)
          .resource(
              new ConfigMapBuilder()
                  .withNewMetadata()
                  .withName("limit-" + limit)
                  .addToLabels("kind", "replica-limit")
                  .endMetadata()
                  .addToData("max", limit)
                  .build())
          .create();
    }
    apply(
        """
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicy
        metadata: {name: selector-replicas.example.com}
        spec:
          paramKind: {apiVersion: v1, kind: ConfigMap}
          matchConstraints:
            resourceRules:
            - apiGroups: [apps]
              apiVersions: [v1]
              operations: [CREATE]
              resources: [deployments]
          validations:
          - expression: object.spec.replicas <= int(params.data.max)
            messageExpression: "params.metadata.name + ' allows ' + params.data.max"
        """);
    apply(
        """
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicyBinding
        metadata: {name: selector-replicas}
        spec:
          policyName: selector-replicas.example.com
          validationActions: [Deny]
          paramRef:
            selector: {matchLabels: {kind: replica-limit}}
            parameterNotFoundAction: Allow
          matchResources:
            namespaceSelector:
              matchLabels: {vap-test: vap-selector}
        """);
    apply(
        """
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicy
        metadata: {name: ignored-errors.example.com}
        spec:
          failurePolicy: Ignore
          matchConstraints:
            resourceRules:
            - apiGroups: [apps]
              apiVersions: [v1]
              operations: [CREATE]
              resources: [deployments]
          validations:
          - expression: object.spec.noSuchField > 1
        """);
    binding("ignored-errors", "ignored-errors.example.com", "Deny", ns);
    awaitPolicies();

    assertThat(createDeployment(ns, "two", 2)).isNotNull();
    // 3 passes the limit of 4 but not the limit of 2: the first denial is reported
    assertThat(refused(ns, "three", 3).getStatus().getMessage())
        .endsWith("denied request: limit-2 allows 2");
  }
}
