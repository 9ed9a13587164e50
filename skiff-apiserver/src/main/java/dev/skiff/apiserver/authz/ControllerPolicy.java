package dev.skiff.apiserver.authz;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/**
 * The roles of the controller identities (Kubernetes' bootstrap controller policy): for each
 * ServiceAccount kube-system/NAME that a controller of our controller manager acts as under {@code
 * --use-service-account-credentials}, a ClusterRole {@code system:controller:NAME} and a
 * ClusterRoleBinding of that name to the ServiceAccount. The rules are Kubernetes' for the
 * controllers Kubernetes has; where our controller's writes differ from Kubernetes' (a patch where
 * Kubernetes updates) the difference is added and commented. Roles of our own controllers grant
 * exactly what they do.
 */
public final class ControllerPolicy {
  /** Prefix of every controller role and binding. */
  public static final String PREFIX = "system:controller:";

  /** Where the controllers' ServiceAccounts live. */
  public static final String NAMESPACE = "kube-system";

  private static final List<String> READ = BootstrapPolicy.READ;
  private static final String CORE = "";
  private static final String APPS = "apps";
  private static final String EXTENSIONS = "extensions";
  private static final String BATCH = "batch";

  private ControllerPolicy() {}

  private static PolicyRule rule(List<String> verbs, List<String> groups, String... resources) {
    return PolicyRule.resources(verbs, groups, List.of(resources));
  }

  private static PolicyRule rule(List<String> verbs, String group, String... resources) {
    return rule(verbs, List.of(group), resources);
  }

  private static List<String> verbs(String... verbs) {
    return List.of(verbs);
  }

  /** Creating and updating events in both event APIs, which every recorder needs. */
  static PolicyRule events() {
    return rule(verbs("create", "update", "patch"), List.of(CORE, "events.k8s.io"), "events");
  }

  /** The rules of each controller ServiceAccount's role, by ServiceAccount name. */
  public static Map<String, List<PolicyRule>> rules() {
    Map<String, List<PolicyRule>> roles = new LinkedHashMap<>();
    roles.put(
        "cronjob-controller",
        List.of(
            rule(verbs("get", "list", "watch", "update"), BATCH, "cronjobs"),
            rule(
                verbs("get", "list", "watch", "create", "update", "delete", "patch"),
                BATCH,
                "jobs"),
            rule(verbs("update"), BATCH, "cronjobs/status"),
            rule(verbs("update"), BATCH, "cronjobs/finalizers"),
            rule(verbs("list", "watch", "delete"), CORE, "pods"),
            events()));
    roles.put(
        "daemon-set-controller",
        List.of(
            rule(READ, List.of(EXTENSIONS, APPS), "daemonsets"),
            rule(verbs("update"), List.of(EXTENSIONS, APPS), "daemonsets/status"),
            rule(verbs("update"), List.of(EXTENSIONS, APPS), "daemonsets/finalizers"),
            rule(verbs("list", "watch"), CORE, "nodes"),
            rule(verbs("list", "watch", "create", "delete", "patch"), CORE, "pods"),
            rule(verbs("create"), CORE, "pods/binding"),
            rule(
                verbs("get", "list", "watch", "create", "delete", "update", "patch"),
                APPS,
                "controllerrevisions"),
            events()));
    roles.put(
        "deployment-controller",
        List.of(
            // patch: our deployment controller patches its revision annotations
            rule(
                verbs("get", "list", "watch", "update", "patch"),
                List.of(EXTENSIONS, APPS),
                "deployments"),
            rule(verbs("update"), List.of(EXTENSIONS, APPS), "deployments/status"),
            rule(verbs("update"), List.of(EXTENSIONS, APPS), "deployments/finalizers"),
            rule(
                verbs("get", "list", "watch", "create", "update", "patch", "delete"),
                List.of(APPS, EXTENSIONS),
                "replicasets"),
            rule(verbs("get", "list", "watch", "update"), CORE, "pods"),
            events()));
    roles.put(
        "disruption-controller",
        List.of(
            rule(READ, List.of(EXTENSIONS, APPS), "deployments"),
            rule(READ, List.of(APPS, EXTENSIONS), "replicasets"),
            rule(READ, CORE, "replicationcontrollers"),
            rule(READ, "policy", "poddisruptionbudgets"),
            rule(READ, APPS, "statefulsets"),
            rule(verbs("update"), "policy", "poddisruptionbudgets/status"),
            rule(verbs("patch", "update"), CORE, "pods/status"),
            rule(verbs("get"), "*", "*/scale"),
            events()));
    roles.put(
        "endpoint-controller",
        List.of(
            rule(READ, CORE, "services", "pods"),
            rule(verbs("get", "list", "watch", "create", "update", "delete"), CORE, "endpoints"),
            rule(verbs("create"), CORE, "endpoints/restricted"),
            events()));
    roles.put(
        "endpointslice-controller",
        List.of(
            rule(READ, CORE, "services", "pods", "nodes"),
            rule(verbs("update"), CORE, "services/finalizers"),
            rule(
                verbs("get", "list", "watch", "create", "update", "delete"),
                "discovery.k8s.io",
                "endpointslices"),
            events()));
    roles.put(
        "generic-garbage-collector",
        List.of(
            rule(verbs("get", "list", "watch", "patch", "update", "delete"), "*", "*"), events()));
    roles.put(
        "horizontal-pod-autoscaler",
        List.of(
            rule(READ, "autoscaling", "horizontalpodautoscalers"),
            rule(verbs("update"), "autoscaling", "horizontalpodautoscalers/status"),
            rule(verbs("get", "update"), "*", "*/scale"),
            rule(verbs("list", "watch"), CORE, "pods"),
            rule(verbs("list", "watch"), "metrics.k8s.io", "pods"),
            rule(READ, "custom.metrics.k8s.io", "*"),
            rule(READ, "external.metrics.k8s.io", "*"),
            events()));
    roles.put(
        "job-controller",
        List.of(
            rule(verbs("get", "list", "watch", "update", "patch"), BATCH, "jobs"),
            rule(verbs("update"), BATCH, "jobs/status"),
            rule(verbs("update"), BATCH, "jobs/finalizers"),
            rule(verbs("list", "watch", "create", "delete", "patch"), CORE, "pods"),
            events()));
    roles.put(
        "namespace-controller",
        List.of(
            rule(verbs("get", "list", "watch", "delete"), CORE, "namespaces"),
            rule(verbs("update"), CORE, "namespaces/finalize", "namespaces/status"),
            rule(verbs("get", "list", "watch", "delete", "deletecollection"), "*", "*")));
    // node-lifecycle and node-ipam both act as node-controller, as in Kubernetes
    roles.put(
        "node-controller",
        List.of(
            rule(verbs("get", "list", "watch", "update", "delete", "patch"), CORE, "nodes"),
            rule(verbs("patch", "update"), CORE, "nodes/status"),
            rule(verbs("patch", "update"), CORE, "pods/status"),
            rule(verbs("list", "watch", "get", "delete"), CORE, "pods"),
            events()));
    roles.put(
        "persistent-volume-binder",
        List.of(
            rule(
                verbs("get", "list", "watch", "update", "create", "delete"),
                CORE,
                "persistentvolumes"),
            rule(verbs("update"), CORE, "persistentvolumes/status"),
            rule(verbs("get", "list", "watch", "update"), CORE, "persistentvolumeclaims"),
            rule(verbs("update"), CORE, "persistentvolumeclaims/status"),
            rule(verbs("list", "watch", "get", "create", "delete"), CORE, "pods"),
            rule(READ, "storage.k8s.io", "storageclasses"),
            rule(verbs("list", "watch"), CORE, "nodes"),
            events(),
            rule(verbs("watch"), CORE, "events"),
            rule(verbs("get"), CORE, "services")));
    roles.put(
        "pvc-protection-controller",
        List.of(
            rule(verbs("get", "list", "watch", "update"), CORE, "persistentvolumeclaims"),
            rule(verbs("list", "watch", "get"), CORE, "pods"),
            events()));
    roles.put(
        "pv-protection-controller",
        List.of(
            rule(verbs("get", "list", "watch", "update"), CORE, "persistentvolumes"), events()));
    roles.put(
        "pod-garbage-collector",
        List.of(
            rule(verbs("list", "watch", "delete"), CORE, "pods"),
            rule(READ, CORE, "nodes"),
            rule(verbs("patch"), CORE, "pods/status")));
    roles.put(
        "replicaset-controller",
        List.of(
            rule(verbs("get", "list", "watch", "update"), List.of(APPS, EXTENSIONS), "replicasets"),
            rule(verbs("update"), List.of(APPS, EXTENSIONS), "replicasets/status"),
            rule(verbs("update"), List.of(APPS, EXTENSIONS), "replicasets/finalizers"),
            rule(verbs("list", "watch", "patch", "create", "delete"), CORE, "pods"),
            events()));
    roles.put(
        "replication-controller",
        List.of(
            rule(verbs("get", "list", "watch", "update"), CORE, "replicationcontrollers"),
            rule(verbs("update"), CORE, "replicationcontrollers/status"),
            rule(verbs("update"), CORE, "replicationcontrollers/finalizers"),
            rule(verbs("list", "watch", "patch", "create", "delete"), CORE, "pods"),
            events()));
    roles.put(
        "resourcequota-controller",
        List.of(
            rule(verbs("list", "watch"), "*", "*"),
            rule(verbs("update"), CORE, "resourcequotas/status"),
            events()));
    roles.put(
        "service-account-controller",
        List.of(rule(verbs("create"), CORE, "serviceaccounts"), events()));
    // servicelb, our LoadBalancer controller, is Kubernetes' service controller's identity
    roles.put(
        "service-controller",
        List.of(
            rule(READ, CORE, "services"),
            rule(verbs("patch", "update"), CORE, "services/status"),
            rule(verbs("list", "watch"), CORE, "nodes"),
            events()));
    roles.put(
        "statefulset-controller",
        List.of(
            rule(verbs("list", "watch"), CORE, "pods"),
            rule(READ, APPS, "statefulsets"),
            rule(verbs("update"), APPS, "statefulsets/status"),
            rule(verbs("update"), APPS, "statefulsets/finalizers"),
            rule(verbs("get", "create", "delete", "update", "patch"), CORE, "pods"),
            rule(
                verbs("get", "create", "delete", "update", "patch", "list", "watch"),
                APPS,
                "controllerrevisions"),
            rule(verbs("get", "create", "list", "watch"), CORE, "persistentvolumeclaims"),
            rule(verbs("update", "delete"), CORE, "persistentvolumeclaims"),
            rule(verbs("update"), CORE, "pods/finalizers"),
            events()));
    roles.put(
        "ttl-after-finished-controller",
        List.of(rule(verbs("get", "list", "watch", "delete"), BATCH, "jobs"), events()));
    roles.put(
        "root-ca-cert-publisher",
        List.of(rule(verbs("create", "update"), CORE, "configmaps"), events()));
    // ours: keeps the kube-system/kube-dns-nodes EndpointSlice of the cluster DNS servers
    roles.put(
        "cluster-dns-controller",
        List.of(
            rule(verbs("create"), "discovery.k8s.io", "endpointslices"),
            rule(verbs("get", "update"), "discovery.k8s.io", "endpointslices")
                .withNames("kube-dns-nodes")));
    return roles;
  }

  static List<ObjectNode> clusterRoles() {
    List<ObjectNode> roles = new ArrayList<>();
    rules()
        .forEach(
            (name, rules) ->
                roles.add(BootstrapPolicy.clusterRole(PREFIX + name, Map.of(), rules)));
    return roles;
  }

  static List<ObjectNode> clusterRoleBindings() {
    List<ObjectNode> bindings = new ArrayList<>();
    for (String name : rules().keySet()) {
      bindings.add(
          BootstrapPolicy.binding(
              PREFIX + name, PREFIX + name, BootstrapPolicy.serviceAccount(NAMESPACE, name)));
    }
    return bindings;
  }
}
