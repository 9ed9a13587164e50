package dev.skiff.apiserver.authz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.apiserver.ControlPlane;
import dev.skiff.apiserver.ControlPlaneOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real kubectl: {@code auth can-i [--list]}, {@code auth whoami} and {@code --as}. */
class KubectlAuthTest {
  @TempDir static Path dataDir;

  private static ControlPlane controlPlane;
  private static Path adminConfig;
  private static Path viewerConfig;

  record Result(int exit, String out, String err) {}

  @BeforeAll
  static void start() throws Exception {
    adminConfig = dataDir.resolve("admin.kubeconfig");
    controlPlane =
        ControlPlane.start(
            new ControlPlaneOptions(
                dataDir, "127.0.0.1", 0, "memory://", null, null, null, List.of(), adminConfig));
    viewerConfig = dataDir.resolve("viewer.kubeconfig");
    Files.writeString(viewerConfig, controlPlane.componentKubeconfig("viewer", List.of("qa")));
    Path manifest = dataDir.resolve("team.yaml");
    Files.writeString(
        manifest,
        """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: team
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata:
          name: viewers
          namespace: team
        roleRef:
          apiGroup: rbac.authorization.k8s.io
          kind: ClusterRole
          name: view
        subjects:
        - apiGroup: rbac.authorization.k8s.io
          kind: Group
          name: qa
        """);
    Result applied = kubectl(adminConfig, "apply", "-f", manifest.toString());
    assertThat(applied.exit()).as(applied.err()).isZero();
    assertThat(controlPlane.security().awaitCurrent(Duration.ofSeconds(10))).isTrue();
  }

  @AfterAll
  static void stop() {
    if (controlPlane != null) {
      controlPlane.close();
    }
  }

  static Result kubectl(Path kubeconfig, String... args) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(args));
    Path err = Files.createTempFile(dataDir, "kubectl", ".err");
    Process process = new ProcessBuilder(command).redirectError(err.toFile()).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), out, Files.readString(err));
  }

  @Test
  void canIAnswersYesAndNo() throws Exception {
    Result yes = kubectl(viewerConfig, "auth", "can-i", "list", "pods", "-n", "team");
    assertThat(yes.out().trim()).isEqualTo("yes");
    assertThat(yes.exit()).isZero();
    Result no = kubectl(viewerConfig, "auth", "can-i", "create", "deployments.apps", "-n", "team");
    assertThat(no.out().trim()).isEqualTo("no");
    assertThat(no.exit()).isEqualTo(1);
    Result otherNamespace = kubectl(viewerConfig, "auth", "can-i", "get", "pods", "-n", "default");
    assertThat(otherNamespace.out().trim()).isEqualTo("no");
    Result admin = kubectl(adminConfig, "auth", "can-i", "*", "*");
    assertThat(admin.out().trim()).isEqualTo("yes");
    Result path = kubectl(viewerConfig, "auth", "can-i", "get", "/version");
    assertThat(path.out().trim()).isEqualTo("yes");
  }

  @Test
  void canIForAnotherUserUsesSubjectAccessReviewThroughImpersonation() throws Exception {
    Result asViewer =
        kubectl(
            adminConfig,
            "auth",
            "can-i",
            "list",
            "pods",
            "-n",
            "team",
            "--as=viewer",
            "--as-group=qa");
    assertThat(asViewer.out().trim()).isEqualTo("yes");
    Result asStranger =
        kubectl(adminConfig, "auth", "can-i", "list", "pods", "-n", "team", "--as=stranger");
    assertThat(asStranger.out().trim()).isEqualTo("no");
  }

  @Test
  void canIListShowsTheRulesOfTheNamespace() throws Exception {
    Result list = kubectl(viewerConfig, "auth", "can-i", "--list", "-n", "team");
    assertThat(list.exit()).as(list.err()).isZero();
    assertThat(list.out())
        .contains("Resources")
        .contains("Non-Resource URLs")
        .contains("selfsubjectaccessreviews.authorization.k8s.io")
        .contains("deployments.apps")
        .containsPattern("pods +\\[\\] +\\[\\] +\\[get list watch\\]")
        .contains("[/version]");
    assertThat(kubectl(viewerConfig, "auth", "can-i", "--list", "-n", "default").out())
        .doesNotContain("deployments.apps");
  }

  @Test
  void whoamiPrintsTheAuthenticatedUser() throws Exception {
    Result whoami = kubectl(viewerConfig, "auth", "whoami");
    assertThat(whoami.exit()).as(whoami.err()).isZero();
    assertThat(whoami.out())
        .containsPattern("Username +viewer")
        .containsPattern("Groups +\\[qa system:authenticated\\]");
    Result impersonated =
        kubectl(adminConfig, "auth", "whoami", "--as=jane", "--as-group=devs", "-o", "json");
    assertThat(impersonated.out())
        .contains("\"username\": \"jane\"")
        .contains("\"devs\"")
        .contains("\"system:authenticated\"");
  }

  @Test
  void impersonationNeedsTheImpersonateVerb() throws Exception {
    Result denied = kubectl(viewerConfig, "get", "pods", "-n", "team", "--as=jane");
    assertThat(denied.exit()).isNotZero();
    assertThat(denied.err())
        .contains(
            "users \"jane\" is forbidden: User \"viewer\" cannot impersonate resource \"users\" in"
                + " API group \"\" at the cluster scope");
    Result allowed =
        kubectl(adminConfig, "get", "pods", "-n", "team", "--as=viewer", "--as-group=qa");
    assertThat(allowed.exit()).as(allowed.err()).isZero();
    Result forbidden =
        kubectl(adminConfig, "get", "secrets", "-n", "team", "--as=viewer", "--as-group=qa");
    assertThat(forbidden.err())
        .contains(
            "secrets is forbidden: User \"viewer\" cannot list resource \"secrets\" in API group"
                + " \"\" in the namespace \"team\"");
  }
}
