package dev.skiff.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.testing.SkiffCluster;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributesBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The system:controller:* roles against the API server's RBAC authorizer (SubjectAccessReviews for
 * each controller's ServiceAccount): every controller may do what it does and is refused what it
 * does not do, and every controller the manager knows has its role and binding.
 */
class ControllerRolesIT {
  @RegisterExtension static final SkiffCluster cluster = SkiffCluster.memory();

  /** A request: verb, "group/resource[/subresource]" ("" group for core), optional name. */
  private record Request(String verb, String group, String resource, String name) {
    static Request of(String text) {
      String[] parts = text.split(" ");
      String[] path = parts[1].split("/", 2);
      return new Request(parts[0], path[0], path[1], parts.length > 2 ? parts[2] : "");
    }

    @Override
    public String toString() {
      return verb + " " + group + "/" + resource + (name.isEmpty() ? "" : " " + name);
    }
  }

  private record Expectation(List<String> allowed, List<String> denied) {}

  private static final Map<String, Expectation> TABLE = table();

  private static Map<String, Expectation> table() {
    Map<String, Expectation> t = new LinkedHashMap<>();
    t.put(
        "deployment-controller",
        new Expectation(
            List.of(
                "create apps/replicasets",
                "delete apps/replicasets",
                "patch apps/replicasets",
                "update apps/deployments/status",
                "patch apps/deployments",
                "create /events",
                "create events.k8s.io/events"),
            List.of("create /secrets", "create /pods", "delete apps/deployments")));
    t.put(
        "replicaset-controller",
        new Expectation(
            List.of(
                "create /pods",
                "delete /pods",
                "patch /pods",
                "update apps/replicasets/status",
                "get apps/replicasets"),
            List.of("create apps/replicasets", "get /secrets", "update /pods/status")));
    t.put(
        "replication-controller",
        new Expectation(
            List.of("create /pods", "update /replicationcontrollers/status"),
            List.of("create /replicationcontrollers", "create /secrets")));
    t.put(
        "daemon-set-controller",
        new Expectation(
            List.of(
                "create /pods",
                "delete /pods",
                "create apps/controllerrevisions",
                "update apps/daemonsets/status",
                "get apps/daemonsets"),
            List.of("update /nodes", "create /secrets", "update /pods")));
    t.put(
        "statefulset-controller",
        new Expectation(
            List.of(
                "create /pods",
                "update /pods",
                "create /persistentvolumeclaims",
                "delete /persistentvolumeclaims",
                "create apps/controllerrevisions",
                "update apps/statefulsets/status"),
            List.of("delete apps/statefulsets", "create /secrets")));
    t.put(
        "job-controller",
        new Expectation(
            List.of("create /pods", "patch /pods", "delete /pods", "update batch/jobs/status"),
            List.of("create batch/jobs", "create /secrets")));
    t.put(
        "cronjob-controller",
        new Expectation(
            List.of("create batch/jobs", "delete batch/jobs", "update batch/cronjobs/status"),
            List.of("create /pods", "create batch/cronjobs")));
    t.put(
        "endpoint-controller",
        new Expectation(
            List.of("create /endpoints", "update /endpoints", "delete /endpoints"),
            List.of("create discovery.k8s.io/endpointslices", "update /services")));
    t.put(
        "endpointslice-controller",
        new Expectation(
            List.of(
                "create discovery.k8s.io/endpointslices",
                "update discovery.k8s.io/endpointslices",
                "delete discovery.k8s.io/endpointslices"),
            List.of("create /endpoints", "update /services")));
    t.put(
        "generic-garbage-collector",
        new Expectation(
            List.of(
                "delete apps/replicasets",
                "patch /pods",
                "delete /secrets",
                "get example.com/widgets",
                "list example.com/widgets"),
            List.of("create /pods", "create /secrets")));
    t.put(
        "horizontal-pod-autoscaler",
        new Expectation(
            List.of(
                "get apps/deployments/scale",
                "update apps/deployments/scale",
                "list metrics.k8s.io/pods",
                "update autoscaling/horizontalpodautoscalers/status"),
            List.of("update apps/deployments", "delete /pods")));
    t.put(
        "namespace-controller",
        new Expectation(
            List.of(
                "delete /namespaces",
                "update /namespaces/finalize",
                "update /namespaces/status",
                "deletecollection /secrets",
                "list example.com/widgets"),
            List.of("create /pods", "update /pods")));
    t.put(
        "node-controller",
        new Expectation(
            List.of("patch /nodes", "update /nodes/status", "delete /pods", "get /nodes"),
            List.of("create /nodes", "create /pods", "get /secrets")));
    t.put(
        "pod-garbage-collector",
        new Expectation(
            List.of("delete /pods", "patch /pods/status", "list /nodes"),
            List.of("create /pods", "delete /nodes")));
    t.put(
        "resourcequota-controller",
        new Expectation(
            List.of("update /resourcequotas/status", "list /secrets", "watch /pods"),
            List.of("get /secrets", "update /resourcequotas")));
    t.put(
        "service-account-controller",
        new Expectation(
            List.of("create /serviceaccounts"),
            List.of("delete /serviceaccounts", "create /secrets")));
    t.put(
        "root-ca-cert-publisher",
        new Expectation(
            List.of("create /configmaps", "update /configmaps"),
            List.of("delete /configmaps", "get /secrets")));
    t.put(
        "ttl-after-finished-controller",
        new Expectation(
            List.of("delete batch/jobs"), List.of("delete /pods", "create batch/jobs")));
    t.put(
        "disruption-controller",
        new Expectation(
            List.of(
                "update policy/poddisruptionbudgets/status",
                "get apps/deployments/scale",
                "list apps/statefulsets"),
            List.of("create /pods/eviction", "update policy/poddisruptionbudgets")));
    t.put(
        "persistent-volume-binder",
        new Expectation(
            List.of(
                "create /persistentvolumes",
                "delete /persistentvolumes",
                "update /persistentvolumeclaims",
                "update /persistentvolumeclaims/status"),
            List.of("delete /persistentvolumeclaims", "create /secrets")));
    t.put(
        "pvc-protection-controller",
        new Expectation(
            List.of("update /persistentvolumeclaims", "list /pods", "get /pods"),
            List.of("update /persistentvolumeclaims/status", "delete /pods", "update /pods")));
    t.put(
        "pv-protection-controller",
        new Expectation(
            List.of("update /persistentvolumes", "watch /persistentvolumes"),
            List.of("delete /persistentvolumes", "list /pods")));
    t.put(
        "service-controller",
        new Expectation(
            List.of("update /services/status", "patch /services/status", "list /nodes"),
            List.of("update /services", "create /pods")));
    t.put(
        "cluster-dns-controller",
        new Expectation(
            List.of(
                "create discovery.k8s.io/endpointslices",
                "update discovery.k8s.io/endpointslices kube-dns-nodes",
                "get discovery.k8s.io/endpointslices kube-dns-nodes"),
            List.of(
                "update discovery.k8s.io/endpointslices other",
                "delete discovery.k8s.io/endpointslices kube-dns-nodes",
                "create /endpoints")));
    return t;
  }

  private static boolean allowed(String user, List<String> groups, Request request) {
    SubjectAccessReview review =
        new SubjectAccessReviewBuilder()
            .withNewSpec()
            .withUser(user)
            .withGroups(groups)
            .withResourceAttributes(
                new ResourceAttributesBuilder()
                    .withVerb(request.verb())
                    .withGroup(request.group())
                    .withResource(request.resource().split("/")[0])
                    .withSubresource(
                        request.resource().contains("/") ? request.resource().split("/")[1] : "")
                    .withName(request.name())
                    .withNamespace("default")
                    .build())
            .endSpec()
            .build();
    return cluster
        .client()
        .authorization()
        .v1()
        .subjectAccessReview()
        .create(review)
        .getStatus()
        .getAllowed();
  }

  private static boolean serviceAccountAllowed(String account, Request request) {
    return allowed(
        "system:serviceaccount:kube-system:" + account,
        List.of(
            "system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"),
        request);
  }

  @Test
  void everyControllerIdentityHasItsRoleAndBinding() {
    Set<String> accounts = new HashSet<>(ControllerManager.serviceAccounts().values());
    assertThat(TABLE.keySet()).containsExactlyInAnyOrderElementsOf(accounts);
    KubernetesClient client = cluster.client();
    for (String account : accounts) {
      assertThat(client.rbac().clusterRoles().withName("system:controller:" + account).get())
          .as(account)
          .isNotNull();
      ClusterRoleBinding binding =
          client.rbac().clusterRoleBindings().withName("system:controller:" + account).get();
      assertThat(binding.getRoleRef().getName()).isEqualTo("system:controller:" + account);
      assertThat(binding.getSubjects())
          .singleElement()
          .satisfies(
              subject -> {
                assertThat(subject.getKind()).isEqualTo("ServiceAccount");
                assertThat(subject.getNamespace()).isEqualTo("kube-system");
                assertThat(subject.getName()).isEqualTo(account);
              });
    }
  }

  @Test
  void eachRoleAllowsWhatItsControllerDoesAndNoMore() {
    TABLE.forEach(
        (account, expectation) -> {
          for (String text : expectation.allowed()) {
            assertThat(serviceAccountAllowed(account, Request.of(text)))
                .as(account + " may " + text)
                .isTrue();
          }
          for (String text : expectation.denied()) {
            assertThat(serviceAccountAllowed(account, Request.of(text)))
                .as(account + " may not " + text)
                .isFalse();
          }
        });
  }

  @Test
  void theManagerItselfMayMakeTokensAndWatchButNotWrite() {
    List<String> groups = List.of("system:authenticated");
    String manager = "system:kube-controller-manager";
    for (String text :
        List.of(
            "create /serviceaccounts/token",
            "create /serviceaccounts",
            "get /serviceaccounts",
            "list /pods",
            "watch apps/deployments",
            "list example.com/widgets",
            "update coordination.k8s.io/leases kube-controller-manager",
            "create coordination.k8s.io/leases")) {
      assertThat(allowed(manager, groups, Request.of(text))).as("may " + text).isTrue();
    }
    for (String text :
        List.of(
            "create /pods",
            "delete /pods",
            "create apps/replicasets",
            "update apps/deployments/status",
            "get /pods",
            "update coordination.k8s.io/leases kube-scheduler")) {
      assertThat(allowed(manager, groups, Request.of(text))).as("may not " + text).isFalse();
    }
  }
}
