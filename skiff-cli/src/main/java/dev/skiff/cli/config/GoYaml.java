package dev.skiff.cli.config;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Writes a JSON tree as YAML the way kubectl does (JSON converted to YAML by go-yaml v2): block
 * style, mapping keys in go-yaml's natural order, sequences not indented under their key, strings
 * quoted only when go-yaml would quote them, long plain scalars folded after column 80. Byte-equal
 * output lets {@code skiff config} write files and print views exactly as kubectl does.
 */
final class GoYaml {
  private static final int BEST_WIDTH = 80;
  private static final Pattern BASE60_FLOAT =
      Pattern.compile("^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\\.[0-9_]*)?$");
  private static final Pattern YAML_FLOAT =
      Pattern.compile("^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$");
  private static final Pattern TIMESTAMP =
      Pattern.compile(
          "^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
              + "([Tt ][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\\.[0-9]*)?(Z|[-+][0-9]{2}:[0-9]{2})?)?$");
  private static final List<String> NON_STRINGS =
      List.of(
          "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N", "no", "No", "NO", "off", "Off",
          "OFF", "true", "True", "TRUE", "false", "False", "FALSE", "", "~", "null", "Null", "NULL",
          ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf",
          "-.Inf", "-.INF", "<<");

  private final StringBuilder out = new StringBuilder();

  private GoYaml() {}

  /** The YAML document for {@code node} (an object), ending with a newline. */
  static String write(JsonNode node) {
    GoYaml yaml = new GoYaml();
    if (node.isObject() && !node.isEmpty()) {
      yaml.mapping(node, 0, false);
    } else {
      yaml.inline(node, 0);
      yaml.out.append('\n');
    }
    return yaml.out.toString();
  }

  private void mapping(JsonNode node, int indent, boolean afterDash) {
    List<String> keys = new ArrayList<>(node.propertyNames());
    keys.sort(GoYaml::compareKeys);
    boolean first = true;
    for (String key : keys) {
      if (!(first && afterDash)) {
        out.append(" ".repeat(indent));
      }
      first = false;
      out.append(scalar(key, true, indent)).append(':');
      value(node.get(key), indent);
    }
  }

  private void sequence(JsonNode node, int indent, boolean afterDash) {
    boolean first = true;
    for (JsonNode item : node) {
      if (!(first && afterDash)) {
        out.append(" ".repeat(indent));
      }
      first = false;
      out.append("- ");
      if (item.isObject() && !item.isEmpty()) {
        mapping(item, indent + 2, true);
      } else if (item.isArray() && !item.isEmpty()) {
        sequence(item, indent + 2, true);
      } else {
        inline(item, indent + 2);
        out.append('\n');
      }
    }
  }

  /** Writes a mapping value: inline scalars after the key, blocks on the next lines. */
  private void value(JsonNode value, int indent) {
    if (value.isObject() && !value.isEmpty()) {
      out.append('\n');
      mapping(value, indent + 2, false);
    } else if (value.isArray() && !value.isEmpty()) {
      out.append('\n');
      sequence(value, indent, false);
    } else {
      out.append(' ');
      inline(value, indent + 2);
      out.append('\n');
    }
  }

  private void inline(JsonNode value, int continuationIndent) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      out.append("null");
    } else if (value.isObject()) {
      out.append("{}");
    } else if (value.isArray()) {
      out.append("[]");
    } else if (value.isBoolean()) {
      out.append(value.booleanValue());
    } else if (value.isNumber()) {
      out.append(GoJson.number(value));
    } else {
      out.append(scalar(value.asString(), false, continuationIndent));
    }
  }

  private int column() {
    int newline = out.lastIndexOf("\n");
    return out.length() - newline - 1;
  }

  private String scalar(String text, boolean simpleKey, int continuationIndent) {
    if (text.contains("\n") && !simpleKey) {
      Analysis analysis = Analysis.of(text);
      if (analysis.blockAllowed) {
        return literal(text, continuationIndent);
      }
      return doubleQuoted(text);
    }
    if (!resolvesToString(text)) {
      return doubleQuoted(text);
    }
    Analysis analysis = Analysis.of(text);
    if (analysis.multiline && simpleKey) {
      return doubleQuoted(text);
    }
    if (analysis.blockPlainAllowed && !text.isEmpty()) {
      return simpleKey ? text : folded(text, continuationIndent, false);
    }
    if (analysis.singleQuotedAllowed) {
      String quoted = text.replace("'", "''");
      return simpleKey ? "'" + quoted + "'" : folded("'" + quoted + "'", continuationIndent, true);
    }
    return doubleQuoted(text);
  }

  /** Folds a plain or single-quoted scalar at spaces once the line passes the best width. */
  private String folded(String text, int continuationIndent, boolean quoted) {
    StringBuilder result = new StringBuilder();
    int column = column();
    boolean spaces = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == ' ') {
        boolean inner = !quoted || (i != 1 && i != text.length() - 2);
        boolean nextIsSpace = i + 1 < text.length() && text.charAt(i + 1) == ' ';
        if (!spaces && column > BEST_WIDTH && inner && !nextIsSpace) {
          result.append('\n').append(" ".repeat(continuationIndent));
          column = continuationIndent;
        } else {
          result.append(c);
          column++;
        }
        spaces = true;
      } else {
        result.append(c);
        column++;
        spaces = false;
      }
    }
    return result.toString();
  }

  private static String literal(String text, int indent) {
    StringBuilder result = new StringBuilder("|");
    if (text.startsWith(" ") || text.startsWith("\n")) {
      result.append(2);
    }
    if (!text.endsWith("\n")) {
      result.append('-');
    } else if (text.length() == 1 || text.endsWith("\n\n")) {
      result.append('+');
    }
    String body = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    for (String line : body.split("\n", -1)) {
      result.append('\n');
      if (!line.isEmpty()) {
        result.append(" ".repeat(indent)).append(line);
      }
    }
    return result.toString();
  }

  static String doubleQuoted(String text) {
    StringBuilder result = new StringBuilder("\"");
    text.codePoints()
        .forEach(
            c -> {
              switch (c) {
                case '"' -> result.append("\\\"");
                case '\\' -> result.append("\\\\");
                case 0 -> result.append("\\0");
                case 7 -> result.append("\\a");
                case 8 -> result.append("\\b");
                case 9 -> result.append("\\t");
                case 10 -> result.append("\\n");
                case 11 -> result.append("\\v");
                case 12 -> result.append("\\f");
                case 13 -> result.append("\\r");
                case 27 -> result.append("\\e");
                case 0x85 -> result.append("\\N");
                case 0xA0 -> result.append("\\_");
                case 0x2028 -> result.append("\\L");
                case 0x2029 -> result.append("\\P");
                default -> {
                  if (printable(c) && c != 0xFEFF) {
                    result.appendCodePoint(c);
                  } else if (c <= 0xFF) {
                    result.append(String.format("\\x%02X", c));
                  } else if (c <= 0xFFFF) {
                    result.append(String.format("\\u%04X", c));
                  } else {
                    result.append(String.format("\\U%08X", c));
                  }
                }
              }
            });
    return result.append('"').toString();
  }

  static boolean printable(int c) {
    return c == 0x0A
        || (c >= 0x20 && c <= 0x7E)
        || c == 0x85
        || (c >= 0xA0 && c <= 0xD7FF)
        || (c >= 0xE000 && c <= 0xFFFD)
        || (c >= 0x10000 && c <= 0x10FFFF);
  }

  /** Whether go-yaml reads {@code text} back as a string when written plain. */
  static boolean resolvesToString(String text) {
    if (NON_STRINGS.contains(text)) {
      return false;
    }
    char first = text.charAt(0);
    if (first == '.' && isFloat(text)) {
      return false;
    }
    if (first == '+' || first == '-' || (first >= '0' && first <= '9')) {
      if (TIMESTAMP.matcher(text).matches() || BASE60_FLOAT.matcher(text).matches()) {
        return false;
      }
      String plain = text.replace("_", "");
      return !(isInteger(plain) || YAML_FLOAT.matcher(plain).matches());
    }
    return true;
  }

  private static boolean isFloat(String text) {
    try {
      Double.parseDouble(text);
      return !text.endsWith("d")
          && !text.endsWith("f")
          && !text.endsWith("D")
          && !text.endsWith("F");
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** Go's strconv.ParseInt with base 0, plus go-yaml's 0b prefix. */
  private static boolean isInteger(String text) {
    String digits = text;
    if (digits.startsWith("+") || digits.startsWith("-")) {
      digits = digits.substring(1);
    }
    if (digits.isEmpty()) {
      return false;
    }
    Pattern pattern;
    if (digits.startsWith("0x") || digits.startsWith("0X")) {
      pattern = Pattern.compile("[0-9a-fA-F]+");
      digits = digits.substring(2);
    } else if (digits.startsWith("0b") || digits.startsWith("0B")) {
      pattern = Pattern.compile("[01]+");
      digits = digits.substring(2);
    } else if (digits.startsWith("0o") || digits.startsWith("0O")) {
      pattern = Pattern.compile("[0-7]+");
      digits = digits.substring(2);
    } else if (digits.startsWith("0")) {
      pattern = Pattern.compile("[0-7]*");
    } else {
      pattern = Pattern.compile("[0-9]+");
    }
    return pattern.matcher(digits).matches();
  }

  /** go-yaml's order of mapping keys: letters after other characters, digit runs by value. */
  static int compareKeys(String a, String b) {
    int[] ar = a.codePoints().toArray();
    int[] br = b.codePoints().toArray();
    for (int i = 0; i < ar.length && i < br.length; i++) {
      if (ar[i] == br[i]) {
        continue;
      }
      boolean al = Character.isLetter(ar[i]);
      boolean bl = Character.isLetter(br[i]);
      if (al && bl) {
        return Integer.compare(ar[i], br[i]);
      }
      if (al || bl) {
        return bl ? -1 : 1;
      }
      long an = 0;
      long bn = 0;
      if (ar[i] == '0' || br[i] == '0') {
        for (int j = i - 1; j >= 0 && Character.isDigit(ar[j]); j--) {
          if (ar[j] != '0') {
            an = 1;
            bn = 1;
            break;
          }
        }
      }
      int ai = i;
      while (ai < ar.length && Character.isDigit(ar[ai])) {
        an = an * 10 + (ar[ai] - '0');
        ai++;
      }
      int bi = i;
      while (bi < br.length && Character.isDigit(br[bi])) {
        bn = bn * 10 + (br[bi] - '0');
        bi++;
      }
      if (an != bn) {
        return Long.compare(an, bn);
      }
      if (ai != bi) {
        return Integer.compare(ai, bi);
      }
      return Integer.compare(ar[i], br[i]);
    }
    return Integer.compare(ar.length, br.length);
  }

  /** libyaml's scalar analysis: which styles may carry the text unchanged. */
  private record Analysis(
      boolean multiline,
      boolean blockPlainAllowed,
      boolean singleQuotedAllowed,
      boolean blockAllowed) {

    static Analysis of(String text) {
      if (text.isEmpty()) {
        return new Analysis(false, true, true, false);
      }
      boolean blockIndicators = text.startsWith("---") || text.startsWith("...");
      boolean specialCharacters = false;
      boolean lineBreaks = false;
      boolean leadingSpace = false;
      boolean leadingBreak = false;
      boolean trailingSpace = false;
      boolean trailingBreak = false;
      boolean breakSpace = false;
      boolean spaceBreak = false;
      boolean previousSpace = false;
      boolean previousBreak = false;
      boolean precededByWhitespace = true;
      int[] chars = text.codePoints().toArray();
      for (int i = 0; i < chars.length; i++) {
        int c = chars[i];
        boolean followedByWhitespace = i + 1 >= chars.length || blankz(chars[i + 1]);
        if (i == 0) {
          if ("#,[]{}&*!|>'\"%@`".indexOf(c) >= 0) {
            blockIndicators = true;
          }
          if ((c == '?' || c == ':' || c == '-') && followedByWhitespace) {
            blockIndicators = true;
          }
        } else {
          if (c == ':' && followedByWhitespace) {
            blockIndicators = true;
          }
          if (c == '#' && precededByWhitespace) {
            blockIndicators = true;
          }
        }
        if (!printable(c) || c == 0xFEFF) {
          specialCharacters = true;
        }
        boolean isBreak = c == '\n' || c == '\r' || c == 0x85 || c == 0x2028 || c == 0x2029;
        if (isBreak) {
          lineBreaks = true;
        }
        if (c == ' ') {
          leadingSpace |= i == 0;
          trailingSpace |= i == chars.length - 1;
          breakSpace |= previousBreak;
          previousSpace = true;
          previousBreak = false;
        } else if (isBreak) {
          leadingBreak |= i == 0;
          trailingBreak |= i == chars.length - 1;
          spaceBreak |= previousSpace;
          previousBreak = true;
          previousSpace = false;
        } else {
          previousSpace = false;
          previousBreak = false;
        }
        precededByWhitespace = blankz(c);
      }
      boolean blockPlain = true;
      boolean single = true;
      boolean block = true;
      if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) {
        blockPlain = false;
      }
      if (trailingSpace) {
        block = false;
      }
      if (breakSpace) {
        blockPlain = false;
        single = false;
      }
      if (spaceBreak || specialCharacters) {
        blockPlain = false;
        single = false;
        block = false;
      }
      if (lineBreaks || blockIndicators) {
        blockPlain = false;
      }
      return new Analysis(lineBreaks, blockPlain, single, block);
    }

    private static boolean blankz(int c) {
      return c == ' '
          || c == '\t'
          || c == '\n'
          || c == '\r'
          || c == 0x85
          || c == 0x2028
          || c == 0x2029
          || c == 0;
    }
  }
}
