package dev.skiff.apiserver.registry.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.Json;
import dev.skiff.api.validation.FieldError;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.node.ObjectNode;

class PodStrategyTest {
  private final PodStrategy strategy = new PodStrategy();

  record PullCase(String name, String image, String policy) {}

  static Stream<PullCase> pullPolicies() {
    return Stream.of(
        new PullCase("untagged", "nginx", "Always"),
        new PullCase("latest", "nginx:latest", "Always"),
        new PullCase("tagged", "nginx:1.27", "IfNotPresent"),
        new PullCase("registry port untagged", "localhost:5000/app", "Always"),
        new PullCase("registry port tagged", "localhost:5000/app:v1", "IfNotPresent"),
        new PullCase("digest", "nginx@sha256:abc", "IfNotPresent"));
  }

  @ParameterizedTest
  @MethodSource("pullPolicies")
  void imagePullPolicyFollowsTheTag(PullCase c) {
    assertThat(PodTemplates.pullPolicy(c.image())).isEqualTo(c.policy());
  }

  record QosCase(String name, String resources, String qos) {}

  static Stream<QosCase> qosClasses() {
    return Stream.of(
        new QosCase("none", "{}", "BestEffort"),
        new QosCase("requests only", "{\"requests\":{\"cpu\":\"100m\"}}", "Burstable"),
        new QosCase(
            "limits equal requests",
            "{\"limits\":{\"cpu\":\"1\",\"memory\":\"1Gi\"},\"requests\":{\"cpu\":\"1\",\"memory\":\"1Gi\"}}",
            "Guaranteed"),
        new QosCase("limits only", "{\"limits\":{\"cpu\":\"1\",\"memory\":\"1Gi\"}}", "Guaranteed"),
        new QosCase("cpu limit only", "{\"limits\":{\"cpu\":\"1\"}}", "Burstable"));
  }

  @ParameterizedTest
  @MethodSource("qosClasses")
  void qosClassFromResources(QosCase c) {
    ObjectNode spec =
        Json.parseObject(
            ("{\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"resources\":"
                    + c.resources()
                    + "}]}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(PodStrategy.qosClass(spec)).isEqualTo(c.qos());
  }

  private static ObjectNode pod(String image) {
    ObjectNode pod =
        Json.parseObject(
            ("{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\""
                    + image
                    + "\"}]}}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return pod;
  }

  @Test
  void imageMayChangeButOtherSpecFieldsMayNot() {
    ObjectNode old = pod("a:1");
    strategy.applyDefaults(old);
    ObjectNode newImage = pod("a:2");
    strategy.applyDefaults(newImage);
    assertThat(strategy.validateUpdate(newImage, old)).isEmpty();
    ObjectNode newPolicy = newImage.deepCopy();
    ((ObjectNode) newPolicy.path("spec")).put("restartPolicy", "Never");
    assertThat(strategy.validateUpdate(newPolicy, old))
        .extracting(FieldError::field)
        .containsExactly("spec");
  }

  @Test
  void boundPodsWaitForTheirGracePeriod() {
    ObjectNode pod = pod("a:1");
    strategy.applyDefaults(pod);
    assertThat(strategy.gracePeriodSeconds(pod, null)).isZero();
    ((ObjectNode) pod.path("spec")).put("nodeName", "n1");
    assertThat(strategy.gracePeriodSeconds(pod, null)).isEqualTo(30);
    assertThat(strategy.gracePeriodSeconds(pod, 5L)).isEqualTo(5);
    assertThat(strategy.gracePeriodSeconds(pod, 0L)).isZero();
    pod.putObject("status").put("phase", "Succeeded");
    assertThat(strategy.gracePeriodSeconds(pod, null)).isZero();
  }

  @Test
  void onlyPodsThatAreNotMirrorsGetTheDefaultServiceAccount() {
    ObjectNode pod = Json.parseObject("{\"metadata\":{\"name\":\"p\"},\"spec\":{}}".getBytes());
    strategy.prepareForCreate(pod);
    assertThat(pod.path("spec").path("serviceAccountName").asString()).isEqualTo("default");

    ObjectNode mirror =
        Json.parseObject(
            ("{\"metadata\":{\"name\":\"p-node1\",\"annotations\":"
                    + "{\"kubernetes.io/config.mirror\":\"abc\"}},\"spec\":{}}")
                .getBytes());
    strategy.prepareForCreate(mirror);
    assertThat(mirror.path("spec").has("serviceAccountName")).isFalse();
    assertThat(mirror.path("spec").has("serviceAccount")).isFalse();
  }

  @Test
  void missingContainersAndImagesAreRequired() {
    ObjectNode pod = Json.object();
    pod.putObject("spec").putArray("containers").addObject().put("name", "c");
    strategy.applyDefaults(pod);
    assertThat(strategy.validate(pod))
        .extracting(FieldError::field)
        .containsExactly("spec.containers[0].image");
    ObjectNode empty = Json.object();
    empty.putObject("spec");
    strategy.applyDefaults(empty);
    assertThat(strategy.validate(empty))
        .extracting(FieldError::field)
        .containsExactly("spec.containers");
  }
}
