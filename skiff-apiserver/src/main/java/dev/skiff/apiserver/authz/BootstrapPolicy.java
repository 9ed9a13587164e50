package dev.skiff.apiserver.authz;

import dev.skiff.api.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Kubernetes' default ClusterRoles and ClusterRoleBindings (the bootstrap policy), as the API
 * server reconciles them at every start. Objects carry the label {@code
 * kubernetes.io/bootstrapping: rbac-defaults} and the annotation {@code
 * rbac.authorization.kubernetes.io/autoupdate: "true"}.
 */
public final class BootstrapPolicy {
  static final String AUTOUPDATE = "rbac.authorization.kubernetes.io/autoupdate";
  static final String AGGREGATE_TO = "rbac.authorization.k8s.io/aggregate-to-";

  static final List<String> READ = List.of("get", "list", "watch");
  static final List<String> WRITE =
      List.of("create", "delete", "deletecollection", "patch", "update");
  static final List<String> READ_WRITE =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");
  static final List<String> CORE = List.of("");

  /** What a node's kube-proxy, policy enforcer and DNS server read beyond system:node-proxier. */
  public static final String NODE_AGENT_ROLE = "skiff:node-agent";

  /** Who may have a node client certificate signed without an administrator's approval. */
  public static final String NODE_CLIENT_CSR_ROLE =
      "system:certificates.k8s.io:certificatesigningrequests:nodeclient";

  public static final String SELF_NODE_CLIENT_CSR_ROLE =
      "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient";

  private BootstrapPolicy() {}

  private static PolicyRule rule(List<String> verbs, String group, String... resources) {
    return PolicyRule.resources(verbs, List.of(group), List.of(resources));
  }

  private static PolicyRule rule(String verb, String group, String... resources) {
    return rule(List.of(verb), group, resources);
  }

  /** The rules of system:node, which the node authorizer applies to every kubelet. */
  public static List<PolicyRule> nodeRules() {
    return List.of(
        rule("create", "authentication.k8s.io", "tokenreviews"),
        rule("create", "authorization.k8s.io", "subjectaccessreviews", "localsubjectaccessreviews"),
        rule(READ, "", "services"),
        rule(List.of("create", "get", "list", "watch"), "", "nodes"),
        rule(List.of("patch", "update"), "", "nodes/status"),
        rule(List.of("patch", "update"), "", "nodes"),
        rule(List.of("create", "patch", "update"), "", "events"),
        rule(List.of("create", "patch", "update"), "events.k8s.io", "events"),
        rule(READ, "", "pods"),
        rule(List.of("create", "delete"), "", "pods"),
        rule(List.of("patch", "update"), "", "pods/status"),
        rule("create", "", "pods/eviction"),
        rule(READ, "", "secrets", "configmaps"),
        rule("get", "", "persistentvolumeclaims", "persistentvolumes"),
        rule("get", "", "endpoints"),
        rule(
            List.of("create", "get", "list", "watch"),
            "certificates.k8s.io",
            "certificatesigningrequests"),
        rule(
            List.of("get", "create", "update", "patch", "delete"), "coordination.k8s.io", "leases"),
        rule("get", "storage.k8s.io", "volumeattachments"),
        rule(List.of("patch", "update"), "", "persistentvolumeclaims/status"),
        rule("create", "", "serviceaccounts/token"),
        rule(READ, "storage.k8s.io", "csidrivers"),
        rule(List.of("create", "delete", "get", "patch", "update"), "storage.k8s.io", "csinodes"),
        rule(READ, "node.k8s.io", "runtimeclasses"));
  }

  /** Every default ClusterRole. */
  public static List<ObjectNode> clusterRoles() {
    List<ObjectNode> roles = new ArrayList<>();
    roles.add(
        clusterRole(
            "cluster-admin",
            Map.of(),
            List.of(
                PolicyRule.resources(List.of("*"), List.of("*"), List.of("*")),
                PolicyRule.nonResource(List.of("*"), List.of("*")))));
    roles.add(
        clusterRole(
            "system:discovery",
            Map.of(),
            List.of(
                PolicyRule.nonResource(
                    List.of("get"),
                    List.of(
                        "/api",
                        "/api/*",
                        "/apis",
                        "/apis/*",
                        "/healthz",
                        "/livez",
                        "/openapi",
                        "/openapi/*",
                        "/readyz",
                        "/version",
                        "/version/")))));
    roles.add(
        clusterRole(
            "system:monitoring",
            Map.of(),
            List.of(
                PolicyRule.nonResource(
                    List.of("get"),
                    List.of(
                        "/healthz",
                        "/healthz/*",
                        "/livez",
                        "/livez/*",
                        "/metrics",
                        "/metrics/slis",
                        "/readyz",
                        "/readyz/*")))));
    roles.add(
        clusterRole(
            "system:basic-user",
            Map.of(),
            List.of(
                rule(
                    "create",
                    "authorization.k8s.io",
                    "selfsubjectaccessreviews",
                    "selfsubjectrulesreviews"),
                rule("create", "authentication.k8s.io", "selfsubjectreviews"))));
    roles.add(
        clusterRole(
            "system:public-info-viewer",
            Map.of(),
            List.of(
                PolicyRule.nonResource(
                    List.of("get"),
                    List.of("/healthz", "/livez", "/readyz", "/version", "/version/")))));
    roles.add(
        clusterRole(
            "system:service-account-issuer-discovery",
            Map.of(),
            List.of(
                PolicyRule.nonResource(
                    List.of("get"),
                    List.of(
                        "/.well-known/openid-configuration",
                        "/.well-known/openid-configuration/",
                        "/openid/v1/jwks",
                        "/openid/v1/jwks/")))));
    roles.add(aggregated("admin", Map.of(), "admin"));
    roles.add(aggregated("edit", Map.of(AGGREGATE_TO + "admin", "true"), "edit"));
    roles.add(aggregated("view", Map.of(AGGREGATE_TO + "edit", "true"), "view"));
    roles.add(
        clusterRole(
            "system:aggregate-to-admin",
            Map.of(AGGREGATE_TO + "admin", "true"),
            List.of(
                rule("create", "authorization.k8s.io", "localsubjectaccessreviews"),
                rule(READ_WRITE, "rbac.authorization.k8s.io", "rolebindings", "roles"))));
    roles.add(
        clusterRole(
            "system:aggregate-to-edit", Map.of(AGGREGATE_TO + "edit", "true"), editRules()));
    roles.add(
        clusterRole(
            "system:aggregate-to-view", Map.of(AGGREGATE_TO + "view", "true"), viewRules()));
    roles.add(clusterRole("system:kube-scheduler", Map.of(), schedulerRules()));
    roles.add(
        clusterRole(
            "system:volume-scheduler",
            Map.of(),
            List.of(
                rule(List.of("get", "list", "patch", "update", "watch"), "", "persistentvolumes"),
                rule(READ, "storage.k8s.io", "storageclasses"),
                rule(
                    List.of("get", "list", "patch", "update", "watch"),
                    "",
                    "persistentvolumeclaims"))));
    roles.add(clusterRole("system:kube-controller-manager", Map.of(), controllerManagerRules()));
    roles.add(clusterRole("system:node", Map.of(), nodeRules()));
    roles.addAll(ControllerPolicy.clusterRoles());
    roles.add(
        clusterRole(
            "system:node-proxier",
            Map.of(),
            List.of(
                rule(READ, "", "endpoints", "services"),
                rule(READ, "", "nodes"),
                rule(List.of("create", "patch", "update"), "", "events"),
                rule(List.of("create", "patch", "update"), "events.k8s.io", "events"),
                rule(List.of("list", "watch"), "discovery.k8s.io", "endpointslices"))));
    roles.add(
        clusterRole(
            NODE_AGENT_ROLE,
            Map.of(),
            List.of(
                rule(READ, "", "namespaces", "pods"),
                rule(READ, "networking.k8s.io", "networkpolicies"))));
    roles.add(
        clusterRole(
            NODE_CLIENT_CSR_ROLE,
            Map.of(),
            List.of(
                rule("create", "certificates.k8s.io", "certificatesigningrequests/nodeclient"))));
    roles.add(
        clusterRole(
            SELF_NODE_CLIENT_CSR_ROLE,
            Map.of(),
            List.of(
                rule(
                    "create",
                    "certificates.k8s.io",
                    "certificatesigningrequests/selfnodeclient"))));
    roles.add(
        clusterRole(
            "system:node-bootstrapper",
            Map.of(),
            List.of(
                rule(
                    List.of("create", "get", "list", "watch"),
                    "certificates.k8s.io",
                    "certificatesigningrequests"))));
    roles.add(
        clusterRole(
            "system:auth-delegator",
            Map.of(),
            List.of(
                rule("create", "authentication.k8s.io", "tokenreviews"),
                rule("create", "authorization.k8s.io", "subjectaccessreviews"))));
    return roles;
  }

  private static List<PolicyRule> viewRules() {
    return List.of(
        rule(
            READ,
            "",
            "pods",
            "replicationcontrollers",
            "replicationcontrollers/scale",
            "serviceaccounts",
            "services",
            "services/status",
            "endpoints",
            "persistentvolumeclaims",
            "persistentvolumeclaims/status",
            "configmaps"),
        rule(
            READ,
            "",
            "limitranges",
            "resourcequotas",
            "bindings",
            "events",
            "pods/status",
            "resourcequotas/status",
            "namespaces/status",
            "replicationcontrollers/status",
            "pods/log"),
        rule(READ, "", "namespaces"),
        rule(READ, "discovery.k8s.io", "endpointslices"),
        rule(
            READ,
            "apps",
            "controllerrevisions",
            "statefulsets",
            "statefulsets/status",
            "statefulsets/scale",
            "daemonsets",
            "daemonsets/status",
            "deployments",
            "deployments/status",
            "deployments/scale",
            "replicasets",
            "replicasets/status",
            "replicasets/scale"),
        rule(READ, "autoscaling", "horizontalpodautoscalers", "horizontalpodautoscalers/status"),
        rule(READ, "batch", "cronjobs", "cronjobs/status", "jobs", "jobs/status"),
        rule(READ, "policy", "poddisruptionbudgets", "poddisruptionbudgets/status"),
        rule(READ, "networking.k8s.io", "ingresses", "ingresses/status", "networkpolicies"));
  }

  private static List<PolicyRule> editRules() {
    return List.of(
        rule(
            READ,
            "",
            "pods/attach",
            "pods/proxy",
            "pods/exec",
            "pods/portforward",
            "secrets",
            "services/proxy"),
        rule("impersonate", "", "serviceaccounts"),
        rule(WRITE, "", "pods", "pods/attach", "pods/proxy", "pods/exec", "pods/portforward"),
        rule("create", "", "pods/eviction"),
        rule(
            WRITE,
            "",
            "replicationcontrollers",
            "replicationcontrollers/scale",
            "serviceaccounts",
            "services",
            "services/proxy",
            "persistentvolumeclaims",
            "configmaps",
            "secrets",
            "events"),
        rule("create", "", "serviceaccounts/token"),
        rule(
            WRITE,
            "apps",
            "statefulsets",
            "statefulsets/scale",
            "daemonsets",
            "deployments",
            "deployments/scale",
            "deployments/rollback",
            "replicasets",
            "replicasets/scale"),
        rule(WRITE, "autoscaling", "horizontalpodautoscalers"),
        rule(WRITE, "batch", "jobs", "cronjobs"),
        rule(WRITE, "policy", "poddisruptionbudgets"),
        rule(WRITE, "networking.k8s.io", "networkpolicies", "ingresses"),
        rule(READ_WRITE, "coordination.k8s.io", "leases"));
  }

  private static List<PolicyRule> schedulerRules() {
    return List.of(
        rule(List.of("create", "patch", "update"), "", "events"),
        rule(List.of("create", "patch", "update"), "events.k8s.io", "events"),
        rule("create", "coordination.k8s.io", "leases"),
        // fabric8's leader election (our scheduler) patches its lease where client-go updates it
        rule(List.of("get", "update", "patch"), "coordination.k8s.io", "leases")
            .withNames("kube-scheduler"),
        rule("create", "", "endpoints"),
        rule(List.of("get", "update"), "", "endpoints").withNames("kube-scheduler"),
        rule(READ, "", "nodes"),
        rule(List.of("delete", "get", "list", "watch"), "", "pods"),
        rule("create", "", "bindings", "pods/binding"),
        rule(List.of("patch", "update"), "", "pods/status"),
        rule(READ, "", "replicationcontrollers", "services"),
        rule(READ, "apps", "replicasets", "statefulsets"),
        rule(READ, "policy", "poddisruptionbudgets"),
        rule(READ, "", "persistentvolumeclaims", "persistentvolumes"),
        rule("create", "authentication.k8s.io", "tokenreviews"),
        rule("create", "authorization.k8s.io", "subjectaccessreviews"),
        rule(READ, "storage.k8s.io", "csinodes"),
        rule(READ, "", "namespaces"),
        rule(READ, "storage.k8s.io", "csidrivers", "csistoragecapacities"),
        // our scheduler resolves priorities and preemption policies from PriorityClasses
        rule(READ, "scheduling.k8s.io", "priorityclasses"));
  }

  /**
   * Kubernetes' system:kube-controller-manager: what the manager itself does when its controllers
   * act as their own ServiceAccounts (--use-service-account-credentials): leader election, the
   * shared informers (list and watch of everything), and making the controllers' ServiceAccounts
   * and their tokens. The controllers' rights are in {@link ControllerPolicy}.
   */
  private static List<PolicyRule> controllerManagerRules() {
    return List.of(
        ControllerPolicy.events(),
        rule("create", "coordination.k8s.io", "leases"),
        // fabric8's leader election patches its lease where client-go updates it
        rule(List.of("get", "update", "patch"), "coordination.k8s.io", "leases")
            .withNames("kube-controller-manager"),
        rule("create", "", "endpoints"),
        rule(List.of("get", "update"), "", "endpoints").withNames("kube-controller-manager"),
        rule("create", "", "secrets", "serviceaccounts"),
        rule("delete", "", "secrets"),
        rule("get", "", "configmaps", "namespaces", "secrets", "serviceaccounts"),
        rule("update", "", "secrets", "serviceaccounts"),
        rule("create", "authentication.k8s.io", "tokenreviews"),
        rule("create", "authorization.k8s.io", "subjectaccessreviews"),
        PolicyRule.resources(List.of("list", "watch"), List.of("*"), List.of("*")),
        rule("create", "", "serviceaccounts/token"));
  }

  /** Every default ClusterRoleBinding. */
  public static List<ObjectNode> clusterRoleBindings() {
    List<ObjectNode> bindings = new ArrayList<>();
    bindings.add(binding("cluster-admin", "cluster-admin", group("system:masters")));
    bindings.add(binding("system:discovery", "system:discovery", group("system:authenticated")));
    bindings.add(binding("system:basic-user", "system:basic-user", group("system:authenticated")));
    bindings.add(
        binding(
            "system:public-info-viewer",
            "system:public-info-viewer",
            group("system:authenticated"),
            group("system:unauthenticated")));
    bindings.add(binding("system:monitoring", "system:monitoring", group("system:monitoring")));
    bindings.add(
        binding(
            "system:service-account-issuer-discovery",
            "system:service-account-issuer-discovery",
            group("system:serviceaccounts")));
    bindings.add(
        binding("system:kube-scheduler", "system:kube-scheduler", user("system:kube-scheduler")));
    bindings.add(
        binding(
            "system:volume-scheduler", "system:volume-scheduler", user("system:kube-scheduler")));
    bindings.add(
        binding(
            "system:kube-controller-manager",
            "system:kube-controller-manager",
            user("system:kube-controller-manager")));
    bindings.add(binding("system:node", "system:node"));
    bindings.add(binding("system:node-proxier", "system:node-proxier", user("system:kube-proxy")));
    // node join, as kubeadm and k3s set it up: bootstrap tokens may request node client
    // certificates, which are approved automatically, and nodes may renew their own
    // every agent runs kube-proxy, the network policy enforcer and the DNS server with its node
    // identity (k3s hands its agents a shared system:kube-proxy certificate instead)
    bindings.add(binding("skiff:node-proxier", "system:node-proxier", group("system:nodes")));
    bindings.add(binding(NODE_AGENT_ROLE, NODE_AGENT_ROLE, group("system:nodes")));
    bindings.add(
        binding(
            "skiff:kubelet-bootstrap", "system:node-bootstrapper", group("system:bootstrappers")));
    bindings.add(
        binding(
            "skiff:node-autoapprove-bootstrap",
            NODE_CLIENT_CSR_ROLE,
            group("system:bootstrappers")));
    bindings.add(
        binding(
            "skiff:node-autoapprove-certificate-rotation",
            SELF_NODE_CLIENT_CSR_ROLE,
            group("system:nodes")));
    bindings.addAll(ControllerPolicy.clusterRoleBindings());
    return bindings;
  }

  private static ObjectNode metadata(ObjectNode object, String name, Map<String, String> labels) {
    ObjectNode metadata = object.putObject("metadata");
    metadata.put("name", name);
    ObjectNode labelNode = metadata.putObject("labels");
    labelNode.put("kubernetes.io/bootstrapping", "rbac-defaults");
    labels.forEach(labelNode::put);
    metadata.putObject("annotations").put(AUTOUPDATE, "true");
    return metadata;
  }

  static ObjectNode clusterRole(String name, Map<String, String> labels, List<PolicyRule> rules) {
    ObjectNode role = Json.object();
    role.put("apiVersion", "rbac.authorization.k8s.io/v1");
    role.put("kind", "ClusterRole");
    metadata(role, name, labels);
    ArrayNode array = role.putArray("rules");
    rules.forEach(r -> array.add(r.toJson()));
    return role;
  }

  private static ObjectNode aggregated(String name, Map<String, String> labels, String target) {
    ObjectNode role = clusterRole(name, labels, List.of());
    role.putObject("aggregationRule")
        .putArray("clusterRoleSelectors")
        .addObject()
        .putObject("matchLabels")
        .put(AGGREGATE_TO + target, "true");
    return role;
  }

  private static ObjectNode user(String name) {
    ObjectNode subject = Json.object();
    subject.put("apiGroup", "rbac.authorization.k8s.io");
    subject.put("kind", "User");
    subject.put("name", name);
    return subject;
  }

  private static ObjectNode group(String name) {
    ObjectNode subject = Json.object();
    subject.put("apiGroup", "rbac.authorization.k8s.io");
    subject.put("kind", "Group");
    subject.put("name", name);
    return subject;
  }

  static ObjectNode serviceAccount(String namespace, String name) {
    ObjectNode subject = Json.object();
    subject.put("kind", "ServiceAccount");
    subject.put("name", name);
    subject.put("namespace", namespace);
    return subject;
  }

  static ObjectNode binding(String name, String clusterRole, ObjectNode... subjects) {
    ObjectNode binding = Json.object();
    binding.put("apiVersion", "rbac.authorization.k8s.io/v1");
    binding.put("kind", "ClusterRoleBinding");
    metadata(binding, name, Map.of());
    ObjectNode roleRef = binding.putObject("roleRef");
    roleRef.put("apiGroup", "rbac.authorization.k8s.io");
    roleRef.put("kind", "ClusterRole");
    roleRef.put("name", clusterRole);
    if (subjects.length > 0) {
      ArrayNode array = binding.putArray("subjects");
      for (ObjectNode subject : subjects) {
        array.add(subject);
      }
    }
    return binding;
  }
}
