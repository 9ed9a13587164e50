package dev.skiff.api.quantity;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import tools.jackson.databind.JsonNode;

/**
 * A Kubernetes resource quantity: a decimal number with a binary suffix (Ki, Mi, Gi, Ti, Pi, Ei), a
 * decimal SI suffix (n, u, m, k, M, G, T, P, E) or a decimal exponent (e3, E-2). Values are exact
 * decimals rounded up (away from zero) to nano precision; binary-suffixed values are capped at
 * 2^63-1. {@link #toString()} gives Kubernetes' canonical form, the one the API server serializes.
 */
public final class Quantity implements Comparable<Quantity> {
  /** How a quantity is written, remembered from parsing and kept by arithmetic. */
  public enum Format {
    BINARY_SI,
    DECIMAL_SI,
    DECIMAL_EXPONENT
  }

  static final String FORMAT_ERROR =
      "quantities must match the regular expression"
          + " '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
  static final String NUMERIC_ERROR = "unable to parse numeric part of quantity";
  static final String SUFFIX_ERROR = "unable to parse quantity's suffix";

  private static final BigDecimal MAX_BINARY = BigDecimal.valueOf(Long.MAX_VALUE);
  private static final BigInteger BI_1024 = BigInteger.valueOf(1024);
  private static final String[] BINARY_SUFFIXES = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};

  public static final Quantity ZERO = new Quantity(BigDecimal.ZERO, Format.DECIMAL_SI);

  private final BigDecimal value;
  private final Format format;
  // the text as given, kept when Kubernetes keeps it (see keepsText)
  private final String text;

  private Quantity(BigDecimal value, Format format) {
    this(value, format, null);
  }

  private Quantity(BigDecimal value, Format format, String text) {
    this.value = value;
    this.format = format;
    this.text = text;
  }

  /** Parses a quantity; throws IllegalArgumentException with Kubernetes' message when invalid. */
  public static Quantity parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException(FORMAT_ERROR);
    }
    if (text.equals("0")) {
      return new Quantity(BigDecimal.ZERO, Format.DECIMAL_SI, text);
    }
    int end = text.length();
    int pos = 0;
    boolean negative = false;
    if (text.charAt(0) == '-' || text.charAt(0) == '+') {
      negative = text.charAt(0) == '-';
      pos++;
    }
    int numberStart = pos;
    while (pos < end && isDigit(text.charAt(pos))) {
      pos++;
    }
    if (pos < end && text.charAt(pos) == '.') {
      pos++;
      while (pos < end && isDigit(text.charAt(pos))) {
        pos++;
      }
    }
    String number = text.substring(numberStart, pos);
    int suffixStart = pos;
    while (pos < end && "eEinumkKMGTP".indexOf(text.charAt(pos)) >= 0) {
      pos++;
    }
    if (pos < end && (text.charAt(pos) == '-' || text.charAt(pos) == '+')) {
      pos++;
    }
    while (pos < end && isDigit(text.charAt(pos))) {
      pos++;
    }
    if (pos < end) {
      throw new IllegalArgumentException(FORMAT_ERROR);
    }
    String suffix = text.substring(suffixStart);
    BigDecimal amount;
    try {
      // Kubernetes reads a number part without digits ("", ".", after a sign) as zero
      amount = number.replace(".", "").isEmpty() ? BigDecimal.ZERO : new BigDecimal(number);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(NUMERIC_ERROR);
    }
    Format format;
    int binaryPower = suffixIndex(BINARY_SUFFIXES, suffix);
    if (binaryPower > 0) {
      format = Format.BINARY_SI;
      amount = amount.multiply(new BigDecimal(BI_1024.pow(binaryPower)));
    } else {
      Integer exponent = decimalExponent(suffix);
      if (exponent != null) {
        format = Format.DECIMAL_SI;
      } else if (suffix.length() > 1 && (suffix.charAt(0) == 'e' || suffix.charAt(0) == 'E')) {
        try {
          exponent = Integer.parseInt(suffix.substring(1));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(SUFFIX_ERROR);
        }
        format = Format.DECIMAL_EXPONENT;
      } else {
        throw new IllegalArgumentException(SUFFIX_ERROR);
      }
      amount = amount.scaleByPowerOfTen(exponent);
    }
    if (amount.signum() != 0 && amount.scale() > 9) {
      amount = amount.setScale(9, RoundingMode.UP);
    }
    if (format == Format.BINARY_SI && amount.compareTo(MAX_BINARY) > 0) {
      amount = MAX_BINARY;
    }
    if (format == Format.BINARY_SI && amount.compareTo(BigDecimal.ONE) < 0 && amount.signum() > 0) {
      format = Format.DECIMAL_SI;
    }
    BigDecimal signed = negative ? amount.negate() : amount;
    return new Quantity(signed, format, keepsText(number, suffix, binaryPower) ? text : null);
  }

  /**
   * Kubernetes serializes a parsed quantity as it was written when its fast path took it: an
   * integer mantissa of at most 18 digits (15 with a binary suffix) with an exponent that is a
   * multiple of 3 and no trailing "000" or leading zero, or with a whole binary suffix and a
   * mantissa not divisible by 8. Everything else is written in canonical form.
   */
  private static boolean keepsText(String number, String suffix, int binaryPower) {
    int dot = number.indexOf('.');
    String num = stripLeadingZeros(dot < 0 ? number : number.substring(0, dot));
    if (num.isEmpty()) {
      num = "0";
    }
    String denom = dot < 0 ? "" : number.substring(dot + 1);
    String shifted = num + denom;
    if (binaryPower > 0) {
      int exponent = binaryPower * 10;
      int precision = 15 - num.length() - (int) ((float) exponent * 3 / 10) - 1;
      if (!denom.isEmpty() || precision < 0) {
        return false;
      }
      long value = Long.parseLong(shifted);
      return value % 8 != 0 && fitsAfterShift(value, exponent);
    }
    Integer exponent = decimalExponent(suffix);
    if (exponent == null) {
      try {
        exponent = Integer.parseInt(suffix.substring(1));
      } catch (NumberFormatException e) {
        return false;
      }
    }
    int precision = 18 - (num.length() + denom.length());
    int scale = exponent - denom.length();
    return precision >= 0
        && scale >= -9
        && scale % 3 == 0
        && !shifted.endsWith("000")
        && shifted.charAt(0) != '0';
  }

  private static boolean fitsAfterShift(long value, int bits) {
    return bits < 63 && value <= (Long.MAX_VALUE >> bits);
  }

  private static String stripLeadingZeros(String digits) {
    int i = 0;
    while (i < digits.length() && digits.charAt(i) == '0') {
      i++;
    }
    return digits.substring(i);
  }

  /** Reads a quantity from JSON, where it is a string or a bare number. */
  public static Quantity fromJson(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return ZERO;
    }
    return parse(node.isString() ? node.asString().strip() : node.toString());
  }

  public static Quantity of(long value, Format format) {
    return new Quantity(BigDecimal.valueOf(value), format);
  }

  /** A value in thousandths (e.g. milli-CPU), written with the decimal SI format. */
  public static Quantity ofMillis(long millis) {
    return new Quantity(BigDecimal.valueOf(millis, 3), Format.DECIMAL_SI);
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static int suffixIndex(String[] suffixes, String suffix) {
    for (int i = 1; i < suffixes.length; i++) {
      if (suffixes[i].equals(suffix)) {
        return i;
      }
    }
    return -1;
  }

  private static Integer decimalExponent(String suffix) {
    return switch (suffix) {
      case "n" -> -9;
      case "u" -> -6;
      case "m" -> -3;
      case "" -> 0;
      case "k" -> 3;
      case "M" -> 6;
      case "G" -> 9;
      case "T" -> 12;
      case "P" -> 15;
      case "E" -> 18;
      default -> null;
    };
  }

  private static String decimalSuffix(int exponent) {
    return switch (exponent) {
      case -9 -> "n";
      case -6 -> "u";
      case -3 -> "m";
      case 0 -> "";
      case 3 -> "k";
      case 6 -> "M";
      case 9 -> "G";
      case 12 -> "T";
      case 15 -> "P";
      case 18 -> "E";
      default -> null;
    };
  }

  public Format format() {
    return format;
  }

  /** The exact value. */
  public BigDecimal decimal() {
    return value;
  }

  public boolean isZero() {
    return value.signum() == 0;
  }

  public int signum() {
    return value.signum();
  }

  /** The value rounded up to a whole number (as Kubernetes' Value()). */
  public long value() {
    return value.setScale(0, RoundingMode.UP).longValueExact();
  }

  /** The value in thousandths, rounded up (as Kubernetes' MilliValue()). */
  public long milliValue() {
    return value.scaleByPowerOfTen(3).setScale(0, RoundingMode.UP).longValueExact();
  }

  public Quantity add(Quantity other) {
    return new Quantity(value.add(other.value), isZero() ? other.format : format);
  }

  public Quantity subtract(Quantity other) {
    return new Quantity(value.subtract(other.value), isZero() ? other.format : format);
  }

  public Quantity negate() {
    return new Quantity(value.negate(), format);
  }

  @Override
  public int compareTo(Quantity other) {
    return value.compareTo(other.value);
  }

  /** Equal values are equal quantities whatever their format ("1Ki" equals "1024"). */
  @Override
  public boolean equals(Object o) {
    return o instanceof Quantity q && q.value.compareTo(value) == 0;
  }

  @Override
  public int hashCode() {
    return value.signum() == 0 ? 0 : value.stripTrailingZeros().hashCode();
  }

  /**
   * How Kubernetes writes the quantity: the parsed text where Kubernetes keeps it, otherwise the
   * canonical form, e.g. "1500m", "1Gi", "1536", "10e3".
   */
  @Override
  public String toString() {
    return text != null ? text : canonical();
  }

  /** Kubernetes' canonical form, e.g. "1500m", "1Gi", "1536", "10e3". */
  public String canonical() {
    if (value.signum() == 0) {
      return "0";
    }
    Format effective = format;
    if (format == Format.BINARY_SI) {
      boolean small = value.abs().compareTo(BigDecimal.valueOf(1024)) < 0;
      boolean whole = value.stripTrailingZeros().scale() <= 0;
      if (small || !whole) {
        effective = Format.DECIMAL_SI;
      } else {
        BigInteger amount = value.toBigIntegerExact();
        int power = 0;
        while (power < 6 && amount.mod(BI_1024).signum() == 0) {
          amount = amount.divide(BI_1024);
          power++;
        }
        return amount + BINARY_SUFFIXES[power];
      }
    }
    BigDecimal stripped = value.stripTrailingZeros();
    BigInteger mantissa = stripped.unscaledValue();
    int exponent = -stripped.scale();
    int down = Math.floorMod(exponent, 3);
    mantissa = mantissa.multiply(BigInteger.TEN.pow(down));
    exponent -= down;
    if (effective == Format.DECIMAL_EXPONENT) {
      return exponent == 0 ? mantissa.toString() : mantissa + "e" + exponent;
    }
    if (exponent > 18) {
      mantissa = mantissa.multiply(BigInteger.TEN.pow(exponent - 18));
      exponent = 18;
    }
    return mantissa + decimalSuffix(exponent);
  }
}
