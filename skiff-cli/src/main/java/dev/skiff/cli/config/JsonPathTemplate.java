package dev.skiff.cli.config;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * kubectl's JSONPath templates ({@code -o jsonpath=...}): text with {@code {...}} actions holding
 * paths ({@code .a.b}, {@code ['a']}, {@code [0]}, {@code [*]}, {@code [1:3]}, {@code ..name},
 * filters {@code [?(@.name=="x")]}), string literals and {@code {range ...}...{end}} loops. Missing
 * keys print nothing; several results of one action are joined by spaces; objects and lists print
 * as compact JSON.
 */
final class JsonPathTemplate {
  private sealed interface Node permits Text, Action, Range {}

  private record Text(String text) implements Node {}

  private record Action(List<Step> steps, String literal) implements Node {}

  private record Range(List<Step> steps, List<Node> body) implements Node {}

  private sealed interface Step permits Root, Field, Recursive, Index, Filter, Union {}

  private record Root() implements Step {}

  /** A field; {@code *} is every value. */
  private record Field(String name) implements Step {}

  private record Recursive(String name) implements Step {}

  /** {@code [n]}, {@code [a:b]} or {@code [*]}: null bounds are open. */
  private record Index(Integer start, Integer end, boolean slice) implements Step {}

  private record Filter(List<Step> left, String operator, List<Step> right, JsonNode literal)
      implements Step {}

  /** {@code [0,2]} or {@code ['a','b']}: the results of each part in turn. */
  private record Union(List<Step> parts) implements Step {}

  private final String source;
  private final List<Node> nodes;

  private JsonPathTemplate(String source, List<Node> nodes) {
    this.source = source;
    this.nodes = nodes;
  }

  static JsonPathTemplate parse(String template) {
    try {
      Parser parser = new Parser(template);
      List<Node> nodes = parser.nodes(false);
      return new JsonPathTemplate(template, nodes);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("error parsing jsonpath " + template + ", " + e.getMessage());
    }
  }

  String execute(JsonNode root) {
    StringBuilder out = new StringBuilder();
    try {
      run(nodes, root, root, out);
    } catch (IllegalStateException e) {
      throw new ConfigException(
          "error executing jsonpath "
              + GoSyntax.quote(source)
              + ": Error executing template: "
              + e.getMessage()
              + ". Printing more information for debugging the template:\n"
              + "\ttemplate was:\n\t\t"
              + source
              + "\n\tobject given to jsonpath engine was:\n\t\t"
              + GoSyntax.of(root)
              + "\n\n\n");
    }
    return out.toString();
  }

  private static void run(List<Node> nodes, JsonNode root, JsonNode current, StringBuilder out) {
    for (Node node : nodes) {
      switch (node) {
        case Text text -> out.append(text.text());
        case Action action -> {
          if (action.literal() != null) {
            out.append(action.literal());
          } else {
            print(evaluate(action.steps(), root, List.of(current)), out);
          }
        }
        case Range range -> {
          for (JsonNode value : evaluate(range.steps(), root, List.of(current))) {
            if (value.isArray()) {
              for (JsonNode item : value) {
                run(range.body(), root, item, out);
              }
            } else {
              run(range.body(), root, value, out);
            }
          }
        }
      }
    }
  }

  private static void print(List<JsonNode> results, StringBuilder out) {
    for (int i = 0; i < results.size(); i++) {
      JsonNode value = results.get(i);
      if (value.isObject() || value.isArray()) {
        out.append(GoJson.compact(value));
      } else if (value.isNull()) {
        out.append("null");
      } else if (value.isNumber()) {
        out.append(GoJson.number(value));
      } else if (value.isBoolean()) {
        out.append(value.booleanValue());
      } else {
        out.append(value.asString());
      }
      if (i != results.size() - 1) {
        out.append(' ');
      }
    }
  }

  private static List<JsonNode> evaluate(List<Step> steps, JsonNode root, List<JsonNode> input) {
    List<JsonNode> values = input;
    for (Step step : steps) {
      List<JsonNode> next = new ArrayList<>();
      for (JsonNode value : values) {
        apply(step, root, value, next);
      }
      values = next;
    }
    return values;
  }

  private static void apply(Step step, JsonNode root, JsonNode value, List<JsonNode> into) {
    switch (step) {
      case Root r -> into.add(root);
      case Field field -> {
        if (field.name().equals("*")) {
          if (value.isObject() || value.isArray()) {
            value.values().forEach(into::add);
          }
        } else if (value.isObject() && value.has(field.name())) {
          into.add(value.get(field.name()));
        }
      }
      case Recursive recursive -> descend(value, recursive.name(), into);
      case Index index -> {
        if (!value.isArray()) {
          return;
        }
        int length = value.size();
        if (!index.slice()) {
          int i = index.start() < 0 ? index.start() + length : index.start();
          if (i < 0 || i >= length) {
            throw new IllegalStateException(
                "array index out of bounds: index " + index.start() + ", length " + length);
          }
          into.add(value.get(i));
          return;
        }
        int start = bound(index.start(), 0, length);
        int end = bound(index.end(), length, length);
        for (int i = start; i < end; i++) {
          into.add(value.get(i));
        }
      }
      case Filter filter -> {
        if (!value.isArray()) {
          return;
        }
        for (JsonNode item : value) {
          if (matches(filter, root, item)) {
            into.add(item);
          }
        }
      }
      case Union union -> {
        for (Step part : union.parts()) {
          apply(part, root, value, into);
        }
      }
    }
  }

  private static int bound(Integer bound, int open, int length) {
    if (bound == null) {
      return open;
    }
    int value = bound < 0 ? bound + length : bound;
    return Math.max(0, Math.min(length, value));
  }

  private static void descend(JsonNode value, String name, List<JsonNode> into) {
    if (value.isObject()) {
      if (name.equals("*")) {
        value.values().forEach(into::add);
      } else if (value.has(name)) {
        into.add(value.get(name));
      }
      List<String> keys = new ArrayList<>(value.propertyNames());
      keys.sort(null);
      for (String key : keys) {
        descend(value.get(key), name, into);
      }
    } else if (value.isArray()) {
      for (JsonNode item : value) {
        descend(item, name, into);
      }
    }
  }

  private static boolean matches(Filter filter, JsonNode root, JsonNode item) {
    List<JsonNode> lefts = evaluate(filter.left(), root, List.of(item));
    if (lefts.isEmpty()) {
      return false;
    }
    if (filter.operator() == null) {
      return true;
    }
    JsonNode right = filter.literal();
    if (right == null) {
      List<JsonNode> rights = evaluate(filter.right(), root, List.of(item));
      if (rights.isEmpty()) {
        return false;
      }
      right = rights.get(0);
    }
    JsonNode left = lefts.get(0);
    int comparison;
    if (left.isNumber() && right.isNumber()) {
      comparison = left.decimalValue().compareTo(right.decimalValue());
    } else if (left.isString() && right.isString()) {
      comparison = left.asString().compareTo(right.asString());
    } else if (left.isBoolean() && right.isBoolean()) {
      comparison = left.booleanValue() == right.booleanValue() ? 0 : 1;
    } else {
      return false;
    }
    return switch (filter.operator()) {
      case "==" -> comparison == 0;
      case "!=" -> comparison != 0;
      case "<" -> comparison < 0;
      case "<=" -> comparison <= 0;
      case ">" -> comparison > 0;
      case ">=" -> comparison >= 0;
      default -> false;
    };
  }

  /** A recursive-descent reader of the template text. */
  private static final class Parser {
    private final String text;
    private int position;

    Parser(String text) {
      this.text = text;
    }

    List<Node> nodes(boolean inRange) {
      List<Node> nodes = new ArrayList<>();
      StringBuilder literal = new StringBuilder();
      while (position < text.length()) {
        char c = text.charAt(position);
        if (c != '{') {
          literal.append(c);
          position++;
          continue;
        }
        if (!literal.isEmpty()) {
          nodes.add(new Text(literal.toString()));
          literal.setLength(0);
        }
        String action = actionText().strip();
        if (action.equals("end")) {
          if (!inRange) {
            throw new IllegalArgumentException("not in range, nothing to end");
          }
          return nodes;
        }
        if (action.startsWith("range ") || action.equals("range")) {
          List<Step> steps = path(action.substring(5).strip());
          List<Node> body = nodes(true);
          nodes.add(new Range(steps, body));
        } else if (action.startsWith("\"")) {
          nodes.add(new Action(List.of(), unquote(action)));
        } else {
          nodes.add(new Action(path(action), null));
        }
      }
      if (inRange) {
        throw new IllegalArgumentException("unclosed range");
      }
      if (!literal.isEmpty()) {
        nodes.add(new Text(literal.toString()));
      }
      return nodes;
    }

    private String actionText() {
      int start = ++position;
      int depth = 0;
      char quote = 0;
      while (position < text.length()) {
        char c = text.charAt(position);
        if (quote != 0) {
          if (c == '\\') {
            position++;
          } else if (c == quote) {
            quote = 0;
          }
        } else if (c == '"' || c == '\'') {
          quote = c;
        } else if (c == '[') {
          depth++;
        } else if (c == ']') {
          depth--;
        } else if (c == '}' && depth <= 0) {
          String action = text.substring(start, position);
          position++;
          return action;
        }
        position++;
      }
      throw new IllegalArgumentException("unclosed action");
    }

    private static String unquote(String literal) {
      if (literal.length() < 2 || !literal.endsWith("\"")) {
        throw new IllegalArgumentException("unterminated quoted string");
      }
      StringBuilder out = new StringBuilder();
      for (int i = 1; i < literal.length() - 1; i++) {
        char c = literal.charAt(i);
        if (c == '\\' && i + 1 < literal.length() - 1) {
          char next = literal.charAt(++i);
          out.append(
              switch (next) {
                case 'n' -> '\n';
                case 't' -> '\t';
                case 'r' -> '\r';
                default -> next;
              });
        } else {
          out.append(c);
        }
      }
      return out.toString();
    }

    static List<Step> path(String expression) {
      List<Step> steps = new ArrayList<>();
      int i = 0;
      String e = expression;
      if (e.startsWith("$")) {
        steps.add(new Root());
        i = 1;
      } else if (e.startsWith("@")) {
        i = 1;
      }
      while (i < e.length()) {
        char c = e.charAt(i);
        if (c == '.' && i + 1 < e.length() && e.charAt(i + 1) == '.') {
          int end = nameEnd(e, i + 2);
          steps.add(new Recursive(e.substring(i + 2, end)));
          i = end;
        } else if (c == '.') {
          int end = nameEnd(e, i + 1);
          String name = e.substring(i + 1, end);
          if (!name.isEmpty()) {
            steps.add(new Field(name));
          }
          i = end;
        } else if (c == '[') {
          int end = closingBracket(e, i);
          steps.add(bracket(e.substring(i + 1, end)));
          i = end + 1;
        } else if (Character.isWhitespace(c)) {
          i++;
        } else {
          throw new IllegalArgumentException(
              "unrecognized character in action: U+"
                  + String.format("%04X", (int) c)
                  + " '"
                  + c
                  + "'");
        }
      }
      return steps;
    }

    private static int nameEnd(String e, int from) {
      int i = from;
      while (i < e.length() && e.charAt(i) != '.' && e.charAt(i) != '[') {
        i++;
      }
      return i;
    }

    private static int closingBracket(String e, int open) {
      int depth = 0;
      char quote = 0;
      for (int i = open; i < e.length(); i++) {
        char c = e.charAt(i);
        if (quote != 0) {
          if (c == quote) {
            quote = 0;
          }
        } else if (c == '"' || c == '\'') {
          quote = c;
        } else if (c == '[') {
          depth++;
        } else if (c == ']' && --depth == 0) {
          return i;
        }
      }
      throw new IllegalArgumentException("unterminated array");
    }

    private static Step bracket(String inside) {
      String content = inside.strip();
      if (content.equals("*")) {
        return new Index(null, null, true);
      }
      if (content.startsWith("?(") && content.endsWith(")")) {
        return filter(content.substring(2, content.length() - 1).strip());
      }
      List<String> alternatives = splitOutsideQuotes(content);
      if (alternatives.size() > 1) {
        return new Union(alternatives.stream().map(Parser::bracket).toList());
      }
      if (content.startsWith("'") || content.startsWith("\"")) {
        return new Field(content.substring(1, content.length() - 1));
      }
      if (content.contains(":")) {
        String[] parts = content.split(":", -1);
        return new Index(integer(parts[0]), integer(parts[1]), true);
      }
      Integer index = integer(content);
      if (index == null) {
        throw new IllegalArgumentException("invalid array index " + content);
      }
      return new Index(index, null, false);
    }

    private static List<String> splitOutsideQuotes(String content) {
      List<String> parts = new ArrayList<>();
      char quote = 0;
      int start = 0;
      for (int i = 0; i < content.length(); i++) {
        char c = content.charAt(i);
        if (quote != 0) {
          if (c == quote) {
            quote = 0;
          }
        } else if (c == '"' || c == '\'') {
          quote = c;
        } else if (c == ',') {
          parts.add(content.substring(start, i));
          start = i + 1;
        }
      }
      parts.add(content.substring(start));
      return parts;
    }

    private static Integer integer(String text) {
      String value = text.strip();
      if (value.isEmpty()) {
        return null;
      }
      try {
        return Integer.parseInt(value);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("invalid array index " + value);
      }
    }

    private static Step filter(String condition) {
      for (String operator : List.of("==", "!=", "<=", ">=", "<", ">")) {
        int at = operatorIndex(condition, operator);
        if (at >= 0) {
          List<Step> left = path(condition.substring(0, at).strip());
          String rightText = condition.substring(at + operator.length()).strip();
          JsonNode literal = literal(rightText);
          List<Step> right = literal == null ? path(rightText) : List.of();
          return new Filter(left, operator, right, literal);
        }
      }
      return new Filter(path(condition), null, List.of(), null);
    }

    private static int operatorIndex(String condition, String operator) {
      char quote = 0;
      for (int i = 0; i + operator.length() <= condition.length(); i++) {
        char c = condition.charAt(i);
        if (quote != 0) {
          if (c == quote) {
            quote = 0;
          }
        } else if (c == '"' || c == '\'') {
          quote = c;
        } else if (condition.startsWith(operator, i)) {
          return i;
        }
      }
      return -1;
    }

    private static JsonNode literal(String text) {
      JsonNodeFactory nodes = JsonNodeFactory.instance;
      if (text.startsWith("'") || text.startsWith("\"")) {
        return nodes.stringNode(text.substring(1, text.length() - 1));
      }
      if (text.equals("true") || text.equals("false")) {
        return nodes.booleanNode(Boolean.parseBoolean(text));
      }
      try {
        return nodes.numberNode(new BigDecimal(text));
      } catch (NumberFormatException e) {
        return null;
      }
    }
  }
}
