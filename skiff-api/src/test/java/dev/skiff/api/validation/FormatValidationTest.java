package dev.skiff.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FormatValidationTest {
  @Test
  void ports() {
    assertThat(FormatValidation.isValidPortNum(80)).isEmpty();
    assertThat(FormatValidation.isValidPortNum(0))
        .containsExactly("must be between 1 and 65535, inclusive");
    assertThat(FormatValidation.isValidPortName("http")).isEmpty();
    assertThat(FormatValidation.isValidPortName("-a--b-cdefghijklmn"))
        .containsExactly(
            "must be no more than 15 characters",
            "must not contain consecutive hyphens",
            "must not begin or end with a hyphen");
    assertThat(FormatValidation.isValidPortName("8080"))
        .containsExactly("must contain at least one letter (a-z)");
    assertThat(FormatValidation.isValidPortName("Http"))
        .containsExactly("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  }

  @Test
  void environmentVariableNamesAndConfigKeys() {
    assertThat(FormatValidation.isEnvVarName("MY_VAR.x-1")).isEmpty();
    assertThat(FormatValidation.isEnvVarName("1A"))
        .containsExactly(
            "a valid environment variable name must consist of alphabetic characters, digits, '_',"
                + " '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or"
                + " 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is"
                + " '[-._a-zA-Z][-._a-zA-Z0-9]*')");
    assertThat(FormatValidation.isEnvVarName("..x")).containsExactly("must not start with '..'");
    assertThat(FormatValidation.isConfigMapKey("app.properties")).isEmpty();
    assertThat(FormatValidation.isConfigMapKey(".")).containsExactly("must not be '.'");
    assertThat(FormatValidation.isConfigMapKey("a/b"))
        .containsExactly(
            "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g."
                + " 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is"
                + " '[-._a-zA-Z0-9]+')");
  }

  @Test
  void otherFormats() {
    assertThat(FormatValidation.isCIdentifier("_ok1")).isEmpty();
    assertThat(FormatValidation.isCIdentifier("1no")).hasSize(1);
    assertThat(FormatValidation.isValidPercent("25%")).isEmpty();
    assertThat(FormatValidation.isValidPercent("25"))
        .containsExactly(
            "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%', "
                + " or '93%', regex used for validation is '[0-9]+%')");
    assertThat(FormatValidation.isHttpHeaderName("X-Auth")).isEmpty();
    assertThat(FormatValidation.isWildcardDns1123Subdomain("*.example.com")).isEmpty();
    assertThat(FormatValidation.isWildcardDns1123Subdomain("example.com")).hasSize(1);
    assertThat(FormatValidation.isValidPathSegmentName("..")).containsExactly("may not be '..'");
    assertThat(FormatValidation.isValidPathSegmentName("a/b%c"))
        .containsExactly("may not contain '/'", "may not contain '%'");
  }

  @Test
  void ipAddresses() {
    assertThat(FormatValidation.isIp("10.0.0.1")).isTrue();
    assertThat(FormatValidation.isIp("010.000.000.001")).isTrue();
    assertThat(FormatValidation.isIp("2001:db8::ffff")).isTrue();
    assertThat(FormatValidation.isIp("::1")).isTrue();
    assertThat(FormatValidation.isIp("256.0.0.1")).isFalse();
    assertThat(FormatValidation.isIp("example.com")).isFalse();
    assertThat(FormatValidation.isIp("1:2:3")).isFalse();
    assertThat(FormatValidation.isIpv6("10.0.0.1")).isFalse();
    assertThat(FormatValidation.validateIp("spec.clusterIP", "nope").get(0).toString())
        .isEqualTo(
            "spec.clusterIP: Invalid value: \"nope\": must be a valid IP address, (e.g. 10.9.8.7"
                + " or 2001:db8::ffff)");
  }

  @Test
  void nullBadValuePrintsAsKubernetesDoes() {
    assertThat(FieldError.invalid("spec.x", null, "bad").toString())
        .isEqualTo("spec.x: Invalid value: \"null\": bad");
  }
}
