package dev.skiff.apiserver.authz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.apiserver.ControlPlane;
import dev.skiff.apiserver.ControlPlaneOptions;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The RBAC matrix over real HTTPS with fabric8 clients authenticated by client certificates from
 * the cluster CA: default roles, Kubernetes' Forbidden wording, escalation prevention and the node
 * authorizer.
 */
class RbacMatrixTest {
  @TempDir static Path dataDir;

  private static ControlPlane controlPlane;
  private static KubernetesClient admin;
  private static final List<KubernetesClient> clients = new ArrayList<>();

  @BeforeAll
  static void start() {
    controlPlane =
        ControlPlane.start(
            new ControlPlaneOptions(
                    dataDir,
                    "127.0.0.1",
                    0,
                    "memory://",
                    null,
                    null,
                    null,
                    List.of(),
                    dataDir.resolve("admin.kubeconfig"))
                .withDisabledAdmissionPlugins("ServiceAccount"));
    admin = client("admin", "system:masters");
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("team").endMetadata().build())
        .create();
    bind("team", "viewer", "view");
    bind("team", "editor", "edit");
    bind("team", "team-admin", "admin");
    awaitAuthorization();
  }

  @AfterAll
  static void stop() {
    clients.forEach(KubernetesClient::close);
    if (controlPlane != null) {
      controlPlane.close();
    }
  }

  static KubernetesClient client(String user, String... groups) {
    Config config = Config.fromKubeconfig(controlPlane.componentKubeconfig(user, List.of(groups)));
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    clients.add(client);
    return client;
  }

  private static void bind(String namespace, String user, String clusterRole) {
    admin
        .rbac()
        .roleBindings()
        .inNamespace(namespace)
        .resource(
            new RoleBindingBuilder()
                .withNewMetadata()
                .withName(user + "-" + clusterRole)
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", clusterRole)
                .addNewSubject("rbac.authorization.k8s.io", "User", user, null)
                .build())
        .create();
  }

  private static void awaitAuthorization() {
    assertThat(controlPlane.security().awaitCurrent(Duration.ofSeconds(10))).isTrue();
  }

  private static KubernetesClientException forbidden(Runnable call) {
    try {
      call.run();
    } catch (KubernetesClientException e) {
      assertThat(e.getCode()).isEqualTo(403);
      assertThat(e.getStatus().getReason()).isEqualTo("Forbidden");
      return e;
    }
    throw new AssertionError("expected 403 Forbidden");
  }

  @Test
  void unboundUserIsForbiddenWithKubernetesWording() {
    KubernetesClient jane = client("jane");
    KubernetesClientException e = forbidden(() -> jane.pods().inNamespace("default").list());
    assertThat(e.getStatus().getMessage())
        .isEqualTo(
            "pods is forbidden: User \"jane\" cannot list resource \"pods\" in API group \"\" in"
                + " the namespace \"default\"");
    assertThat(e.getStatus().getDetails().getKind()).isEqualTo("pods");

    KubernetesClientException named =
        forbidden(() -> jane.apps().deployments().inNamespace("team").withName("web").get());
    assertThat(named.getStatus().getMessage())
        .isEqualTo(
            "deployments.apps \"web\" is forbidden: User \"jane\" cannot get resource"
                + " \"deployments\" in API group \"apps\" in the namespace \"team\"");

    KubernetesClientException cluster = forbidden(() -> jane.nodes().list());
    assertThat(cluster.getStatus().getMessage())
        .isEqualTo(
            "nodes is forbidden: User \"jane\" cannot list resource \"nodes\" in API group \"\""
                + " at the cluster scope");
  }

  @Test
  void authenticatedUsersMayUseDiscovery() {
    KubernetesClient jane = client("jane-discovery");
    assertThat(jane.getApiGroups().getGroups()).isNotEmpty();
    assertThat(jane.getKubernetesVersion().getGitVersion()).startsWith("v1.");
  }

  @Test
  void viewUserListsButCannotCreate() {
    KubernetesClient viewer = client("viewer");
    admin
        .configMaps()
        .inNamespace("team")
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("settings")
                .endMetadata()
                .addToData("a", "b")
                .build())
        .createOr(r -> r.update());
    assertThat(viewer.pods().inNamespace("team").list().getItems()).isNotNull();
    assertThat(viewer.configMaps().inNamespace("team").withName("settings").get().getData())
        .containsEntry("a", "b");
    KubernetesClientException e =
        forbidden(
            () ->
                viewer
                    .configMaps()
                    .inNamespace("team")
                    .resource(
                        new ConfigMapBuilder()
                            .withNewMetadata()
                            .withName("mine")
                            .endMetadata()
                            .build())
                    .create());
    assertThat(e.getStatus().getMessage())
        .isEqualTo(
            "configmaps is forbidden: User \"viewer\" cannot create resource \"configmaps\" in API"
                + " group \"\" in the namespace \"team\"");
    // view does not include secrets, and the binding is only for namespace team
    forbidden(() -> viewer.secrets().inNamespace("team").list());
    forbidden(() -> viewer.pods().inNamespace("default").list());
  }

  @Test
  void editUserCreatesDeploymentsButNotRoles() {
    KubernetesClient editor = client("editor");
    editor
        .apps()
        .deployments()
        .inNamespace("team")
        .resource(
            new DeploymentBuilder()
                .withNewMetadata()
                .withName("web")
                .endMetadata()
                .withNewSpec()
                .withNewSelector()
                .addToMatchLabels("app", "web")
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app", "web")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("web")
                .withImage("nginx")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();
    assertThat(editor.apps().deployments().inNamespace("team").withName("web").get()).isNotNull();
    KubernetesClientException e =
        forbidden(
            () ->
                editor
                    .rbac()
                    .roles()
                    .inNamespace("team")
                    .resource(
                        new RoleBuilder()
                            .withNewMetadata()
                            .withName("reader")
                            .endMetadata()
                            .addToRules(
                                new PolicyRuleBuilder()
                                    .withApiGroups("")
                                    .withResources("pods")
                                    .withVerbs("get")
                                    .build())
                            .build())
                    .create());
    assertThat(e.getStatus().getMessage())
        .isEqualTo(
            "roles.rbac.authorization.k8s.io is forbidden: User \"editor\" cannot create resource"
                + " \"roles\" in API group \"rbac.authorization.k8s.io\" in the namespace \"team\"");
  }

  @Test
  void roleEscalationIsRefused() {
    KubernetesClient teamAdmin = client("team-admin");
    // within its own permissions: allowed
    teamAdmin
        .rbac()
        .roles()
        .inNamespace("team")
        .resource(
            new RoleBuilder()
                .withNewMetadata()
                .withName("pod-reader")
                .endMetadata()
                .addToRules(
                    new PolicyRuleBuilder()
                        .withApiGroups("")
                        .withResources("pods")
                        .withVerbs("get", "list")
                        .build())
                .build())
        .create();
    // nodes are cluster-scoped and not granted by admin: escalation
    KubernetesClientException role =
        forbidden(
            () ->
                teamAdmin
                    .rbac()
                    .roles()
                    .inNamespace("team")
                    .resource(
                        new RoleBuilder()
                            .withNewMetadata()
                            .withName("node-reader")
                            .endMetadata()
                            .addToRules(
                                new PolicyRuleBuilder()
                                    .withApiGroups("")
                                    .withResources("nodes")
                                    .withVerbs("get")
                                    .build())
                            .build())
                    .create());
    assertThat(role.getStatus().getMessage())
        .isEqualTo(
            "roles.rbac.authorization.k8s.io \"node-reader\" is forbidden: user \"team-admin\""
                + " (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions"
                + " not currently held:\n{APIGroups:[\"\"], Resources:[\"nodes\"], Verbs:[\"get\"]}");
    assertThat(teamAdmin.rbac().roles().inNamespace("team").withName("node-reader").get()).isNull();
    // binding cluster-admin is escalation too, binding a role it holds is not
    KubernetesClientException binding =
        forbidden(
            () ->
                teamAdmin
                    .rbac()
                    .roleBindings()
                    .inNamespace("team")
                    .resource(
                        new RoleBindingBuilder()
                            .withNewMetadata()
                            .withName("grab")
                            .endMetadata()
                            .withNewRoleRef(
                                "rbac.authorization.k8s.io", "ClusterRole", "cluster-admin")
                            .addNewSubject("rbac.authorization.k8s.io", "User", "team-admin", null)
                            .build())
                    .create());
    assertThat(binding.getStatus().getMessage())
        .startsWith(
            "rolebindings.rbac.authorization.k8s.io \"grab\" is forbidden: user \"team-admin\"");
    teamAdmin
        .rbac()
        .roleBindings()
        .inNamespace("team")
        .resource(
            new RoleBindingBuilder()
                .withNewMetadata()
                .withName("readers")
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "Role", "pod-reader")
                .addNewSubject("rbac.authorization.k8s.io", "User", "reader", null)
                .build())
        .create();
    awaitAuthorization();
    KubernetesClient reader = client("reader");
    assertThat(reader.pods().inNamespace("team").list().getItems()).isEmpty();
    forbidden(() -> reader.configMaps().inNamespace("team").list());
  }

  @Test
  void kubeletReadsOnlySecretsOfItsOwnPods() {
    for (String node : List.of("node-a", "node-b")) {
      admin
          .secrets()
          .inNamespace("default")
          .resource(
              new SecretBuilder()
                  .withNewMetadata()
                  .withName("secret-" + node)
                  .endMetadata()
                  .addToStringData("k", "v")
                  .build())
          .create();
      admin
          .pods()
          .inNamespace("default")
          .resource(
              new PodBuilder()
                  .withNewMetadata()
                  .withName("pod-" + node)
                  .endMetadata()
                  .withNewSpec()
                  .withNodeName(node)
                  .addNewContainer()
                  .withName("c")
                  .withImage("busybox")
                  .endContainer()
                  .addNewVolume()
                  .withName("s")
                  .withNewSecret()
                  .withSecretName("secret-" + node)
                  .endSecret()
                  .endVolume()
                  .endSpec()
                  .build())
          .create();
    }
    awaitAuthorization();
    KubernetesClient kubelet = client("system:node:node-a", "system:nodes");
    assertThat(kubelet.secrets().inNamespace("default").withName("secret-node-a").get())
        .isNotNull();
    KubernetesClientException other =
        forbidden(() -> kubelet.secrets().inNamespace("default").withName("secret-node-b").get());
    assertThat(other.getStatus().getMessage())
        .isEqualTo(
            "secrets \"secret-node-b\" is forbidden: User \"system:node:node-a\" cannot get"
                + " resource \"secrets\" in API group \"\" in the namespace \"default\": no"
                + " relationship found between node 'node-a' and this object");
    forbidden(() -> kubelet.secrets().inNamespace("default").list());
    // the rest of system:node applies: it may read pods and nodes
    assertThat(kubelet.pods().inNamespace("default").list().getItems()).hasSizeGreaterThan(1);
  }

  @Test
  void defaultRolesAreReconciledAndAggregated() {
    ClusterRole adminRole = admin.rbac().clusterRoles().withName("admin").get();
    assertThat(adminRole.getAggregationRule().getClusterRoleSelectors()).hasSize(1);
    assertThat(adminRole.getRules())
        .anySatisfy(r -> assertThat(r.getResources()).contains("rolebindings", "roles"))
        .anySatisfy(r -> assertThat(r.getResources()).contains("deployments"))
        .anySatisfy(r -> assertThat(r.getResources()).contains("pods/log"));
    assertThat(admin.rbac().clusterRoleBindings().withName("cluster-admin").get().getSubjects())
        .anySatisfy(s -> assertThat(s.getName()).isEqualTo("system:masters"));
    for (String name :
        List.of(
            "cluster-admin",
            "edit",
            "view",
            "system:discovery",
            "system:basic-user",
            "system:public-info-viewer",
            "system:kube-scheduler",
            "system:kube-controller-manager",
            "system:node")) {
      ClusterRole role = admin.rbac().clusterRoles().withName(name).get();
      assertThat(role).as(name).isNotNull();
      assertThat(role.getMetadata().getAnnotations())
          .containsEntry("rbac.authorization.kubernetes.io/autoupdate", "true");
    }
  }

  @Test
  void aggregationFollowsNewLabelledRoles() {
    admin
        .rbac()
        .clusterRoles()
        .resource(
            new io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder()
                .withNewMetadata()
                .withName("widgets-view")
                .addToLabels("rbac.authorization.k8s.io/aggregate-to-view", "true")
                .endMetadata()
                .addToRules(
                    new PolicyRuleBuilder()
                        .withApiGroups("example.com")
                        .withResources("widgets")
                        .withVerbs("get")
                        .build())
                .build())
        .create();
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(admin.rbac().clusterRoles().withName("admin").get().getRules())
                    .anySatisfy(r -> assertThat(r.getResources()).contains("widgets")));
  }

  @Test
  void mastersNeedNoBinding() {
    KubernetesClient other = client("someone-else", "system:masters");
    assertThat(other.nodes().list().getItems()).isNotNull();
    assertThatThrownBy(() -> client("nobody").namespaces().list())
        .isInstanceOf(KubernetesClientException.class);
  }
}
