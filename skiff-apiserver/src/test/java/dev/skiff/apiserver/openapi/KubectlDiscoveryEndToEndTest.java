package dev.skiff.apiserver.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.catalog.ResourceCatalog;
import dev.skiff.apiserver.componentstatus.ComponentStatusHandler;
import dev.skiff.apiserver.componentstatus.HealthResult;
import dev.skiff.apiserver.discovery.DiscoveryHandler;
import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.ApiHandler;
import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.http.ApiResponse;
import dev.skiff.apiserver.pki.ClusterPki;
import dev.skiff.apiserver.pki.KubeconfigWriter;
import dev.skiff.apiserver.server.ApiServer;
import dev.skiff.apiserver.server.ApiServerOptions;
import dev.skiff.apiserver.server.HealthChecks;
import dev.skiff.apiserver.server.ServerTls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real kubectl against the real transport serving discovery, OpenAPI and componentstatuses:
 * what kubectl needs before any resource exists.
 */
class KubectlDiscoveryEndToEndTest {
  @TempDir static Path dataDir;

  private static final Map<String, byte[]> STORED = new java.util.concurrent.ConcurrentHashMap<>();
  private static final List<String> PATCHES = new java.util.concurrent.CopyOnWriteArrayList<>();
  private static ApiServer server;
  private static Path kubeconfig;

  @BeforeAll
  static void start() {
    ClusterPki pki = ClusterPki.loadOrCreate(dataDir, List.of());
    Supplier<ResourceCatalog> catalog = ResourceCatalog::builtIn;
    Map<String, Supplier<HealthResult>> probes = new LinkedHashMap<>();
    probes.put("scheduler", () -> HealthResult.healthy("ok"));
    probes.put("etcd-0", () -> HealthResult.unhealthy("dial tcp 127.0.0.1:2379: refused"));
    DiscoveryHandler discovery = new DiscoveryHandler(catalog, () -> "127.0.0.1:6443");
    OpenApiHandler openApi = new OpenApiHandler(catalog, "v1.32.0");
    ComponentStatusHandler componentStatuses = new ComponentStatusHandler(probes);
    ApiHandler router = request -> route(request, discovery, openApi, componentStatuses);
    server =
        new ApiServer(
            new ApiServerOptions("127.0.0.1", 0),
            ServerTls.fromPki(pki),
            router,
            new HealthChecks());
    server.start();
    kubeconfig = dataDir.resolve("admin.kubeconfig");
    KubeconfigWriter.writeAdmin(kubeconfig, "https://127.0.0.1:" + server.port(), pki);
  }

  private static ApiResponse route(
      ApiRequest request,
      DiscoveryHandler discovery,
      OpenApiHandler openApi,
      ComponentStatusHandler componentStatuses) {
    if (DiscoveryHandler.handles(request.path())) {
      return discovery.handle(request);
    }
    if (OpenApiHandler.handles(request.path())) {
      return openApi.handle(request);
    }
    if (ComponentStatusHandler.handles(request.path())) {
      return componentStatuses.handle(request);
    }
    // Stand-ins for the registry, for the few requests the tests below make.
    String deployments = "/apis/apps/v1/namespaces/default/deployments";
    if (request.method().equals("POST") && request.path().equals(deployments)) {
      String name =
          dev.skiff.api.Json.parseObject(request.body()).at("/metadata/name").asString("");
      STORED.put(name, request.body());
      return new ApiResponse.Full(201, "application/json", request.body());
    }
    if (request.path().startsWith(deployments + "/")) {
      String name = request.path().substring(deployments.length() + 1);
      byte[] stored = STORED.get(name);
      if (stored == null) {
        throw ApiException.notFound("apps", "deployments", name);
      }
      if (request.method().equals("PATCH")) {
        PATCHES.add(
            request.header("content-type")
                + " "
                + new String(request.body(), StandardCharsets.UTF_8));
      }
      return new ApiResponse.Full(200, "application/json", stored);
    }
    throw new ApiException(
        404,
        "NotFound",
        "the server could not find the requested resource",
        new ApiException.Details(null, null, null, null, null));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  record Result(int exitCode, String stdout, String stderr) {}

  static Result kubectl(String... args) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                "kubectl",
                "--kubeconfig",
                kubeconfig.toString(),
                "--cache-dir",
                dataDir.resolve("cache").toString()));
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command).redirectError(dataDir.resolve("stderr.txt").toFile()).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String err = java.nio.file.Files.readString(dataDir.resolve("stderr.txt"));
    return new Result(process.exitValue(), out, err);
  }

  @Test
  void explainPodContainers() throws Exception {
    Result result = kubectl("explain", "pod.spec.containers");

    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(result.stdout())
        .contains("KIND:       Pod")
        .contains("VERSION:    v1")
        .contains("FIELD: containers <[]Container>")
        .contains("image\t<string>")
        .contains("name\t<string> -required-")
        .contains("ports\t<[]ContainerPort>")
        .contains("resources\t<ResourceRequirements>");
  }

  @Test
  void explainWithTheSwaggerDocument() throws Exception {
    Result result = kubectl("explain", "pod.spec.containers", "--output=plaintext-openapiv2");

    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(result.stdout())
        .contains("KIND:     Pod")
        .contains("RESOURCE: containers <[]Object>")
        .contains("image\t<string>");
  }

  @Test
  void explainDeploymentStrategy() throws Exception {
    Result result = kubectl("explain", "deployment.spec.strategy");

    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(result.stdout())
        .contains("GROUP:      apps")
        .contains("KIND:       Deployment")
        .contains("FIELD: strategy <DeploymentStrategy>")
        .contains("rollingUpdate\t<RollingUpdateDeployment>")
        .contains("type\t<string>");
  }

  @Test
  void createValidatesOnTheServerBecauseOpenApiAdvertisesFieldValidation() throws Exception {
    Path manifest = dataDir.resolve("deployment.yaml");
    java.nio.file.Files.writeString(
        manifest,
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: default
        spec:
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: web
                image: nginx
        """);

    Result result = kubectl("create", "-f", manifest.toString());

    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(result.stdout()).contains("deployment.apps/web created");
  }

  @Test
  void applyComputesAStrategicMergePatchFromTheOpenApiV3Document() throws Exception {
    Path manifest = dataDir.resolve("apply.yaml");
    String template =
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: api
          namespace: default
        spec:
          selector:
            matchLabels: {app: api}
          template:
            metadata:
              labels: {app: api}
            spec:
              containers:
              %s
        """;
    java.nio.file.Files.writeString(
        manifest, template.formatted("- {name: api, image: 'nginx:1.26'}"));
    Result created = kubectl("apply", "-f", manifest.toString());
    assertThat(created.exitCode()).as(created.stderr()).isZero();
    java.nio.file.Files.writeString(
        manifest,
        template.formatted(
            "- {name: api, image: 'nginx:1.27'}\n      - {name: log, image: busybox}"));

    Result applied = kubectl("apply", "-f", manifest.toString(), "-v=6");

    assertThat(applied.exitCode()).as(applied.stderr()).isZero();
    assertThat(applied.stderr())
        .contains("/openapi/v3/apis/apps/v1?hash=")
        .doesNotContain("OpenAPI V3");
    assertThat(PATCHES).hasSize(1);
    assertThat(PATCHES.get(0))
        .startsWith("application/strategic-merge-patch+json ")
        .contains("\"$setElementOrder/containers\":[{\"name\":\"api\"},{\"name\":\"log\"}]");
  }

  @Test
  void apiResourcesListsTheCatalog() throws Exception {
    Result result = kubectl("api-resources", "--no-headers");

    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(
            result.stdout().lines().map(l -> l.trim().split("\\s+")).map(p -> String.join(" ", p)))
        .contains(
            "pods po v1 true Pod",
            "deployments deploy apps/v1 true Deployment",
            "horizontalpodautoscalers hpa autoscaling/v2 true HorizontalPodAutoscaler",
            "customresourcedefinitions crd,crds apiextensions.k8s.io/v1 false CustomResourceDefinition");
  }

  @Test
  void apiVersionsListsPreferredAndOtherVersions() throws Exception {
    Result result = kubectl("api-versions");

    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(result.stdout().lines())
        .contains("v1", "apps/v1", "autoscaling/v1", "autoscaling/v2", "events.k8s.io/v1");
  }

  @Test
  void getComponentStatuses() throws Exception {
    Result result = kubectl("get", "componentstatuses");

    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(result.stderr()).contains("Warning: v1 ComponentStatus is deprecated in v1.19+");
    assertThat(
            result.stdout().lines().map(l -> l.trim().split("\\s+")).map(p -> String.join(" ", p)))
        .containsExactly(
            "NAME STATUS MESSAGE ERROR",
            "scheduler Healthy ok",
            "etcd-0 Unhealthy dial tcp 127.0.0.1:2379: refused");
  }
}
