package dev.skiff.apiserver.registry.apps;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.Json;
import dev.skiff.api.validation.FieldError;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class DeploymentStrategyTest {
  private final DeploymentStrategy strategy = new DeploymentStrategy();

  private static ObjectNode deployment(String selector, String labels) {
    return Json.parseObject(
        ("{\"metadata\":{\"name\":\"d\"},\"spec\":{\"selector\":"
                + selector
                + ",\"template\":{\"metadata\":{\"labels\":"
                + labels
                + "},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx\"}]}}}}")
            .getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void defaultsMatchKubernetes() {
    ObjectNode d = deployment("{\"matchLabels\":{\"a\":\"b\"}}", "{\"a\":\"b\"}");
    strategy.applyDefaults(d);
    ObjectNode spec = (ObjectNode) d.path("spec");
    assertThat(spec.path("replicas").asInt()).isEqualTo(1);
    assertThat(spec.path("revisionHistoryLimit").asInt()).isEqualTo(10);
    assertThat(spec.path("progressDeadlineSeconds").asInt()).isEqualTo(600);
    assertThat(spec.path("strategy").path("type").asString()).isEqualTo("RollingUpdate");
    assertThat(spec.path("strategy").path("rollingUpdate").path("maxUnavailable").asString())
        .isEqualTo("25%");
    assertThat(spec.path("template").path("spec").path("restartPolicy").asString())
        .isEqualTo("Always");
    assertThat(strategy.validate(d)).isEmpty();
  }

  @Test
  void selectorMustMatchTemplateLabelsAndStayFixed() {
    ObjectNode mismatched = deployment("{\"matchLabels\":{\"a\":\"b\"}}", "{\"a\":\"c\"}");
    strategy.applyDefaults(mismatched);
    assertThat(strategy.validate(mismatched))
        .extracting(FieldError::field)
        .containsExactly("spec.template.metadata.labels");
    ObjectNode old = deployment("{\"matchLabels\":{\"a\":\"b\"}}", "{\"a\":\"b\",\"x\":\"y\"}");
    ObjectNode changed = deployment("{\"matchLabels\":{\"x\":\"y\"}}", "{\"a\":\"b\",\"x\":\"y\"}");
    strategy.applyDefaults(old);
    strategy.applyDefaults(changed);
    assertThat(strategy.validateUpdate(changed, old))
        .extracting(FieldError::field)
        .containsExactly("spec.selector");
  }

  @Test
  void matchExpressionsSelect() {
    ObjectNode selector =
        Json.parseObject(
            "{\"matchExpressions\":[{\"key\":\"tier\",\"operator\":\"In\",\"values\":[\"a\",\"b\"]},{\"key\":\"x\",\"operator\":\"DoesNotExist\"}]}"
                .getBytes(StandardCharsets.UTF_8));
    assertThat(WorkloadStrategy.matches(selector, Json.object().put("tier", "a"))).isTrue();
    assertThat(WorkloadStrategy.matches(selector, Json.object().put("tier", "c"))).isFalse();
    assertThat(WorkloadStrategy.matches(selector, Json.object().put("tier", "a").put("x", "1")))
        .isFalse();
  }
}
