package dev.skiff.apiserver.pki;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

class KubeconfigWriterTest {
  @TempDir Path dir;

  @Test
  void kubectlReadsTheAdminKubeconfig() throws Exception {
    ClusterPki pki = ClusterPki.loadOrCreate(dir, List.of());
    Path file = dir.resolve("kubeconfig.yaml");

    KubeconfigWriter.writeAdmin(file, "https://127.0.0.1:6443", pki);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(kubectl("config", "current-context", "--kubeconfig", file.toString()).trim())
        .isEqualTo("skiff");
    JsonNode view =
        Json.MAPPER.readTree(
            kubectl("config", "view", "--raw", "-o", "json", "--kubeconfig", file.toString()));
    JsonNode cluster = view.get("clusters").get(0);
    assertThat(cluster.get("name").asString()).isEqualTo("skiff");
    assertThat(cluster.get("cluster").get("server").asString()).isEqualTo("https://127.0.0.1:6443");
    assertThat(decode(cluster.get("cluster").get("certificate-authority-data")))
        .isEqualTo(pki.caCertificatePem());
    JsonNode user = view.get("users").get(0);
    assertThat(user.get("name").asString()).isEqualTo("admin");
    assertThat(decode(user.get("user").get("client-certificate-data")))
        .isEqualTo(pki.adminCertificate().certificatePem());
    assertThat(decode(user.get("user").get("client-key-data")))
        .isEqualTo(pki.adminCertificate().privateKeyPem());
    JsonNode context = view.get("contexts").get(0);
    assertThat(context.get("context").get("cluster").asString()).isEqualTo("skiff");
    assertThat(context.get("context").get("user").asString()).isEqualTo("admin");
  }

  @Test
  void rewritingReplacesTheFile() throws Exception {
    ClusterPki pki = ClusterPki.loadOrCreate(dir, List.of());
    Path file = dir.resolve("config");

    KubeconfigWriter.writeAdmin(file, "https://127.0.0.1:1", pki);
    KubeconfigWriter.writeAdmin(file, "https://127.0.0.1:2", pki);

    assertThat(Files.readString(file)).contains("https://127.0.0.1:2").doesNotContain(":1\n");
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).doesNotContain(".config.tmp");
    }
  }

  private static String decode(JsonNode base64) {
    return new String(Base64.getDecoder().decode(base64.asString()), StandardCharsets.UTF_8);
  }

  static String kubectl(String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>();
    command.add("kubectl");
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }
}
