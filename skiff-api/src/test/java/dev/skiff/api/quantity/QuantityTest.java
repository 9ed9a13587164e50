package dev.skiff.api.quantity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.api.Json;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class QuantityTest {
  record Canonical(String name, String input, String canonical) {
    @Override
    public String toString() {
      return name + ": " + input;
    }
  }

  static Stream<Canonical> canonicalForms() {
    return Stream.of(
        new Canonical("zero", "0", "0"),
        new Canonical("zero with suffix", "0Mi", "0"),
        new Canonical("integer", "100", "100"),
        new Canonical("thousand", "1000", "1k"),
        new Canonical("1500", "1500", "1500"),
        new Canonical("millions", "1500000", "1500k"),
        new Canonical("fraction", "1.5", "1500m"),
        new Canonical("half", "0.5", "500m"),
        new Canonical("leading dot", ".5", "500m"),
        new Canonical("milli to unit", "1000m", "1"),
        new Canonical("milli", "250m", "250m"),
        new Canonical("micro", "1u", "1u"),
        new Canonical("nano", "1n", "1n"),
        new Canonical("below nano rounds up", "0.1n", "1n"),
        new Canonical("below nano with digits", "1.0000000001", "1000000001n"),
        new Canonical("mega", "12M", "12M"),
        new Canonical("giga", "1G", "1G"),
        new Canonical("exa", "2E", "2E"),
        new Canonical("gibi", "1Gi", "1Gi"),
        new Canonical("mebi to gibi", "1024Mi", "1Gi"),
        new Canonical("1536Mi", "1536Mi", "1536Mi"),
        new Canonical("half gibi", "0.5Gi", "512Mi"),
        new Canonical("kibi with fraction", "1.5Ki", "1536"),
        new Canonical("small binary shows decimal", "0.5Ki", "512"),
        new Canonical("binary not whole", "1.0001Ki", "1024102400u"),
        new Canonical("exponent", "1e3", "1e3"),
        new Canonical("exponent upper", "1E3", "1e3"),
        new Canonical("exponent not multiple of 3", "1e4", "10e3"),
        new Canonical("exponent zero", "5e0", "5"),
        new Canonical("negative exponent", "15e-1", "1500e-3"),
        new Canonical("negative", "-1.5", "-1500m"),
        new Canonical("explicit plus", "+2Ki", "2Ki"),
        new Canonical("trailing dot", "1.", "1"),
        new Canonical("leading zeros", "007", "7"),
        new Canonical("binary capped", "8Ei", "9223372036854775807"),
        new Canonical("negative binary", "-2Gi", "-2Gi"));
  }

  @ParameterizedTest
  @MethodSource("canonicalForms")
  void canonicalForm(Canonical c) {
    assertThat(Quantity.parse(c.input()).canonical()).isEqualTo(c.canonical());
  }

  @ParameterizedTest
  @MethodSource("canonicalForms")
  void canonicalFormIsStable(Canonical c) {
    Quantity q = Quantity.parse(c.input());
    assertThat(Quantity.parse(q.toString())).isEqualTo(q);
    assertThat(Quantity.parse(q.canonical()).canonical()).isEqualTo(q.canonical());
    assertThat(Quantity.parse(q.canonical()).toString()).isEqualTo(q.canonical());
  }

  record Invalid(String input, String message) {}

  static Stream<Invalid> invalid() {
    return Stream.of(
        new Invalid("", Quantity.FORMAT_ERROR),
        new Invalid("abc", Quantity.FORMAT_ERROR),
        new Invalid("1 Gi", Quantity.FORMAT_ERROR),
        new Invalid("1.2.3", Quantity.FORMAT_ERROR),
        new Invalid("1Gb", Quantity.FORMAT_ERROR),
        new Invalid("1K", Quantity.SUFFIX_ERROR),
        new Invalid("1i", Quantity.SUFFIX_ERROR),
        new Invalid("1e", Quantity.SUFFIX_ERROR),
        new Invalid("1Ki5", Quantity.SUFFIX_ERROR),
        new Invalid("1.5.", Quantity.FORMAT_ERROR));
  }

  @ParameterizedTest
  @MethodSource("invalid")
  void rejectsWithKubernetesMessages(Invalid c) {
    assertThatThrownBy(() -> Quantity.parse(c.input()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(c.message());
  }

  record Kept(String input, String written) {}

  static Stream<Kept> writtenForms() {
    return Stream.of(
        new Kept("0", "0"),
        new Kept("+2", "+2"),
        new Kept("007", "007"),
        new Kept("1E3", "1E3"),
        new Kept("1e4", "10e3"),
        new Kept("1000", "1k"),
        new Kept("1200k", "1200k"),
        new Kept("1Gi", "1Gi"),
        new Kept("1024Mi", "1Gi"),
        new Kept("8Gi", "8Gi"),
        new Kept("0.5", "500m"),
        new Kept("100m", "100m"),
        new Kept("-", "0"),
        new Kept(".", "0"),
        new Kept("0Mi", "0"),
        new Kept("5e0", "5e0"),
        new Kept("1.", "1."));
  }

  @ParameterizedTest
  @MethodSource("writtenForms")
  void keepsTheTextWhereKubernetesDoes(Kept c) {
    Quantity q = Quantity.parse(c.input());
    assertThat(q.toString()).isEqualTo(c.written());
    assertThat(Quantity.parse(c.written())).isEqualTo(q);
  }

  @Test
  void canonicalIgnoresTheText() {
    assertThat(Quantity.parse("+2").canonical()).isEqualTo("2");
    assertThat(Quantity.parse("1E3").canonical()).isEqualTo("1e3");
    assertThat(Quantity.parse("007").canonical()).isEqualTo("7");
    assertThat(Quantity.parse("1E3").add(Quantity.ZERO).toString()).isEqualTo("1e3");
  }

  @Test
  void errorMessageTextIsKubernetes() {
    assertThat(Quantity.FORMAT_ERROR)
        .isEqualTo(
            "quantities must match the regular expression"
                + " '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  }

  @Test
  void valuesRoundUp() {
    assertThat(Quantity.parse("100m").milliValue()).isEqualTo(100);
    assertThat(Quantity.parse("2").milliValue()).isEqualTo(2000);
    assertThat(Quantity.parse("0.5m").milliValue()).isEqualTo(1);
    assertThat(Quantity.parse("1Ki").value()).isEqualTo(1024);
    assertThat(Quantity.parse("100m").value()).isEqualTo(1);
    assertThat(Quantity.parse("1.2").value()).isEqualTo(2);
    assertThat(Quantity.parse("128Mi").value()).isEqualTo(134217728L);
  }

  @Test
  void comparesAcrossFormats() {
    assertThat(Quantity.parse("1Ki")).isEqualTo(Quantity.parse("1024"));
    assertThat(Quantity.parse("1Ki").hashCode()).isEqualTo(Quantity.parse("1024").hashCode());
    assertThat(Quantity.parse("1")).isEqualTo(Quantity.parse("1000m"));
    assertThat(Quantity.parse("1G")).isLessThan(Quantity.parse("1Gi"));
    assertThat(Quantity.parse("500m")).isGreaterThan(Quantity.parse("0.4"));
    assertThat(Quantity.parse("-1")).isLessThan(Quantity.ZERO);
  }

  @Test
  void addsKeepingTheFormatOfTheFirstNonZero() {
    assertThat(Quantity.parse("1Gi").add(Quantity.parse("512Mi")).toString()).isEqualTo("1536Mi");
    assertThat(Quantity.parse("100m").add(Quantity.parse("1")).toString()).isEqualTo("1100m");
    assertThat(Quantity.ZERO.add(Quantity.parse("1Ki")).toString()).isEqualTo("1Ki");
    assertThat(Quantity.parse("1").subtract(Quantity.parse("1500m")).toString()).isEqualTo("-500m");
    assertThat(Quantity.parse("3").negate().toString()).isEqualTo("-3");
    assertThat(Quantity.ofMillis(1500).toString()).isEqualTo("1500m");
    assertThat(Quantity.of(2048, Quantity.Format.BINARY_SI).toString()).isEqualTo("2Ki");
  }

  @Test
  void readsJsonStringsAndNumbers() {
    assertThat(Quantity.fromJson(Json.MAPPER.readTree("\"1.5\"")).toString()).isEqualTo("1500m");
    assertThat(Quantity.fromJson(Json.MAPPER.readTree("2")).toString()).isEqualTo("2");
    assertThat(Quantity.fromJson(Json.MAPPER.readTree("0.25")).toString()).isEqualTo("250m");
    assertThat(Quantity.fromJson(Json.MAPPER.readTree("null")).isZero()).isTrue();
  }
}
