package dev.skiff.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class NameValidationTest {
  private static final String SUBDOMAIN_MSG =
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or"
          + " '.', and must start and end with an alphanumeric character (e.g. 'example.com',"
          + " regex used for validation is"
          + " '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
  private static final String LABEL_MSG =
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and"
          + " must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc',"
          + " regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
  private static final String DNS1035_MSG =
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an"
          + " alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or"
          + " 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
  private static final String NAME_PART_MSG =
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end"
          + " with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex"
          + " used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

  record Case(String name, String value, List<String> errors) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> subdomains() {
    return Stream.of(
        new Case("simple", "example.com", List.of()),
        new Case("digits", "123", List.of()),
        new Case("upper case", "Example", List.of(SUBDOMAIN_MSG)),
        new Case("leading dash", "-a", List.of(SUBDOMAIN_MSG)),
        new Case("empty", "", List.of(SUBDOMAIN_MSG)),
        new Case("too long", "a".repeat(254), List.of("must be no more than 253 characters")),
        new Case("max length", "a".repeat(253), List.of()));
  }

  @ParameterizedTest
  @MethodSource("subdomains")
  void dns1123Subdomain(Case c) {
    assertThat(NameValidation.isDns1123Subdomain(c.value())).isEqualTo(c.errors());
  }

  static Stream<Case> labels() {
    return Stream.of(
        new Case("simple", "my-name", List.of()),
        new Case("dots", "a.b", List.of("must not contain dots")),
        new Case("underscore", "a_b", List.of(LABEL_MSG)),
        new Case(
            "too long and bad",
            "A".repeat(64),
            List.of("must be no more than 63 characters", LABEL_MSG)));
  }

  @ParameterizedTest
  @MethodSource("labels")
  void dns1123Label(Case c) {
    assertThat(NameValidation.isDns1123Label(c.value())).isEqualTo(c.errors());
  }

  static Stream<Case> dns1035() {
    return Stream.of(
        new Case("simple", "my-svc", List.of()),
        new Case("leading digit", "1svc", List.of(DNS1035_MSG)),
        new Case("trailing dash", "svc-", List.of(DNS1035_MSG)));
  }

  @ParameterizedTest
  @MethodSource("dns1035")
  void dns1035Label(Case c) {
    assertThat(NameValidation.isDns1035Label(c.value())).isEqualTo(c.errors());
  }

  static Stream<Case> qualifiedNames() {
    return Stream.of(
        new Case("plain", "app", List.of()),
        new Case("prefixed", "example.com/My_Name.1", List.of()),
        new Case("empty", "", List.of("name part must be non-empty", NAME_PART_MSG)),
        new Case("bad name", "a$", List.of(NAME_PART_MSG)),
        new Case("empty prefix", "/a", List.of("prefix part must be non-empty")),
        new Case("bad prefix", "Example.com/a", List.of("prefix part " + SUBDOMAIN_MSG)),
        new Case(
            "long name", "a".repeat(64), List.of("name part must be no more than 63 characters")),
        new Case(
            "two slashes",
            "a/b/c",
            List.of(
                "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and"
                    + " must start and end with an alphanumeric character (e.g. 'MyName',  or"
                    + " 'my.name',  or '123-abc', regex used for validation is"
                    + " '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain"
                    + " prefix and '/' (e.g. 'example.com/MyName')")));
  }

  @ParameterizedTest
  @MethodSource("qualifiedNames")
  void qualifiedName(Case c) {
    assertThat(NameValidation.isQualifiedName(c.value())).isEqualTo(c.errors());
  }

  @Test
  void labelValues() {
    assertThat(NameValidation.isValidLabelValue("")).isEmpty();
    assertThat(NameValidation.isValidLabelValue("My_value-1.2")).isEmpty();
    assertThat(NameValidation.isValidLabelValue("-x"))
        .containsExactly(
            "a valid label must be an empty string or consist of alphanumeric characters, '-', '_'"
                + " or '.', and must start and end with an alphanumeric character (e.g. 'MyValue', "
                + " or 'my_value',  or '12345', regex used for validation is"
                + " '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
    assertThat(NameValidation.isValidLabelValue("a".repeat(64)))
        .containsExactly("must be no more than 63 characters");
  }

  @Test
  void labelsAndAnnotationsAsFieldErrors() {
    List<FieldError> errs = NameValidation.validateLabels(Map.of("a$", "ok"), "metadata.labels");
    assertThat(errs).hasSize(1);
    assertThat(errs.get(0).toString())
        .isEqualTo("metadata.labels: Invalid value: \"a$\": " + NAME_PART_MSG);
    assertThat(errs.get(0).type().reason()).isEqualTo("FieldValueInvalid");

    assertThat(NameValidation.validateAnnotations(Map.of("Example.COM/Key", "v"), "a")).isEmpty();
    Map<String, String> big = new LinkedHashMap<>();
    big.put("k", "x".repeat(256 * 1024));
    List<FieldError> tooBig = NameValidation.validateAnnotations(big, "metadata.annotations");
    assertThat(tooBig).hasSize(1);
    assertThat(tooBig.get(0).toString())
        .isEqualTo("metadata.annotations: Too long: may not be more than 262144 bytes");
    assertThat(tooBig.get(0).body()).isEqualTo("Too long: may not be more than 262144 bytes");
    big.put("k", "x".repeat(256 * 1024 - 1));
    assertThat(NameValidation.validateAnnotations(big, "metadata.annotations")).isEmpty();
  }

  @Test
  void objectNames() {
    assertThat(
            NameValidation.validateName(
                    "Bad_Name", "metadata.name", NameValidation::isDns1123Subdomain)
                .get(0)
                .toString())
        .isEqualTo("metadata.name: Invalid value: \"Bad_Name\": " + SUBDOMAIN_MSG);
  }

  @Test
  void fieldErrorFormats() {
    assertThat(FieldError.required("spec.containers", "").toString())
        .isEqualTo("spec.containers: Required value");
    assertThat(
            FieldError.notSupported("spec.restartPolicy", "Sometimes", List.of("Always", "Never"))
                .toString())
        .isEqualTo(
            "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\","
                + " \"Never\"");
    assertThat(FieldError.invalid("spec.replicas", -1, "must be greater than or equal to 0").body())
        .isEqualTo("Invalid value: -1: must be greater than or equal to 0");
    assertThat(FieldError.duplicate("spec.ports[1]", "80").toString())
        .isEqualTo("spec.ports[1]: Duplicate value: \"80\"");
  }
}
