package dev.skiff.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.apiserver.ControlPlane;
import dev.skiff.apiserver.ControlPlaneOptions;
import dev.skiff.apiserver.pki.Pem;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code skiff certs check} and {@code skiff certs rotate} on a server's data dir. */
class CertsCommandTest {
  @TempDir Path dataDir;

  private ControlPlane start() {
    return ControlPlane.start(
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
  }

  private String run(String... args) {
    StringWriter out = new StringWriter();
    CommandLine line = new CommandLine(new Main()).setOut(new PrintWriter(out));
    assertThat(line.execute(args)).isZero();
    return out.toString();
  }

  @Test
  void checkListsEveryCertificateWithItsExpiry() {
    try (ControlPlane ignored = start()) {
      String out = run("certs", "check", "--data-dir", dataDir.toString());
      assertThat(out.lines().findFirst().orElseThrow()).startsWith("CERTIFICATE");
      assertThat(out)
          .containsPattern("(?m)^ca +\\S+ +9y")
          .containsPattern("(?m)^serving +\\S+ +364d")
          .containsPattern("(?m)^admin .*CN=admin");
    }
  }

  @Test
  void rotateIssuesNewLeavesThatTheNextStartUses() throws Exception {
    String oldServing;
    try (ControlPlane ignored = start()) {
      oldServing = Files.readString(dataDir.resolve("tls/serving.crt"));
    }
    String oldKubeconfig = Files.readString(dataDir.resolve("admin.kubeconfig"));
    String oldCa = Files.readString(dataDir.resolve("tls/ca.crt"));
    assertThat(run("certs", "rotate", "--data-dir", dataDir.toString()))
        .contains("restart the server");
    assertThat(Files.readString(dataDir.resolve("tls/serving.crt"))).isNotEqualTo(oldServing);
    assertThat(Files.readString(dataDir.resolve("tls/ca.crt"))).isEqualTo(oldCa);
    assertThat(Files.readString(dataDir.resolve("admin.kubeconfig"))).isNotEqualTo(oldKubeconfig);
    assertThat(
            Pem.decodeCertificate(Files.readString(dataDir.resolve("tls/serving.crt")))
                .getSerialNumber())
        .isNotEqualTo(Pem.decodeCertificate(oldServing).getSerialNumber());
    try (ControlPlane ignored = start();
        KubernetesClient client =
            new KubernetesClientBuilder()
                .withConfig(
                    Config.fromKubeconfig(Files.readString(dataDir.resolve("admin.kubeconfig"))))
                .build()) {
      assertThat(client.namespaces().withName("default").get()).isNotNull();
    }
  }
}
