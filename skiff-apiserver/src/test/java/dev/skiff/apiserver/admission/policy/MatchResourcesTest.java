package dev.skiff.apiserver.admission.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.Json;
import dev.skiff.api.ResourceType;
import dev.skiff.api.catalog.ResourceCatalog;
import dev.skiff.apiserver.admission.AdmissionRequest;
import dev.skiff.apiserver.admission.AdmissionRequest.Operation;
import dev.skiff.apiserver.http.UserInfo;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.node.ObjectNode;

/** matchConstraints / matchResources against requests, without a server. */
class MatchResourcesTest {
  private static final ResourceCatalog CATALOG = ResourceCatalog.builtIn();

  private static ResourceType type(String group, String version, String plural) {
    return CATALOG.find(group, version, plural).orElseThrow();
  }

  private static ObjectNode object(String json) {
    return (ObjectNode) Json.MAPPER.readTree(json);
  }

  private static AdmissionRequest request(
      Operation operation, ResourceType type, String subresource, String namespace, String name) {
    ObjectNode object =
        object("{\"metadata\":{\"name\":\"" + name + "\",\"labels\":{\"app\":\"web\"}}}");
    return new AdmissionRequest(
        operation,
        type,
        subresource,
        namespace,
        name,
        operation == Operation.DELETE ? null : object,
        operation == Operation.CREATE ? null : object,
        new UserInfo("jane", "", List.of(), Map.of()),
        false);
  }

  private static boolean matches(String match, AdmissionRequest request, Map<String, String> ns) {
    List<String> versions =
        CATALOG.all().stream()
            .filter(t -> t.group().equals(request.group()) && t.plural().equals(request.resource()))
            .map(ResourceType::version)
            .toList();
    return MatchResources.of(object(match)).matches(request, () -> ns, versions);
  }

  private static final String DEPLOYMENTS =
      """
      {"resourceRules":[{"apiGroups":["apps"],"apiVersions":["v1"],
        "operations":["CREATE","UPDATE"],"resources":["deployments"]}]}
      """;

  record Case(String name, String match, AdmissionRequest request, boolean matches) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    ResourceType deployments = type("apps", "v1", "deployments");
    ResourceType pods = type("", "v1", "pods");
    ResourceType nodes = type("", "v1", "nodes");
    ResourceType hpaV2 = type("autoscaling", "v2", "horizontalpodautoscalers");
    return Stream.of(
        new Case(
            "group, version, resource and operation",
            DEPLOYMENTS,
            request(Operation.CREATE, deployments, "", "prod", "web"),
            true),
        new Case(
            "other operation",
            DEPLOYMENTS,
            request(Operation.DELETE, deployments, "", "prod", "web"),
            false),
        new Case(
            "a resource rule does not cover subresources",
            DEPLOYMENTS,
            request(Operation.UPDATE, deployments, "status", "prod", "web"),
            false),
        new Case(
            "resource/* covers subresources",
            """
            {"resourceRules":[{"apiGroups":["*"],"apiVersions":["*"],"operations":["*"],
              "resources":["pods/*"]}]}
            """,
            request(Operation.UPDATE, pods, "status", "prod", "p"),
            true),
        new Case(
            "Namespaced scope excludes cluster-scoped objects",
            """
            {"resourceRules":[{"apiGroups":["*"],"apiVersions":["*"],"operations":["*"],
              "resources":["*"],"scope":"Namespaced"}]}
            """,
            request(Operation.CREATE, nodes, "", null, "n1"),
            false),
        new Case(
            "Cluster scope takes cluster-scoped objects",
            """
            {"resourceRules":[{"apiGroups":["*"],"apiVersions":["*"],"operations":["*"],
              "resources":["*"],"scope":"Cluster"}]}
            """,
            request(Operation.CREATE, nodes, "", null, "n1"),
            true),
        new Case(
            "resourceNames",
            """
            {"resourceRules":[{"apiGroups":["apps"],"apiVersions":["v1"],"operations":["*"],
              "resources":["deployments"],"resourceNames":["db"]}]}
            """,
            request(Operation.UPDATE, deployments, "", "prod", "web"),
            false),
        new Case(
            "excludeResourceRules win",
            """
            {"resourceRules":[{"apiGroups":["*"],"apiVersions":["*"],"operations":["*"],
               "resources":["*"]}],
             "excludeResourceRules":[{"apiGroups":["apps"],"apiVersions":["*"],"operations":["*"],
               "resources":["deployments"]}]}
            """,
            request(Operation.CREATE, deployments, "", "prod", "web"),
            false),
        new Case(
            "Equivalent matches another served version",
            """
            {"resourceRules":[{"apiGroups":["autoscaling"],"apiVersions":["v1"],
               "operations":["*"],"resources":["horizontalpodautoscalers"]}]}
            """,
            request(Operation.CREATE, hpaV2, "", "prod", "h"),
            true),
        new Case(
            "Exact does not",
            """
            {"matchPolicy":"Exact",
             "resourceRules":[{"apiGroups":["autoscaling"],"apiVersions":["v1"],
               "operations":["*"],"resources":["horizontalpodautoscalers"]}]}
            """,
            request(Operation.CREATE, hpaV2, "", "prod", "h"),
            false),
        new Case(
            "no rules: everything (a binding that narrows nothing)",
            "{}",
            request(Operation.DELETE, pods, "", "prod", "p"),
            true),
        new Case(
            "object selector on the object's labels",
            "{\"objectSelector\":{\"matchLabels\":{\"app\":\"web\"}}}",
            request(Operation.DELETE, pods, "", "prod", "p"),
            true),
        new Case(
            "object selector not matching",
            "{\"objectSelector\":{\"matchLabels\":{\"app\":\"db\"}}}",
            request(Operation.CREATE, pods, "", "prod", "p"),
            false));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void matches(Case c) {
    assertThat(matches(c.match(), c.request(), Map.of())).isEqualTo(c.matches());
  }

  @Test
  void namespaceSelectorUsesTheNamespaceLabelsAndSkipsClusterScopedObjects() {
    String selector =
        "{\"namespaceSelector\":{\"matchExpressions\":"
            + "[{\"key\":\"env\",\"operator\":\"In\",\"values\":[\"prod\"]}]}}";
    AdmissionRequest pod = request(Operation.CREATE, type("", "v1", "pods"), "", "ns", "p");
    assertThat(matches(selector, pod, Map.of("env", "prod"))).isTrue();
    assertThat(matches(selector, pod, Map.of("env", "dev"))).isFalse();
    AdmissionRequest node = request(Operation.CREATE, type("", "v1", "nodes"), "", null, "n");
    assertThat(matches(selector, node, Map.of())).isTrue();
    AdmissionRequest namespace =
        new AdmissionRequest(
            Operation.CREATE,
            type("", "v1", "namespaces"),
            "",
            null,
            "prod",
            object("{\"metadata\":{\"name\":\"prod\",\"labels\":{\"env\":\"prod\"}}}"),
            null,
            new UserInfo("jane", "", List.of(), Map.of()),
            false);
    // a Namespace is matched on its own labels
    assertThat(matches(selector, namespace, Map.of())).isTrue();
  }
}
