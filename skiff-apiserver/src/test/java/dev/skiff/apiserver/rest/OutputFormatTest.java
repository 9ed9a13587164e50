package dev.skiff.apiserver.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.apiserver.http.ApiException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class OutputFormatTest {
  record Case(String name, String accept, boolean reads, OutputFormat expected) {}

  static Stream<Case> cases() {
    return Stream.of(
        new Case("absent", null, true, OutputFormat.JSON),
        new Case("json", "application/json", false, OutputFormat.JSON),
        new Case("any", "*/*", false, OutputFormat.JSON),
        new Case("yaml", "application/yaml", false, OutputFormat.YAML),
        new Case(
            "kubectl get",
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json",
            true,
            new OutputFormat("application/json", "v1", null)),
        new Case(
            "table on a write falls back",
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
            false,
            OutputFormat.JSON),
        new Case(
            "metadata list",
            "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1",
            true,
            new OutputFormat("application/json", null, "v1")),
        new Case(
            "protobuf first",
            "application/vnd.kubernetes.protobuf,application/json",
            true,
            OutputFormat.JSON));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void negotiates(Case c) {
    assertThat(OutputFormat.negotiate(c.accept(), c.reads())).isEqualTo(c.expected());
  }

  @ParameterizedTest
  @MethodSource("unacceptable")
  void refusesWhatItCannotProduce(String accept) {
    assertThatThrownBy(() -> OutputFormat.negotiate(accept, true))
        .isInstanceOf(ApiException.class)
        .extracting(e -> ((ApiException) e).code())
        .isEqualTo(406);
  }

  static Stream<String> unacceptable() {
    return Stream.of(
        "application/vnd.kubernetes.protobuf",
        "text/html",
        "application/json;as=Table;v=v2;g=meta.k8s.io");
  }
}
