package dev.skiff.apiserver.admission.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.skiff.api.Json;
import dev.skiff.apiserver.AdminControlPlane;
import dev.skiff.apiserver.pki.ClusterPki;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperationsBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfigBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Admission webhooks against a real HTTPS webhook server started by the test, through the
 * in-process API server and the fabric8 client. Each test selects its own namespace by label, so
 * the configurations of one test do not reach the writes of another.
 */
class AdmissionWebhookTest {
  @RegisterExtension static final AdminControlPlane cluster = new AdminControlPlane();

  private static Path pkiDir;
  private static FakeWebhookServer webhook;
  private static KubernetesClient client;

  @BeforeAll
  static void startWebhook() throws Exception {
    // fabric8 retries 5xx answers by default; a failing webhook must be seen failing once
    Config config = Config.fromKubeconfig(Files.readString(cluster.kubeconfig()));
    config.setRequestRetryBackoffLimit(0);
    client = new KubernetesClientBuilder().withConfig(config).build();
    pkiDir = Files.createTempDirectory("webhook-pki");
    webhook =
        new FakeWebhookServer(
            ClusterPki.loadOrCreate(pkiDir, List.of()),
            List.of("127.0.0.1", "webhook.svc-ref.svc"));
  }

  @AfterAll
  static void stopWebhook() throws IOException {
    client.close();
    webhook.close();
    try (var paths = Files.walk(pkiDir)) {
      for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  private static KubernetesClient admin() {
    return client;
  }

  /** A namespace labelled {@code webhook-test=<name>}, which the test's webhooks select. */
  private static void namespace(String name, Map<String, String> moreLabels) {
    admin()
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(name)
                .addToLabels("webhook-test", name)
                .addToLabels(moreLabels)
                .endMetadata()
                .build())
        .create();
  }

  private static LabelSelectorBuilder testNamespaces(String test) {
    return new LabelSelectorBuilder().addToMatchLabels("webhook-test", test);
  }

  private static WebhookClientConfig url(String path) {
    return new WebhookClientConfigBuilder()
        .withUrl(webhook.url(path))
        .withCaBundle(webhook.caBundle())
        .build();
  }

  private static RuleWithOperationsBuilder rule(String operation, String resource) {
    return new RuleWithOperationsBuilder()
        .withOperations(operation)
        .withApiGroups("")
        .withApiVersions("v1")
        .withResources(resource);
  }

  private static ValidatingWebhookBuilder validating(String name, WebhookClientConfig client) {
    return new ValidatingWebhookBuilder()
        .withName(name)
        .withClientConfig(client)
        .withSideEffects("None")
        .withAdmissionReviewVersions("v1");
  }

  private static void install(String name, ValidatingWebhook... webhooks) {
    admin()
        .admissionRegistration()
        .v1()
        .validatingWebhookConfigurations()
        .resource(
            new ValidatingWebhookConfigurationBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withWebhooks(webhooks)
                .build())
        .create();
    awaitWebhooks();
  }

  private static void install(String name, MutatingWebhook... webhooks) {
    admin()
        .admissionRegistration()
        .v1()
        .mutatingWebhookConfigurations()
        .resource(
            new MutatingWebhookConfigurationBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withWebhooks(webhooks)
                .build())
        .create();
    awaitWebhooks();
  }

  private static void awaitWebhooks() {
    assertThat(cluster.controlPlane().security().awaitCurrent(Duration.ofSeconds(10))).isTrue();
  }

  private static ConfigMap configMap(String name) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .addToData("k", "v")
        .build();
  }

  private static KubernetesClientException refused(Runnable write) {
    return catchThrowableOfType(KubernetesClientException.class, write::run);
  }

  @Test
  void mutatingWebhookAddsALabelWithAJsonPatchAndWarns() throws Exception {
    String test = "wh-mutate";
    namespace(test, Map.of());
    webhook.answer(
        "/mutate",
        request -> {
          ObjectNode response = FakeWebhookServer.allow(request);
          boolean hasLabels = request.path("object").path("metadata").has("labels");
          String patch =
              hasLabels
                  ? "[{\"op\":\"add\",\"path\":\"/metadata/labels/mutated-by\",\"value\":\"webhook\"}]"
                  : "[{\"op\":\"add\",\"path\":\"/metadata/labels\",\"value\":{\"mutated-by\":\"webhook\"}}]";
          response.put("patchType", "JSONPatch");
          response.put("patch", java.util.Base64.getEncoder().encodeToString(patch.getBytes()));
          response.putArray("warnings").add("labelled by the test webhook");
          return response;
        });
    install(
        "mutate-labels",
        new MutatingWebhookBuilder()
            .withName("labels.skiff.dev")
            .withClientConfig(url("/mutate"))
            .withRules(rule("CREATE", "configmaps").build(), rule("UPDATE", "configmaps").build())
            .withNamespaceSelector(testNamespaces(test).build())
            .withSideEffects("None")
            .withAdmissionReviewVersions("v1")
            .build());

    ConfigMap created =
        admin().configMaps().inNamespace(test).resource(configMap("plain")).create();
    assertThat(created.getMetadata().getLabels()).containsEntry("mutated-by", "webhook");
    assertThat(
            admin()
                .configMaps()
                .inNamespace(test)
                .withName("plain")
                .get()
                .getMetadata()
                .getLabels())
        .containsEntry("mutated-by", "webhook");

    JsonNode review = webhook.received("/mutate").getLast();
    assertThat(review.path("apiVersion").asString()).isEqualTo("admission.k8s.io/v1");
    JsonNode request = review.path("request");
    assertThat(request.path("uid").asString()).isNotEmpty();
    assertThat(request.path("kind"))
        .isEqualTo(
            Json.MAPPER.readTree("{\"group\":\"\",\"version\":\"v1\",\"kind\":\"ConfigMap\"}"));
    assertThat(request.path("resource"))
        .isEqualTo(
            Json.MAPPER.readTree(
                "{\"group\":\"\",\"version\":\"v1\",\"resource\":\"configmaps\"}"));
    assertThat(request.path("requestResource")).isEqualTo(request.path("resource"));
    assertThat(request.path("operation").asString()).isEqualTo("CREATE");
    assertThat(request.path("namespace").asString()).isEqualTo(test);
    assertThat(request.path("name").asString()).isEqualTo("plain");
    assertThat(request.path("userInfo").path("username").asString()).isEqualTo("admin");
    assertThat(request.path("userInfo").path("groups").toString()).contains("system:masters");
    assertThat(request.path("object").path("data").path("k").asString()).isEqualTo("v");
    assertThat(request.path("oldObject").isNull()).isTrue();
    assertThat(request.path("dryRun").asBoolean()).isFalse();
    assertThat(request.path("options").path("kind").asString()).isEqualTo("CreateOptions");

    // a PATCH is an UPDATE with PatchOptions, old and new object
    ConfigMap edited =
        admin()
            .configMaps()
            .inNamespace(test)
            .withName("plain")
            .edit(cm -> new ConfigMapBuilder(cm).addToData("k", "changed").build());
    assertThat(edited.getMetadata().getLabels()).containsEntry("mutated-by", "webhook");
    JsonNode update = webhook.received("/mutate").getLast().path("request");
    assertThat(update.path("operation").asString()).isEqualTo("UPDATE");
    assertThat(update.path("options").path("kind").asString()).isEqualTo("PatchOptions");
    assertThat(update.path("oldObject").path("data").path("k").asString()).isEqualTo("v");
    assertThat(update.path("object").path("data").path("k").asString()).isEqualTo("changed");

    // the webhook's warning reaches the client as a Warning header
    var http = admin().getHttpClient();
    HttpRequest post =
        http.newHttpRequestBuilder()
            .uri(admin().getMasterUrl() + "api/v1/namespaces/" + test + "/configmaps")
            .post("application/json", Json.bytes(Json.MAPPER.valueToTree(configMap("warned"))))
            .build();
    HttpResponse<String> response = http.sendAsync(post, String.class).get();
    assertThat(response.code()).isEqualTo(201);
    assertThat(response.headers("Warning"))
        .containsExactly("299 - \"labelled by the test webhook\"");
  }

  @Test
  void whatAMutatingWebhookChangesIsValidatedLikeTheUsersInput() {
    String test = "wh-invalid-patch";
    namespace(test, Map.of());
    webhook.answer(
        "/bad-label",
        request -> {
          ObjectNode response = FakeWebhookServer.allow(request);
          String patch =
              "[{\"op\":\"add\",\"path\":\"/metadata/labels\","
                  + "\"value\":{\"bad\":\"not a valid label value!\"}}]";
          response.put("patchType", "JSONPatch");
          response.put("patch", java.util.Base64.getEncoder().encodeToString(patch.getBytes()));
          return response;
        });
    install(
        "mutate-bad-label",
        new MutatingWebhookBuilder()
            .withName("bad-label.skiff.dev")
            .withClientConfig(url("/bad-label"))
            .withRules(rule("CREATE", "configmaps").build())
            .withNamespaceSelector(testNamespaces(test).build())
            .withSideEffects("None")
            .withAdmissionReviewVersions("v1")
            .build());

    KubernetesClientException error =
        refused(() -> admin().configMaps().inNamespace(test).resource(configMap("cm")).create());
    assertThat(error.getCode()).isEqualTo(422);
    assertThat(error.getStatus().getReason()).isEqualTo("Invalid");
    assertThat(error.getStatus().getDetails().getCauses())
        .anySatisfy(cause -> assertThat(cause.getField()).isEqualTo("metadata.labels"));
    assertThat(admin().configMaps().inNamespace(test).withName("cm").get()).isNull();
  }

  @Test
  void validatingWebhookDeniesWithItsMessageAndCode() {
    String test = "wh-deny";
    namespace(test, Map.of());
    webhook.answer(
        "/deny",
        request -> {
          if (!request.path("name").asString().startsWith("bad")) {
            return FakeWebhookServer.allow(request);
          }
          ObjectNode status = Json.object();
          status.put("message", "names starting with bad are not allowed");
          return FakeWebhookServer.deny(request, status);
        });
    webhook.answer(
        "/conflict",
        request -> {
          ObjectNode status = Json.object();
          status.put("code", 409);
          status.put("reason", "Conflict");
          status.put("message", "secrets are frozen");
          return FakeWebhookServer.deny(request, status);
        });
    install(
        "deny-bad-names",
        validating("names.skiff.dev", url("/deny"))
            .withRules(rule("CREATE", "configmaps").build())
            .withNamespaceSelector(testNamespaces(test).build())
            .build(),
        validating("frozen.skiff.dev", url("/conflict"))
            .withRules(rule("*", "secrets").build())
            .withNamespaceSelector(testNamespaces(test).build())
            .build());

    assertThat(admin().configMaps().inNamespace(test).resource(configMap("good")).create())
        .isNotNull();
    KubernetesClientException denied =
        refused(
            () -> admin().configMaps().inNamespace(test).resource(configMap("bad-one")).create());
    assertThat(denied.getCode()).isEqualTo(403);
    assertThat(denied.getStatus().getReason()).isEqualTo("Forbidden");
    assertThat(denied.getStatus().getMessage())
        .isEqualTo(
            "configmaps \"bad-one\" is forbidden: admission webhook \"names.skiff.dev\" denied the"
                + " request: names starting with bad are not allowed");
    assertThat(admin().configMaps().inNamespace(test).withName("bad-one").get()).isNull();

    KubernetesClientException conflict =
        refused(
            () ->
                admin()
                    .secrets()
                    .inNamespace(test)
                    .resource(
                        new io.fabric8.kubernetes.api.model.SecretBuilder()
                            .withNewMetadata()
                            .withName("s")
                            .endMetadata()
                            .build())
                    .create());
    assertThat(conflict.getCode()).isEqualTo(409);
    assertThat(conflict.getStatus().getReason()).isEqualTo("Conflict");
    assertThat(conflict.getStatus().getMessage())
        .isEqualTo(
            "secrets \"s\" is forbidden: admission webhook \"frozen.skiff.dev\" denied the request:"
                + " secrets are frozen");
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Test
  void failurePolicyDecidesWhenTheWebhookIsDown() throws IOException {
    String test = "wh-down";
    namespace(test, Map.of());
    int port = closedPort();
    WebhookClientConfig down =
        new WebhookClientConfigBuilder()
            .withUrl("https://127.0.0.1:" + port + "/validate")
            .withCaBundle(webhook.caBundle())
            .build();
    install(
        "down-webhooks",
        validating("ignored.skiff.dev", down)
            .withFailurePolicy("Ignore")
            .withRules(rule("CREATE", "configmaps").build())
            .withNamespaceSelector(testNamespaces(test).build())
            .build(),
        validating("required.skiff.dev", down)
            .withFailurePolicy("Fail")
            .withRules(rule("CREATE", "secrets").build())
            .withNamespaceSelector(testNamespaces(test).build())
            .build());

    assertThat(admin().configMaps().inNamespace(test).resource(configMap("passes")).create())
        .isNotNull();
    KubernetesClientException failed =
        refused(
            () ->
                admin()
                    .secrets()
                    .inNamespace(test)
                    .resource(
                        new io.fabric8.kubernetes.api.model.SecretBuilder()
                            .withNewMetadata()
                            .withName("blocked")
                            .endMetadata()
                            .build())
                    .create());
    assertThat(failed.getCode()).isEqualTo(500);
    assertThat(failed.getStatus().getReason()).isEqualTo("InternalError");
    assertThat(failed.getStatus().getMessage())
        .isEqualTo(
            "Internal error occurred: failed calling webhook \"required.skiff.dev\": failed to call"
                + " webhook: Post \"https://127.0.0.1:"
                + port
                + "/validate?timeout=10s\": dial tcp 127.0.0.1:"
                + port
                + ": connect: connection refused");
  }

  @Test
  void aWebhookThatAnswersTooLateTimesOut() {
    String test = "wh-slow";
    namespace(test, Map.of());
    webhook.answer(
        "/slow",
        request -> {
          try {
            Thread.sleep(5_000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return FakeWebhookServer.allow(request);
        });
    install(
        "slow-webhooks",
        validating("slow-ignored.skiff.dev", url("/slow"))
            .withTimeoutSeconds(1)
            .withFailurePolicy("Ignore")
            .withRules(rule("CREATE", "configmaps").build())
            .withNamespaceSelector(testNamespaces(test).build())
            .build(),
        validating("slow-required.skiff.dev", url("/slow"))
            .withTimeoutSeconds(1)
            .withRules(rule("CREATE", "secrets").build())
            .withNamespaceSelector(testNamespaces(test).build())
            .build());

    assertThat(admin().configMaps().inNamespace(test).resource(configMap("late")).create())
        .isNotNull();
    KubernetesClientException failed =
        refused(
            () ->
                admin()
                    .secrets()
                    .inNamespace(test)
                    .resource(
                        new io.fabric8.kubernetes.api.model.SecretBuilder()
                            .withNewMetadata()
                            .withName("late")
                            .endMetadata()
                            .build())
                    .create());
    assertThat(failed.getCode()).isEqualTo(500);
    assertThat(failed.getStatus().getMessage())
        .isEqualTo(
            "Internal error occurred: failed calling webhook \"slow-required.skiff.dev\": failed to"
                + " call webhook: Post \""
                + webhook.url("/slow")
                + "?timeout=1s\": context deadline exceeded");
  }

  @Test
  void namespaceSelectorLeavesOtherNamespacesAlone() {
    String test = "wh-nsel";
    namespace(test, Map.of());
    namespace("wh-nsel-exempt", Map.of("webhooks", "skip"));
    webhook.answer(
        "/deny-all",
        request -> {
          ObjectNode status = Json.object();
          status.put("message", "no config maps here");
          return FakeWebhookServer.deny(request, status);
        });
    install(
        "deny-unless-skipped",
        validating("skip.skiff.dev", url("/deny-all"))
            .withRules(rule("CREATE", "configmaps").build())
            .withNamespaceSelector(
                new LabelSelectorBuilder()
                    .addNewMatchExpression()
                    .withKey("webhook-test")
                    .withOperator("In")
                    .withValues(test, "wh-nsel-exempt")
                    .endMatchExpression()
                    .addNewMatchExpression()
                    .withKey("webhooks")
                    .withOperator("NotIn")
                    .withValues("skip")
                    .endMatchExpression()
                    .build())
            .build());

    assertThat(
            refused(() -> admin().configMaps().inNamespace(test).resource(configMap("c")).create())
                .getCode())
        .isEqualTo(403);
    assertThat(admin().configMaps().inNamespace("wh-nsel-exempt").resource(configMap("c")).create())
        .isNotNull();
    assertThat(webhook.received("/deny-all"))
        .extracting(review -> review.path("request").path("namespace").asString())
        .containsOnly(test);
  }

  @Test
  void dryRunReachesOnlyWebhooksWithoutSideEffects() {
    String test = "wh-dry";
    namespace(test, Map.of());
    webhook.answer("/dry", FakeWebhookServer::allow);
    install(
        "dry-run",
        validating("pure.skiff.dev", url("/dry"))
            .withSideEffects("None")
            .withRules(rule("CREATE", "configmaps").build())
            .withNamespaceSelector(testNamespaces(test).build())
            .build(),
        validating("effects.skiff.dev", url("/dry"))
            .withSideEffects("Some")
            .withRules(rule("CREATE", "secrets").build())
            .withNamespaceSelector(testNamespaces(test).build())
            .build());

    assertThat(admin().configMaps().inNamespace(test).resource(configMap("dry")).dryRun().create())
        .isNotNull();
    JsonNode request = webhook.received("/dry").getLast().path("request");
    assertThat(request.path("dryRun").asBoolean()).isTrue();
    assertThat(request.path("options").path("dryRun").toString()).isEqualTo("[\"All\"]");
    assertThat(admin().configMaps().inNamespace(test).withName("dry").get()).isNull();

    int calls = webhook.received("/dry").size();
    KubernetesClientException refused =
        refused(
            () ->
                admin()
                    .secrets()
                    .inNamespace(test)
                    .resource(
                        new io.fabric8.kubernetes.api.model.SecretBuilder()
                            .withNewMetadata()
                            .withName("dry")
                            .endMetadata()
                            .build())
                    .dryRun()
                    .create());
    assertThat(refused.getCode()).isEqualTo(400);
    assertThat(refused.getStatus().getMessage())
        .isEqualTo("admission webhook \"effects.skiff.dev\" does not support dry run");
    assertThat(webhook.received("/dry")).hasSize(calls);
  }

  @Test
  void serviceReferenceReachesAnEndpointAndChecksTheServiceName() {
    String test = "svc-ref";
    namespace(test, Map.of());
    admin()
        .services()
        .inNamespace(test)
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName("webhook")
                .endMetadata()
                .withNewSpec()
                .addNewPort()
                .withName("https")
                .withPort(443)
                .endPort()
                .endSpec()
                .build())
        .create();
    admin()
        .endpoints()
        .inNamespace(test)
        .resource(
            new EndpointsBuilder()
                .withNewMetadata()
                .withName("webhook")
                .endMetadata()
                .addNewSubset()
                .addNewAddress()
                .withIp("127.0.0.1")
                .endAddress()
                .addNewPort()
                .withName("https")
                .withPort(webhook.port())
                .endPort()
                .endSubset()
                .build())
        .create();
    webhook.answer(
        "/by-service",
        request -> {
          ObjectNode status = Json.object();
          status.put("message", "reached through the service");
          return FakeWebhookServer.deny(request, status);
        });
    install(
        "by-service",
        validating(
                "service.skiff.dev",
                new WebhookClientConfigBuilder()
                    .withNewService()
                    .withNamespace(test)
                    .withName("webhook")
                    .withPath("/by-service")
                    .endService()
                    .withCaBundle(webhook.caBundle())
                    .build())
            .withRules(rule("CREATE", "configmaps").build())
            .withNamespaceSelector(testNamespaces(test).build())
            .build());

    assertThat(
            refused(() -> admin().configMaps().inNamespace(test).resource(configMap("c")).create())
                .getStatus()
                .getMessage())
        .endsWith(
            "admission webhook \"service.skiff.dev\" denied the request: reached through the service");
  }

  @Test
  void theServingCertificateMustChainToTheCaBundle() throws Exception {
    String test = "wh-tls";
    namespace(test, Map.of());
    Path otherDir = pkiDir.resolve("other");
    String otherCa =
        java.util.Base64.getEncoder()
            .encodeToString(
                ClusterPki.loadOrCreate(otherDir, List.of()).caCertificatePem().getBytes());
    webhook.answer("/tls", FakeWebhookServer::allow);
    install(
        "wrong-ca",
        validating(
                "tls.skiff.dev",
                new WebhookClientConfigBuilder()
                    .withUrl(webhook.url("/tls"))
                    .withCaBundle(otherCa)
                    .build())
            .withRules(rule("CREATE", "configmaps").build())
            .withNamespaceSelector(testNamespaces(test).build())
            .build());

    KubernetesClientException failed =
        refused(() -> admin().configMaps().inNamespace(test).resource(configMap("c")).create());
    assertThat(failed.getCode()).isEqualTo(500);
    assertThat(failed.getStatus().getMessage())
        .endsWith(
            ": tls: failed to verify certificate: x509: certificate signed by unknown authority");
    assertThat(webhook.received("/tls")).isEmpty();
  }

  @Test
  void webhookConfigurationsAreNotSentToWebhooks() throws IOException {
    int port = closedPort();
    install(
        "lockout",
        validating(
                "everything.skiff.dev",
                new WebhookClientConfigBuilder()
                    .withUrl("https://127.0.0.1:" + port + "/")
                    .withCaBundle(webhook.caBundle())
                    .build())
            .withRules(
                new RuleWithOperationsBuilder()
                    .withOperations("*")
                    .withApiGroups("*")
                    .withApiVersions("*")
                    .withResources("*/*")
                    .build())
            .build());

    // everything else fails closed, but the configuration itself can still be removed
    assertThat(
            refused(
                    () ->
                        admin()
                            .configMaps()
                            .inNamespace("default")
                            .resource(configMap("x"))
                            .create())
                .getCode())
        .isEqualTo(500);
    admin()
        .admissionRegistration()
        .v1()
        .validatingWebhookConfigurations()
        .withName("lockout")
        .delete();
    awaitWebhooks();
    assertThat(admin().configMaps().inNamespace("default").resource(configMap("x")).create())
        .isNotNull();
  }

  private static io.fabric8.kubernetes.api.model.admissionregistration.v1.MatchCondition condition(
      String name, String expression) {
    return new io.fabric8.kubernetes.api.model.admissionregistration.v1.MatchConditionBuilder()
        .withName(name)
        .withExpression(expression)
        .build();
  }

  /** A response whose JSONPatch sets the label {@code key=value} on the request's object. */
  private static ObjectNode labelled(JsonNode request, String key, String value) {
    ObjectNode response = FakeWebhookServer.allow(request);
    boolean hasLabels = request.path("object").path("metadata").has("labels");
    ObjectNode operation = Json.object().put("op", "add");
    if (hasLabels) {
      operation.put("path", "/metadata/labels/" + key).put("value", value);
    } else {
      operation.put("path", "/metadata/labels").set("value", Json.object().put(key, value));
    }
    response.put("patchType", "JSONPatch");
    response.put(
        "patch",
        java.util.Base64.getEncoder()
            .encodeToString(Json.bytes(Json.MAPPER.createArrayNode().add(operation))));
    return response;
  }

  private static ObjectNode refusal(JsonNode request) {
    return FakeWebhookServer.deny(
        request, Json.object().put("code", 403).put("message", "no configmaps here"));
  }

  @Test
  void matchConditionsSkipTheWebhookForObjectsWithALabel() {
    String test = "wh-match-label";
    namespace(test, Map.of());
    webhook.answer("/match-label", AdmissionWebhookTest::refusal);
    install(
        "match-label",
        validating("match-label.skiff.dev", url("/match-label"))
            .withRules(rule("CREATE", "configmaps").build())
            .withNamespaceSelector(testNamespaces(test).build())
            .withMatchConditions(
                condition(
                    "not-opted-out",
                    "!has(object.metadata.labels) || !('skip-webhook' in object.metadata.labels)"),
                condition("this-namespace", "request.namespace == '" + test + "'"))
            .build());

    ConfigMap optedOut = configMap("opted-out");
    optedOut.getMetadata().setLabels(Map.of("skip-webhook", "yes"));
    assertThat(admin().configMaps().inNamespace(test).resource(optedOut).create()).isNotNull();
    assertThat(webhook.received("/match-label")).isEmpty();

    KubernetesClientException denied =
        refused(
            () -> admin().configMaps().inNamespace(test).resource(configMap("checked")).create());
    assertThat(denied.getCode()).isEqualTo(403);
    assertThat(denied.getStatus().getMessage())
        .isEqualTo(
            "configmaps \"checked\" is forbidden: admission webhook \"match-label.skiff.dev\""
                + " denied the request: no configmaps here");
    assertThat(webhook.received("/match-label")).hasSize(1);
  }

  @Test
  void aMatchConditionThatFailsToEvaluateFollowsTheFailurePolicy() {
    String failing = "wh-match-error-fail";
    String ignoring = "wh-match-error-ignore";
    namespace(failing, Map.of());
    namespace(ignoring, Map.of());
    webhook.answer("/match-error", AdmissionWebhookTest::refusal);
    String expression = "object.metadata.labels['team'] == 'a'";
    install(
        "match-error",
        validating("fail.match-error.skiff.dev", url("/match-error"))
            .withFailurePolicy("Fail")
            .withRules(rule("CREATE", "configmaps").build())
            .withNamespaceSelector(testNamespaces(failing).build())
            .withMatchConditions(condition("team-a", expression))
            .build(),
        validating("ignore.match-error.skiff.dev", url("/match-error"))
            .withFailurePolicy("Ignore")
            .withRules(rule("CREATE", "configmaps").build())
            .withNamespaceSelector(testNamespaces(ignoring).build())
            .withMatchConditions(condition("team-a", expression))
            .build());

    // the object has no labels: the expression fails, so Fail refuses and Ignore skips the webhook
    KubernetesClientException failed =
        refused(() -> admin().configMaps().inNamespace(failing).resource(configMap("cm")).create());
    assertThat(failed.getCode()).isEqualTo(500);
    assertThat(failed.getStatus().getReason()).isEqualTo("InternalError");
    assertThat(failed.getStatus().getMessage())
        .isEqualTo(
            "Internal error occurred: expression '"
                + expression
                + "' resulted in error: no such key: labels");
    assertThat(admin().configMaps().inNamespace(failing).withName("cm").get()).isNull();

    assertThat(admin().configMaps().inNamespace(ignoring).resource(configMap("cm")).create())
        .isNotNull();
    assertThat(webhook.received("/match-error")).isEmpty();

    // once the expression evaluates (to true), the webhook is called and refuses
    ConfigMap teamA = configMap("team-a");
    teamA.getMetadata().setLabels(Map.of("team", "a"));
    assertThat(refused(() -> admin().configMaps().inNamespace(failing).resource(teamA).create()))
        .extracting(KubernetesClientException::getCode)
        .isEqualTo(403);
    assertThat(webhook.received("/match-error")).hasSize(1);
  }

  @Test
  void anIfNeededWebhookIsCalledAgainWhenALaterWebhookChangedTheObject() {
    String test = "wh-reinvoke";
    namespace(test, Map.of());
    // "first" records whether it saw the second webhook's label; "second" adds that label
    webhook.answer(
        "/reinvoke-first",
        request ->
            labelled(
                request,
                "first",
                request.path("object").path("metadata").path("labels").has("second")
                    ? "saw-second"
                    : "alone"));
    webhook.answer("/reinvoke-second", request -> labelled(request, "second", "added"));
    install(
        "reinvoke",
        new MutatingWebhookBuilder()
            .withName("first.reinvoke.skiff.dev")
            .withClientConfig(url("/reinvoke-first"))
            .withRules(rule("CREATE", "configmaps").build())
            .withNamespaceSelector(testNamespaces(test).build())
            .withSideEffects("None")
            .withAdmissionReviewVersions("v1")
            .withReinvocationPolicy("IfNeeded")
            .build(),
        new MutatingWebhookBuilder()
            .withName("second.reinvoke.skiff.dev")
            .withClientConfig(url("/reinvoke-second"))
            .withRules(rule("CREATE", "configmaps").build())
            .withNamespaceSelector(testNamespaces(test).build())
            .withMatchConditions(
                condition(
                    "not-opted-out",
                    "!has(object.metadata.labels) || !('no-second' in object.metadata.labels)"))
            .withSideEffects("None")
            .withAdmissionReviewVersions("v1")
            .withReinvocationPolicy("Never")
            .build());

    ConfigMap created =
        admin().configMaps().inNamespace(test).resource(configMap("reinvoked")).create();
    assertThat(created.getMetadata().getLabels())
        .containsEntry("first", "saw-second")
        .containsEntry("second", "added");
    assertThat(webhook.received("/reinvoke-first")).hasSize(2);
    assertThat(webhook.received("/reinvoke-second")).hasSize(1);
    assertThat(
            webhook
                .received("/reinvoke-first")
                .getLast()
                .path("request")
                .path("object")
                .path("metadata")
                .path("labels")
                .path("first")
                .asString())
        .isEqualTo("alone");

    // when the second webhook is skipped nothing changes after the first: it is called once
    ConfigMap alone = configMap("alone");
    alone.getMetadata().setLabels(Map.of("no-second", "yes"));
    assertThat(
            admin()
                .configMaps()
                .inNamespace(test)
                .resource(alone)
                .create()
                .getMetadata()
                .getLabels())
        .containsEntry("first", "alone")
        .doesNotContainKey("second");
    assertThat(webhook.received("/reinvoke-first")).hasSize(3);
    assertThat(webhook.received("/reinvoke-second")).hasSize(1);
  }

  @Test
  void aBuiltInPluginsChangeInTheSecondRoundReinvokesIfNeededWebhooks() {
    String test = "wh-reinvoke-builtin";
    namespace(test, Map.of());
    // "strip" removes the tolerations DefaultTolerationSeconds added; "observer", after it, looks
    webhook.answer(
        "/builtin-strip",
        request -> {
          ObjectNode response = FakeWebhookServer.allow(request);
          String patch = "[{\"op\":\"remove\",\"path\":\"/spec/tolerations\"}]";
          response.put("patchType", "JSONPatch");
          response.put("patch", java.util.Base64.getEncoder().encodeToString(patch.getBytes()));
          return response;
        });
    webhook.answer("/builtin-observer", FakeWebhookServer::allow);
    install(
        "reinvoke-builtin",
        new MutatingWebhookBuilder()
            .withName("strip.reinvoke-builtin.skiff.dev")
            .withClientConfig(url("/builtin-strip"))
            .withRules(rule("CREATE", "pods").build())
            .withNamespaceSelector(testNamespaces(test).build())
            .withSideEffects("None")
            .withAdmissionReviewVersions("v1")
            .withReinvocationPolicy("Never")
            .build(),
        new MutatingWebhookBuilder()
            .withName("observer.reinvoke-builtin.skiff.dev")
            .withClientConfig(url("/builtin-observer"))
            .withRules(rule("CREATE", "pods").build())
            .withNamespaceSelector(testNamespaces(test).build())
            .withSideEffects("None")
            .withAdmissionReviewVersions("v1")
            .withReinvocationPolicy("IfNeeded")
            .build());

    var pod =
        new io.fabric8.kubernetes.api.model.PodBuilder()
            .withNewMetadata()
            .withName("stripped")
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("app")
            .withImage("busybox")
            .endContainer()
            .endSpec()
            .build();
    var created = admin().pods().inNamespace(test).resource(pod).create();

    // the webhook's change made every mutating plugin run again: DefaultTolerationSeconds put the
    // tolerations back, after the observer had run, so the observer was called again and saw them
    assertThat(created.getSpec().getTolerations())
        .extracting(io.fabric8.kubernetes.api.model.Toleration::getKey)
        .containsExactly("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable");
    assertThat(webhook.received("/builtin-strip")).hasSize(1);
    List<JsonNode> observed = webhook.received("/builtin-observer");
    assertThat(observed).hasSize(2);
    assertThat(observed.getFirst().path("request").path("object").path("spec").has("tolerations"))
        .isFalse();
    assertThat(observed.getLast().path("request").path("object").path("spec").path("tolerations"))
        .hasSize(2);
  }
}
