package dev.skiff.api.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.api.ResourceType;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Version;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

class ResourceCatalogTest {
  private final ResourceCatalog catalog = ResourceCatalog.builtIn();

  /** One row of {@code kubectl api-resources -o wide}. */
  record ApiResourceRow(
      String name,
      List<String> shortNames,
      String apiVersion,
      boolean namespaced,
      String kind,
      List<String> verbs,
      List<String> categories) {}

  private static List<ApiResourceRow> kubernetesRows() throws Exception {
    List<ApiResourceRow> rows = new ArrayList<>();
    try (var in =
        new BufferedReader(
            new InputStreamReader(
                Objects.requireNonNull(
                    ResourceCatalogTest.class.getResourceAsStream("api-resources-1.32.txt")),
                StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.startsWith("#") || line.isBlank()) {
          continue;
        }
        String[] f = line.trim().split(" +");
        rows.add(
            new ApiResourceRow(
                f[0], list(f[1]), f[2], Boolean.parseBoolean(f[3]), f[4], list(f[5]), list(f[6])));
      }
    }
    return rows;
  }

  private static List<String> list(String column) {
    return column.equals("-") ? List.of() : Arrays.asList(column.split(","));
  }

  /** What kubectl lists: the resources of each group's preferred version. */
  private List<ApiResourceRow> catalogRows() {
    List<ApiResourceRow> rows = new ArrayList<>();
    for (GroupVersions g : catalog.groups()) {
      for (ResourceType t : catalog.resources(g.group(), g.preferredVersion())) {
        rows.add(
            new ApiResourceRow(
                t.plural(),
                t.shortNames(),
                t.apiVersion(),
                t.namespaced(),
                t.kind(),
                t.verbs(),
                t.categories()));
      }
    }
    return rows;
  }

  @Test
  void apiResourcesMatchKubernetes132() throws Exception {
    assertThat(catalogRows()).containsExactlyInAnyOrderElementsOf(kubernetesRows());
  }

  @Test
  void namedGroupsFollowKubernetesDiscoveryOrder() {
    assertThat(catalog.namedGroups())
        .extracting(GroupVersions::group)
        .containsExactly(
            "apps",
            "events.k8s.io",
            "authentication.k8s.io",
            "authorization.k8s.io",
            "autoscaling",
            "batch",
            "certificates.k8s.io",
            "networking.k8s.io",
            "policy",
            "rbac.authorization.k8s.io",
            "storage.k8s.io",
            "admissionregistration.k8s.io",
            "apiextensions.k8s.io",
            "scheduling.k8s.io",
            "coordination.k8s.io",
            "node.k8s.io",
            "discovery.k8s.io");
    assertThat(catalog.groups().get(0)).isEqualTo(new GroupVersions("", List.of("v1")));
    assertThat(catalog.group("autoscaling").orElseThrow().versions()).containsExactly("v2", "v1");
  }

  @Test
  void everyServedGroupVersionIsListedAndEveryListedOneServesSomething() {
    for (ResourceType t : catalog.all()) {
      assertThat(catalog.group(t.group()).orElseThrow().versions()).contains(t.version());
    }
    for (GroupVersions g : catalog.groups()) {
      for (String v : g.versions()) {
        assertThat(catalog.resources(g.group(), v)).as(g.groupVersion(v)).isNotEmpty();
      }
    }
  }

  @Test
  void podHasKubernetesSubresourcesWithTheirVerbsAndKinds() {
    ResourceType pods = catalog.find("", "v1", "pods").orElseThrow();
    assertThat(pods.subresources())
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
    assertThat(catalog.subresource(pods, "eviction"))
        .contains(new Subresource("eviction", "policy", "v1", "Eviction", List.of("create")));
    assertThat(catalog.subresource(pods, "exec").orElseThrow().verbs())
        .containsExactly("create", "get");
    assertThat(catalog.subresource(pods, "log").orElseThrow().verbs()).containsExactly("get");
    assertThat(catalog.subresource(pods, "status").orElseThrow().verbs())
        .containsExactly("get", "patch", "update");
    assertThat(catalog.subresource(pods, "proxy").orElseThrow().verbs())
        .containsExactly("create", "delete", "get", "patch", "update");
    assertThat(catalog.subresource(pods, "nope")).isEmpty();
  }

  @Test
  void subresourcesOfOtherResources() {
    assertThat(subresourceNames("apps", "v1", "deployments")).containsExactly("scale", "status");
    assertThat(subresourceNames("", "v1", "nodes")).containsExactly("proxy", "status");
    assertThat(subresourceNames("", "v1", "services")).containsExactly("proxy", "status");
    assertThat(subresourceNames("", "v1", "serviceaccounts")).containsExactly("token");
    assertThat(subresourceNames("", "v1", "namespaces")).containsExactly("finalize", "status");
    assertThat(subresourceNames("", "v1", "replicationcontrollers"))
        .containsExactly("scale", "status");
    assertThat(subresourceNames("certificates.k8s.io", "v1", "certificatesigningrequests"))
        .containsExactly("approval", "status");
    assertThat(subresourceNames("", "v1", "configmaps")).isEmpty();
    ResourceType deployments = catalog.find("apps", "v1", "deployments").orElseThrow();
    assertThat(catalog.subresource(deployments, "scale"))
        .contains(
            new Subresource(
                "scale", "autoscaling", "v1", "Scale", List.of("get", "patch", "update")));
    ResourceType sa = catalog.find("", "v1", "serviceaccounts").orElseThrow();
    assertThat(catalog.subresource(sa, "token").orElseThrow().kind()).isEqualTo("TokenRequest");
    ResourceType ns = catalog.find("", "v1", "namespaces").orElseThrow();
    assertThat(catalog.subresource(ns, "finalize").orElseThrow().verbs()).containsExactly("update");
  }

  private List<String> subresourceNames(String group, String version, String plural) {
    return catalog.subresources(catalog.find(group, version, plural).orElseThrow()).stream()
        .map(Subresource::name)
        .toList();
  }

  @Test
  void horizontalPodAutoscalersAreServedInBothVersionsAndStoredAsV2() {
    ResourceType v1 = catalog.find("autoscaling", "v1", "horizontalpodautoscalers").orElseThrow();
    ResourceType v2 = catalog.find("autoscaling", "v2", "horizontalpodautoscalers").orElseThrow();
    assertThat(v1.storageVersion()).isEqualTo("v2");
    assertThat(v2.storageVersion()).isEqualTo("v2");
    assertThat(v1.keyPrefix()).isEqualTo(v2.keyPrefix());
    assertThat(catalog.modelClass(v1))
        .contains(io.fabric8.kubernetes.api.model.autoscaling.v1.HorizontalPodAutoscaler.class);
    assertThat(catalog.modelClass(v2))
        .contains(io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler.class);
    assertThat(
            catalog.all().stream()
                .filter(t -> !t.plural().equals("horizontalpodautoscalers"))
                .allMatch(t -> t.storageVersion().equals(t.version())))
        .isTrue();
  }

  @Test
  void storageTypesFollowStorageVersionsAndCohabitingEvents() {
    ResourceType hpaV1 =
        catalog.find("autoscaling", "v1", "horizontalpodautoscalers").orElseThrow();
    assertThat(catalog.storageType(hpaV1).version()).isEqualTo("v2");
    ResourceType events = catalog.find("events.k8s.io", "v1", "events").orElseThrow();
    assertThat(catalog.storageType(events))
        .isEqualTo(catalog.find("", "v1", "events").orElseThrow());
    ResourceType pods = catalog.find("", "v1", "pods").orElseThrow();
    assertThat(catalog.storageType(pods)).isSameAs(pods);
  }

  @Test
  void storageVersionHashesAreKubernetes() {
    assertThat(catalog.storageVersionHash(catalog.find("", "v1", "pods").orElseThrow()))
        .isEqualTo("xPOwRZ+Yhw8=");
    assertThat(catalog.storageVersionHash(catalog.find("apps", "v1", "deployments").orElseThrow()))
        .isEqualTo("8aSe+NMegvE=");
    ResourceType hpaV1 =
        catalog.find("autoscaling", "v1", "horizontalpodautoscalers").orElseThrow();
    ResourceType hpaV2 =
        catalog.find("autoscaling", "v2", "horizontalpodautoscalers").orElseThrow();
    assertThat(catalog.storageVersionHash(hpaV1)).isEqualTo(catalog.storageVersionHash(hpaV2));
  }

  @Test
  void findsByKindAndByKubectlNames() {
    assertThat(catalog.findByKind("apps", "v1", "Deployment"))
        .map(ResourceType::plural)
        .contains("deployments");
    assertThat(catalog.findByKind("", "v1", "Deployment")).isEmpty();
    assertThat(catalog.find("", "v1", "deployments")).isEmpty();
    assertThat(catalog.resolve("apps", "deploy")).map(ResourceType::plural).contains("deployments");
    assertThat(catalog.resolve("", "PO")).map(ResourceType::plural).contains("pods");
    assertThat(catalog.resolve("", "pod")).map(ResourceType::plural).contains("pods");
    assertThat(catalog.resolve("autoscaling", "hpa")).map(ResourceType::version).contains("v2");
    assertThat(catalog.resolve("nope", "pods")).isEmpty();
  }

  @Test
  void everyBuiltInHasTheMatchingFabric8Model() {
    for (ResourceType t : catalog.all()) {
      Class<?> model = catalog.modelClass(t).orElseThrow(() -> new AssertionError(t.plural()));
      assertThat(model.getSimpleName()).as(t.plural()).isEqualTo(t.kind());
      assertThat(model.getAnnotation(Version.class).value()).as(t.plural()).isEqualTo(t.version());
      Group group = model.getAnnotation(Group.class);
      assertThat(group == null ? "" : group.value()).as(t.plural()).isEqualTo(t.group());
    }
    assertThat(catalog.modelClass(catalog.find("", "v1", "pods").orElseThrow()))
        .contains(Pod.class);
    assertThat(catalog.modelClass(catalog.find("apps", "v1", "deployments").orElseThrow()))
        .contains(Deployment.class);
  }

  @Test
  void singularIsTheLowerCaseKind() {
    assertThat(catalog.find("", "v1", "endpoints").orElseThrow().singular()).isEqualTo("endpoints");
    assertThat(catalog.find("", "v1", "pods").orElseThrow().singular()).isEqualTo("pod");
  }

  private static ResourceType widget(String version) {
    return new ResourceType(
        "example.com",
        version,
        "Widget",
        "widgets",
        "widget",
        true,
        List.of("wd"),
        List.of("all"),
        BuiltInResources.ALL_VERBS,
        List.of("scale", "status"),
        "v1");
  }

  @Test
  void customTypesAreAddedInANewCatalogAfterTheBuiltInGroups() {
    ResourceCatalog withWidgets =
        catalog.withTypes(List.of(widget("v1beta1"), widget("v1"), widget("v1alpha1")));
    assertThat(catalog.find("example.com", "v1", "widgets")).isEmpty();
    ResourceType v1 = withWidgets.find("example.com", "v1", "widgets").orElseThrow();
    assertThat(withWidgets.modelClass(v1)).isEmpty();
    assertThat(withWidgets.subresource(v1, "status").orElseThrow().kind()).isEqualTo("Widget");
    assertThat(withWidgets.subresource(v1, "scale").orElseThrow().kind()).isEqualTo("Scale");
    assertThat(withWidgets.groups().getLast())
        .isEqualTo(new GroupVersions("example.com", List.of("v1", "v1beta1", "v1alpha1")));
    ResourceCatalog more =
        withWidgets.withTypes(
            List.of(
                new ResourceType(
                    "a.example.org",
                    "v1",
                    "Gadget",
                    "gadgets",
                    "gadget",
                    false,
                    List.of(),
                    List.of(),
                    BuiltInResources.ALL_VERBS,
                    List.of(),
                    "v1")));
    assertThat(more.namedGroups().stream().map(GroupVersions::group).toList())
        .endsWith("discovery.k8s.io", "a.example.org", "example.com");
    assertThat(more.all().getLast().group()).isEqualTo("example.com");
    assertThat(more.modelClass(more.find("", "v1", "pods").orElseThrow())).contains(Pod.class);

    ResourceCatalog removed = more.withoutResource("example.com", "widgets");
    assertThat(removed.find("example.com", "v1", "widgets")).isEmpty();
    assertThat(removed.group("example.com")).isEmpty();
    assertThat(removed.all()).hasSize(catalog.all().size() + 1);
  }

  @Test
  void verbListsFollowDiscoveryOrder() {
    assertThat(ResourceCatalog.STANDARD_VERBS)
        .isEqualTo(catalog.find("", "v1", "configmaps").orElseThrow().verbs());
    assertThat(String.join(",", ResourceCatalog.CUSTOM_RESOURCE_VERBS))
        .isEqualTo("delete,deletecollection,get,list,patch,create,update,watch");
  }

  @Test
  void replacingACustomTypeKeepsOneEntry() {
    ResourceCatalog once = catalog.withTypes(List.of(widget("v1")));
    ResourceType namespacedLess =
        new ResourceType(
            "example.com",
            "v1",
            "Widget",
            "widgets",
            "widget",
            false,
            List.of(),
            List.of(),
            BuiltInResources.ALL_VERBS,
            List.of(),
            "v1");
    ResourceCatalog twice = once.withTypes(List.of(namespacedLess));
    assertThat(twice.all()).hasSize(catalog.all().size() + 1);
    assertThat(twice.find("example.com", "v1", "widgets").orElseThrow().namespaced()).isFalse();
    assertThat(twice.subresources(namespacedLess)).isEmpty();
  }

  @Test
  void builtInResourcesCannotBeRemovedAndUnknownSubresourcesAreRejected() {
    assertThatThrownBy(() -> catalog.withoutResource("", "pods"))
        .isInstanceOf(IllegalArgumentException.class);
    ResourceType bad =
        new ResourceType(
            "example.com",
            "v1",
            "Widget",
            "widgets",
            "widget",
            true,
            List.of(),
            List.of(),
            BuiltInResources.ALL_VERBS,
            List.of("exec"),
            "v1");
    assertThatThrownBy(() -> catalog.withTypes(List.of(bad)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exec");
  }
}
