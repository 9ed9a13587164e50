package dev.skiff.api.protobuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.api.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** Decodes request bodies captured from the real kubectl 1.32 (`kubectl create ...`). */
class KubernetesProtobufTest {
  private final KubernetesProtobuf protobuf = KubernetesProtobuf.builtIn();

  private static byte[] captured(String resource) throws IOException {
    try (InputStream in =
        KubernetesProtobufTest.class.getResourceAsStream("kubectl-create-" + resource + ".b64")) {
      return Base64.getDecoder()
          .decode(new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip());
    }
  }

  @Test
  void configMapFromLiterals() throws IOException {
    ObjectNode cm = protobuf.decode(captured("configmaps"));
    assertThat(cm)
        .isEqualTo(
            Json.parseObject(
                """
                {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm1","namespace":"default"},
                 "data":{"a":"b","empty":""}}"""
                    .getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void secretDataIsBase64() throws IOException {
    ObjectNode secret = protobuf.decode(captured("secrets"));
    assertThat(secret.path("kind").asString()).isEqualTo("Secret");
    assertThat(secret.path("data").path("password").asString())
        .isEqualTo(Base64.getEncoder().encodeToString("s3cret".getBytes(StandardCharsets.UTF_8)));
    assertThat(secret.has("type")).isFalse();
  }

  @Test
  void deploymentKeepsPointerZerosAndDropsOmittedZeros() throws IOException {
    ObjectNode deployment = protobuf.decode(captured("deployments"));
    assertThat(deployment.path("apiVersion").asString()).isEqualTo("apps/v1");
    assertThat(deployment.path("metadata").path("name").asString()).isEqualTo("web");
    assertThat(deployment.path("metadata").has("creationTimestamp")).isFalse();
    assertThat(deployment.path("metadata").has("generateName")).isFalse();
    assertThat(deployment.path("spec").path("replicas").asInt()).isEqualTo(3);
    assertThat(deployment.path("spec").path("selector").path("matchLabels").path("app").asString())
        .isEqualTo("web");
    ObjectNode container =
        (ObjectNode)
            deployment.path("spec").path("template").path("spec").path("containers").get(0);
    assertThat(container.path("name").asString()).isEqualTo("busybox");
    assertThat(container.path("image").asString()).isEqualTo("busybox:1.36");
    // containerPort has no omitempty in the Go type, hostPort has: JSON keeps the first only
    assertThat(container.path("ports").get(0).path("containerPort").asInt()).isEqualTo(8080);
    assertThat(container.path("ports").get(0).has("hostPort")).isFalse();
    assertThat(container.has("imagePullPolicy")).isFalse();
  }

  @Test
  void serviceWithIntOrStringTargetPort() throws IOException {
    ObjectNode service = protobuf.decode(captured("services"));
    assertThat(service.path("spec").path("type").asString()).isEqualTo("NodePort");
    assertThat(service.path("spec").path("ports").get(0).path("port").asInt()).isEqualTo(80);
    assertThat(service.path("spec").path("ports").get(0).path("targetPort").isNumber()).isTrue();
    assertThat(service.path("spec").path("ports").get(0).path("targetPort").asInt())
        .isEqualTo(8080);
  }

  @Test
  void namespaceAndJob() throws IOException {
    assertThat(protobuf.decode(captured("namespaces")).path("metadata").path("name").asString())
        .isEqualTo("ns1");
    ObjectNode job = protobuf.decode(captured("jobs"));
    assertThat(
            job.path("spec")
                .path("template")
                .path("spec")
                .path("containers")
                .get(0)
                .path("command"))
        .hasSize(2);
    assertThat(job.path("spec").path("template").path("spec").path("restartPolicy").asString())
        .isEqualTo("Never");
  }

  @Test
  void malformedBodiesAreDecodingErrors() {
    assertThatThrownBy(() -> protobuf.decode("{}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(ProtobufDecodingException.class)
        .hasMessageContaining("magic");
    assertThatThrownBy(() -> protobuf.decode(new byte[] {'k', '8', 's', 0, 0x0a, 0x7f}))
        .isInstanceOf(ProtobufDecodingException.class);
    byte[] unknownKind = {'k', '8', 's', 0, 0x0a, 0x08, 0x0a, 0x02, 'v', '1', 0x12, 0x02, 'N', 'o'};
    assertThatThrownBy(() -> protobuf.decode(unknownKind))
        .isInstanceOf(ProtobufDecodingException.class)
        .hasMessageContaining("Kind=No");
  }

  @Test
  void goDurationText() {
    assertThat(GoDuration.format(0)).isEqualTo("0s");
    assertThat(GoDuration.format(1_500_000_000L)).isEqualTo("1.5s");
    assertThat(GoDuration.format(3_723_000_000_000L)).isEqualTo("1h2m3s");
    assertThat(GoDuration.format(300_000_000L)).isEqualTo("300ms");
    assertThat(GoDuration.format(90_000_000_000L)).isEqualTo("1m30s");
  }
}
