package dev.skiff.apiserver.registry.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.Json;
import dev.skiff.api.validation.FieldError;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class JobStrategyTest {
  private final JobStrategy strategy = new JobStrategy();

  private static ObjectNode job(String restartPolicy) {
    return Json.parseObject(
        ("{\"metadata\":{\"name\":\"j\",\"uid\":\"u-1\"},\"spec\":{\"template\":{\"spec\":{"
                + restartPolicy
                + "\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}}}")
            .getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void defaultsAndGeneratedSelector() {
    ObjectNode job = job("\"restartPolicy\":\"Never\",");
    strategy.applyDefaults(job);
    strategy.prepareForCreate(job);
    ObjectNode spec = (ObjectNode) job.path("spec");
    assertThat(spec.path("completions").asInt()).isEqualTo(1);
    assertThat(spec.path("parallelism").asInt()).isEqualTo(1);
    assertThat(spec.path("backoffLimit").asInt()).isEqualTo(6);
    assertThat(spec.path("completionMode").asString()).isEqualTo("NonIndexed");
    assertThat(spec.path("suspend").asBoolean()).isFalse();
    assertThat(
            spec.path("selector").path("matchLabels").path(JobStrategy.CONTROLLER_UID).asString())
        .isEqualTo("u-1");
    assertThat(spec.path("template").path("metadata").path("labels").path("job-name").asString())
        .isEqualTo("j");
    assertThat(strategy.validate(job)).isEmpty();
  }

  @Test
  void restartPolicyAlwaysIsNotSupported() {
    ObjectNode job = job("");
    strategy.applyDefaults(job);
    assertThat(strategy.validate(job))
        .extracting(FieldError::field, FieldError::body)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "spec.template.spec.restartPolicy",
                "Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\""));
  }
}
