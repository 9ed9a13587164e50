package dev.skiff.api.validation;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Kubernetes' checks of other formats (ports, environment variable names, config keys, percents,
 * IPs, path segments), returning its messages word for word; empty lists mean valid.
 */
public final class FormatValidation {
  private static final String C_IDENTIFIER_FMT = "[A-Za-z_][A-Za-z0-9_]*";
  private static final String ENV_VAR_NAME_FMT = "[-._a-zA-Z][-._a-zA-Z0-9]*";
  private static final String CONFIG_MAP_KEY_FMT = "[-._a-zA-Z0-9]+";
  private static final String PERCENT_FMT = "[0-9]+%";
  private static final String HTTP_HEADER_NAME_FMT = "[-A-Za-z0-9]+";
  private static final String WILDCARD_SUBDOMAIN_FMT =
      "\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";

  private static final Pattern C_IDENTIFIER = Pattern.compile(C_IDENTIFIER_FMT);
  private static final Pattern ENV_VAR_NAME = Pattern.compile(ENV_VAR_NAME_FMT);
  private static final Pattern CONFIG_MAP_KEY = Pattern.compile(CONFIG_MAP_KEY_FMT);
  private static final Pattern PERCENT = Pattern.compile(PERCENT_FMT);
  private static final Pattern HTTP_HEADER_NAME = Pattern.compile(HTTP_HEADER_NAME_FMT);
  private static final Pattern WILDCARD_SUBDOMAIN = Pattern.compile(WILDCARD_SUBDOMAIN_FMT);
  private static final Pattern PORT_NAME_CHARSET = Pattern.compile("[-a-z0-9]+");
  private static final Pattern IPV4 =
      Pattern.compile("([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})");
  private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");

  private FormatValidation() {}

  public static String inclusiveRangeError(long lo, long hi) {
    return "must be between " + lo + " and " + hi + ", inclusive";
  }

  public static List<String> isCIdentifier(String value) {
    if (C_IDENTIFIER.matcher(value).matches()) {
      return List.of();
    }
    return List.of(
        NameValidation.regexError(
            "a valid C identifier must start with alphabetic character or '_', followed by a"
                + " string of alphanumeric characters or '_'",
            C_IDENTIFIER_FMT,
            "my_name",
            "MY_NAME",
            "MyName"));
  }

  public static List<String> isValidPortNum(long port) {
    return isInRange(port, 1, 65535);
  }

  public static List<String> isInRange(long value, long min, long max) {
    return value >= min && value <= max ? List.of() : List.of(inclusiveRangeError(min, max));
  }

  /** A named port (IANA_SVC_NAME): at most 15 characters, a-z, 0-9 and single inner hyphens. */
  public static List<String> isValidPortName(String port) {
    List<String> errs = new ArrayList<>();
    if (port.length() > 15) {
      errs.add(NameValidation.maxLenError(15));
    }
    if (!PORT_NAME_CHARSET.matcher(port).matches()) {
      errs.add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
    }
    if (port.chars().noneMatch(c -> c >= 'a' && c <= 'z')) {
      errs.add("must contain at least one letter (a-z)");
    }
    if (port.contains("--")) {
      errs.add("must not contain consecutive hyphens");
    }
    if (!port.isEmpty() && (port.charAt(0) == '-' || port.charAt(port.length() - 1) == '-')) {
      errs.add("must not begin or end with a hyphen");
    }
    return errs;
  }

  public static List<String> isEnvVarName(String value) {
    List<String> errs = new ArrayList<>();
    if (!ENV_VAR_NAME.matcher(value).matches()) {
      errs.add(
          NameValidation.regexError(
              "a valid environment variable name must consist of alphabetic characters, digits,"
                  + " '_', '-', or '.', and must not start with a digit",
              ENV_VAR_NAME_FMT,
              "my.env-name",
              "MY_ENV.NAME",
              "MyEnvName1"));
    }
    errs.addAll(chDirPrefix(value));
    return errs;
  }

  /** A key of a ConfigMap or Secret. */
  public static List<String> isConfigMapKey(String value) {
    List<String> errs = new ArrayList<>();
    if (value.length() > NameValidation.DNS1123_SUBDOMAIN_MAX_LENGTH) {
      errs.add(NameValidation.maxLenError(NameValidation.DNS1123_SUBDOMAIN_MAX_LENGTH));
    }
    if (!CONFIG_MAP_KEY.matcher(value).matches()) {
      errs.add(
          NameValidation.regexError(
              "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
              CONFIG_MAP_KEY_FMT,
              "key.name",
              "KEY_NAME",
              "key-name"));
    }
    errs.addAll(chDirPrefix(value));
    return errs;
  }

  public static List<String> isValidPercent(String value) {
    if (PERCENT.matcher(value).matches()) {
      return List.of();
    }
    return List.of(
        NameValidation.regexError(
            "a valid percent string must be a numeric string followed by an ending '%'",
            PERCENT_FMT, "1%", "93%"));
  }

  public static List<String> isHttpHeaderName(String value) {
    if (HTTP_HEADER_NAME.matcher(value).matches()) {
      return List.of();
    }
    return List.of(
        NameValidation.regexError(
            "a valid HTTP header must consist of alphanumeric characters or '-'",
            HTTP_HEADER_NAME_FMT,
            "X-Header-Name"));
  }

  public static List<String> isWildcardDns1123Subdomain(String value) {
    List<String> errs = new ArrayList<>();
    if (value.length() > NameValidation.DNS1123_SUBDOMAIN_MAX_LENGTH) {
      errs.add(NameValidation.maxLenError(NameValidation.DNS1123_SUBDOMAIN_MAX_LENGTH));
    }
    if (!WILDCARD_SUBDOMAIN.matcher(value).matches()) {
      errs.add(
          NameValidation.regexError(
              "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS"
                  + " subdomain, which must consist of lower case alphanumeric characters, '-' or"
                  + " '.' and end with an alphanumeric character",
              WILDCARD_SUBDOMAIN_FMT,
              "*.example.com"));
    }
    return errs;
  }

  /**
   * A name usable as one URL path segment (names of most cluster objects must also pass this): not
   * "." or "..", without "/" or "%".
   */
  public static List<String> isValidPathSegmentName(String name) {
    if (name.equals(".") || name.equals("..")) {
      return List.of("may not be '" + name + "'");
    }
    List<String> errs = new ArrayList<>();
    for (String illegal : List.of("/", "%")) {
      if (name.contains(illegal)) {
        errs.add("may not contain '" + illegal + "'");
      }
    }
    return errs;
  }

  /** An IPv4 or IPv6 address (leading zeros in IPv4 octets accepted, as Kubernetes does). */
  public static boolean isIp(String value) {
    return isIpv4(value) || isIpv6(value);
  }

  public static boolean isIpv4(String value) {
    var m = IPV4.matcher(value);
    if (!m.matches()) {
      return false;
    }
    for (int i = 1; i <= 4; i++) {
      if (Integer.parseInt(m.group(i)) > 255) {
        return false;
      }
    }
    return true;
  }

  public static boolean isIpv6(String value) {
    if (!value.contains(":") || !IPV6_CHARS.matcher(value).matches()) {
      return false;
    }
    try {
      // a literal with ':' is parsed, never resolved
      return InetAddress.getByName(value).getAddress().length == 16
          || value.toLowerCase(java.util.Locale.ROOT).startsWith("::ffff:");
    } catch (UnknownHostException | IllegalArgumentException e) {
      return false;
    }
  }

  public static List<FieldError> validateIp(String fieldPath, String value) {
    return isIp(value)
        ? List.of()
        : List.of(
            FieldError.invalid(
                fieldPath, value, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
  }

  private static List<String> chDirPrefix(String value) {
    if (value.equals(".")) {
      return List.of("must not be '.'");
    }
    if (value.equals("..")) {
      return List.of("must not be '..'");
    }
    if (value.startsWith("..")) {
      return List.of("must not start with '..'");
    }
    return List.of();
  }
}
