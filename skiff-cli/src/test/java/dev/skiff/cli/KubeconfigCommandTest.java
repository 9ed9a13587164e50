package dev.skiff.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.apiserver.ControlPlane;
import dev.skiff.apiserver.ControlPlaneOptions;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code skiff kubeconfig create}, checked with the real kubectl. */
class KubeconfigCommandTest {
  @TempDir static Path dataDir;
  @TempDir static Path work;

  private static ControlPlane controlPlane;
  private static KubernetesClient admin;

  record Result(int exit, String out, String err) {}

  @BeforeAll
  static void start() throws Exception {
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
                dataDir.resolve("admin.kubeconfig")));
    admin =
        new KubernetesClientBuilder()
            .withConfig(
                Config.fromKubeconfig(Files.readString(dataDir.resolve("admin.kubeconfig"))))
            .build();
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("team").endMetadata().build())
        .create();
    admin
        .rbac()
        .roleBindings()
        .inNamespace("team")
        .resource(
            new RoleBindingBuilder()
                .withNewMetadata()
                .withName("qa-view")
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "view")
                .addNewSubject("rbac.authorization.k8s.io", "Group", "qa", null)
                .build())
        .create();
    admin
        .serviceAccounts()
        .inNamespace("default")
        .resource(
            new ServiceAccountBuilder().withNewMetadata().withName("bot").endMetadata().build())
        .create();
    assertThat(controlPlane.security().awaitCurrent(Duration.ofSeconds(10))).isTrue();
  }

  @AfterAll
  static void stop() {
    if (admin != null) {
      admin.close();
    }
    if (controlPlane != null) {
      controlPlane.close();
    }
  }

  static Result kubectl(Path kubeconfig, String... args) throws Exception {
    List<String> command =
        new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(args));
    Path err = Files.createTempFile(work, "kubectl", ".err");
    Process process = new ProcessBuilder(command).redirectError(err.toFile()).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), out, Files.readString(err));
  }

  @Test
  void certificateUserGetsAKubeconfigWhoseRbacApplies() throws Exception {
    Path out = work.resolve("carol.kubeconfig");
    assertThat(
            Main.run(
                "kubeconfig",
                "create",
                "--data-dir",
                dataDir.toString(),
                "--user",
                "carol",
                "--group",
                "qa",
                "--namespace",
                "team",
                "--expiry",
                "24h",
                "--out",
                out.toString()))
        .isZero();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out)))
        .isEqualTo("rw-------");
    Result whoami = kubectl(out, "auth", "whoami");
    assertThat(whoami.out())
        .containsPattern("Username +carol")
        .containsPattern("Groups +\\[qa system:authenticated\\]");
    Result pods = kubectl(out, "get", "pods");
    assertThat(pods.exit()).as(pods.err()).isZero();
    assertThat(pods.err()).contains("No resources found in team namespace.");
    Result secrets = kubectl(out, "get", "secrets");
    assertThat(secrets.err())
        .contains(
            "secrets is forbidden: User \"carol\" cannot list resource \"secrets\" in API group \"\" in the namespace \"team\"");
  }

  @Test
  void tokenModeWritesAServiceAccountKubeconfig() throws Exception {
    Path out = work.resolve("bot.kubeconfig");
    assertThat(
            Main.run(
                "kubeconfig",
                "create",
                "--kubeconfig",
                dataDir.resolve("admin.kubeconfig").toString(),
                "--user",
                "bot",
                "--token",
                "--expiry",
                "1h",
                "--out",
                out.toString()))
        .isZero();
    assertThat(Files.readString(out)).contains("token:");
    assertThat(kubectl(out, "auth", "whoami").out())
        .containsPattern("Username +system:serviceaccount:default:bot");
  }

  @Test
  void missingCaIsAOneLineError() {
    assertThat(
            Main.run(
                "kubeconfig",
                "create",
                "--data-dir",
                work.resolve("nothing").toString(),
                "--kubeconfig",
                dataDir.resolve("admin.kubeconfig").toString(),
                "--user",
                "x",
                "--out",
                work.resolve("x").toString()))
        .isEqualTo(1);
  }

  @Test
  void expiryUsesGoDurations() {
    assertThat(KubeconfigCommand.parseDuration("720h")).isEqualTo(Duration.ofHours(720));
    assertThat(KubeconfigCommand.parseDuration("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThatThrownBy(() -> KubeconfigCommand.parseDuration("3d"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
