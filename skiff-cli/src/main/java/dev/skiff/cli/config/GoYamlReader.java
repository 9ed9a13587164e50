package dev.skiff.cli.config;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads YAML into a JSON tree as kubectl does (go-yaml v2, then JSON): unquoted scalars follow YAML
 * 1.1, so {@code yes}, {@code on} and {@code off} are booleans, {@code 0x10} and {@code 017}
 * numbers, {@code ~} null, while timestamps stay strings; only the first document counts.
 */
final class GoYamlReader {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Pattern YAML_FLOAT =
      Pattern.compile("^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$");

  private final Iterator<Event> events;
  private final Map<String, JsonNode> anchors = new HashMap<>();

  private GoYamlReader(Iterator<Event> events) {
    this.events = events;
  }

  /** The first document's tree, or null for an empty one. */
  static JsonNode read(String text) {
    try {
      Iterator<Event> events =
          new Parse(LoadSettings.builder().build()).parseString(text).iterator();
      GoYamlReader reader = new GoYamlReader(events);
      while (events.hasNext()) {
        Event event = events.next();
        switch (event.getEventId()) {
          case DocumentStart -> {
            Event first = events.next();
            return first.getEventId() == Event.ID.DocumentEnd ? null : reader.node(first);
          }
          case StreamEnd -> {
            return null;
          }
          default -> {}
        }
      }
      return null;
    } catch (YamlEngineException e) {
      throw new ConfigException("yaml: " + e.getMessage().lines().findFirst().orElse(""));
    }
  }

  private JsonNode node(Event event) {
    JsonNode node =
        switch (event.getEventId()) {
          case Scalar -> scalar((ScalarEvent) event);
          case Alias -> {
            JsonNode target = anchors.get(((AliasEvent) event).getAlias().getValue());
            if (target == null) {
              throw new ConfigException(
                  "yaml: unknown anchor '"
                      + ((AliasEvent) event).getAlias().getValue()
                      + "' referenced");
            }
            yield target.deepCopy();
          }
          case MappingStart -> {
            ObjectNode object = NODES.objectNode();
            for (Event key = events.next();
                key.getEventId() != Event.ID.MappingEnd;
                key = events.next()) {
              String name = keyText(node(key));
              object.set(name, node(events.next()));
            }
            yield object;
          }
          case SequenceStart -> {
            ArrayNode array = NODES.arrayNode();
            for (Event item = events.next();
                item.getEventId() != Event.ID.SequenceEnd;
                item = events.next()) {
              array.add(node(item));
            }
            yield array;
          }
          default -> throw new ConfigException("yaml: unexpected " + event.getEventId());
        };
    if (event instanceof NodeEvent nodeEvent && !(event instanceof AliasEvent)) {
      nodeEvent.getAnchor().ifPresent(anchor -> anchors.put(anchor.getValue(), node));
    }
    return node;
  }

  /** A mapping key as JSON spells it (Go formats non-string keys). */
  private static String keyText(JsonNode key) {
    if (key.isString()) {
      return key.asString();
    }
    if (key.isNull()) {
      return "null";
    }
    if (key.isNumber()) {
      return GoJson.number(key);
    }
    return key.toString();
  }

  private static JsonNode scalar(ScalarEvent event) {
    String value = event.getValue();
    String tag = event.getTag().orElse("");
    if (!event.isPlain() || tag.equals("tag:yaml.org,2002:str") || tag.equals("!!str")) {
      return NODES.stringNode(value);
    }
    return resolve(value);
  }

  /** go-yaml v2's resolution of a plain scalar. */
  static JsonNode resolve(String value) {
    switch (value) {
      case "", "~", "null", "Null", "NULL" -> {
        return NODES.nullNode();
      }
      case "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE" -> {
        return NODES.booleanNode(true);
      }
      case "n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE" -> {
        return NODES.booleanNode(false);
      }
      default -> {}
    }
    char first = value.charAt(0);
    boolean numeric = first == '+' || first == '-' || first == '.' || Character.isDigit(first);
    if (!numeric) {
      return NODES.stringNode(value);
    }
    String plain = value.replace("_", "");
    BigInteger integer = parseInteger(plain);
    if (integer != null) {
      return NODES.numberNode(integer);
    }
    if (YAML_FLOAT.matcher(plain).matches()) {
      return NODES.numberNode(Double.parseDouble(plain));
    }
    return NODES.stringNode(value);
  }

  /** Go's strconv.ParseInt with base 0 (0x, 0o, 0b prefixes, a leading 0 for octal). */
  private static BigInteger parseInteger(String text) {
    boolean negative = text.startsWith("-");
    String digits = text.startsWith("-") || text.startsWith("+") ? text.substring(1) : text;
    int radix = 10;
    if (digits.startsWith("0x") || digits.startsWith("0X")) {
      radix = 16;
      digits = digits.substring(2);
    } else if (digits.startsWith("0b") || digits.startsWith("0B")) {
      radix = 2;
      digits = digits.substring(2);
    } else if (digits.startsWith("0o") || digits.startsWith("0O")) {
      radix = 8;
      digits = digits.substring(2);
    } else if (digits.length() > 1 && digits.startsWith("0")) {
      radix = 8;
      digits = digits.substring(1);
    }
    if (digits.isEmpty()) {
      return null;
    }
    try {
      BigInteger parsed = new BigInteger(digits, radix);
      return negative ? parsed.negate() : parsed;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
