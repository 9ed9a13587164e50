package dev.skiff.apiserver.registry.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.Json;
import dev.skiff.api.validation.FieldError;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.node.ObjectNode;

class PersistentVolumeClaimStrategyTest {
  private static final String OLD =
      "{\"spec\":{\"accessModes\":[\"ReadWriteOnce\"],\"resources\":{\"requests\":{\"storage\":\"1Gi\"}}}}";

  record Case(String name, String updated, boolean allowed) {}

  static Stream<Case> cases() {
    return Stream.of(
        new Case("unchanged", OLD, true),
        new Case("larger request", OLD.replace("1Gi", "2Gi"), true),
        new Case(
            "binding",
            OLD.replace("{\"accessModes\"", "{\"volumeName\":\"pv1\",\"accessModes\""),
            true),
        new Case("access modes", OLD.replace("ReadWriteOnce", "ReadWriteMany"), false),
        new Case(
            "class where there was none",
            OLD.replace("{\"accessModes\"", "{\"storageClassName\":\"fast\",\"accessModes\""),
            true));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void specChangesAfterCreation(Case c) {
    PersistentVolumeClaimStrategy strategy = new PersistentVolumeClaimStrategy();
    ObjectNode old = Json.parseObject(OLD.getBytes(StandardCharsets.UTF_8));
    ObjectNode updated = Json.parseObject(c.updated().getBytes(StandardCharsets.UTF_8));
    strategy.applyDefaults(old);
    strategy.applyDefaults(updated);
    assertThat(strategy.validateUpdate(updated, old).stream().map(FieldError::field))
        .isEqualTo(c.allowed() ? java.util.List.of() : java.util.List.of("spec"));
  }
}
