package dev.skiff.api.protobuf;

import dev.skiff.api.Json;
import dev.skiff.api.protobuf.ProtobufSchema.Field;
import dev.skiff.api.protobuf.ProtobufSchema.Message;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Base64;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Decodes request bodies in Kubernetes' protobuf encoding ({@code
 * application/vnd.kubernetes.protobuf}) into the JSON tree the API server works on.
 *
 * <p>A body is the magic {@code k8s\0} followed by a {@code runtime.Unknown} envelope whose type
 * meta names the kind and whose raw bytes are the object's message. The result is what the JSON
 * encoding of the same object would be: JSON field names, zero values of non-pointer {@code
 * omitempty} fields dropped (gogo-protobuf always writes them), times as RFC 3339 strings,
 * quantities as strings, int-or-string as a number or a string, bytes as base64.
 */
public final class KubernetesProtobuf {
  /** The content type clients send. */
  public static final String CONTENT_TYPE = "application/vnd.kubernetes.protobuf";

  private static final byte[] MAGIC = {'k', '8', 's', 0};
  private static final String META = "k8s.io.apimachinery.pkg.apis.meta.v1.";
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final DateTimeFormatter MICRO_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSX").withZone(ZoneOffset.UTC);

  private final ProtobufSchema schema;

  private KubernetesProtobuf(ProtobufSchema schema) {
    this.schema = schema;
  }

  /** The decoder for every built-in kind. */
  public static KubernetesProtobuf builtIn() {
    return new KubernetesProtobuf(ProtobufSchema.builtIn());
  }

  /** Whether {@code body} starts with the Kubernetes protobuf magic. */
  public static boolean hasMagic(byte[] body) {
    return body.length >= MAGIC.length
        && Arrays.equals(body, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
  }

  /**
   * Decodes one enveloped object; the result carries apiVersion and kind from the envelope. Throws
   * {@link ProtobufDecodingException} for malformed input or a kind without a known message.
   */
  public ObjectNode decode(byte[] body) {
    if (!hasMagic(body)) {
      throw new ProtobufDecodingException("the body does not start with the protobuf magic k8s\\0");
    }
    WireReader envelope = new WireReader(body, MAGIC.length, body.length);
    String apiVersion = "";
    String kind = "";
    byte[] raw = new byte[0];
    while (envelope.hasMore()) {
      int tag = envelope.readTag();
      switch (tag >>> 3) {
        case 1 -> {
          WireReader typeMeta = envelope.readMessage();
          while (typeMeta.hasMore()) {
            int t = typeMeta.readTag();
            switch (t >>> 3) {
              case 1 -> apiVersion = typeMeta.readString();
              case 2 -> kind = typeMeta.readString();
              default -> typeMeta.skip(t & 7);
            }
          }
        }
        case 2 -> raw = envelope.readBytes();
        case 3 -> {
          String encoding = envelope.readString();
          if (!encoding.isEmpty()) {
            throw new ProtobufDecodingException("unsupported content encoding " + encoding);
          }
        }
        default -> envelope.skip(tag & 7);
      }
    }
    final String version = apiVersion;
    final String kindName = kind;
    Message message =
        schema
            .kind(apiVersion, kind)
            .orElseThrow(
                () ->
                    new ProtobufDecodingException(
                        "no protobuf message for " + version + ", Kind=" + kindName));
    ObjectNode object = NODES.objectNode();
    object.put("apiVersion", apiVersion);
    object.put("kind", kind);
    decodeFields(new WireReader(raw, 0, raw.length), message, object);
    return object;
  }

  private void decodeFields(WireReader in, Message message, ObjectNode out) {
    while (in.hasMore()) {
      int tag = in.readTag();
      Field field = message.fields().get(tag >>> 3);
      if (field == null || field.jsonName().equals("-")) {
        in.skip(tag & 7);
        continue;
      }
      int wireType = tag & 7;
      if (field.isMap()) {
        ObjectNode map =
            out.has(field.jsonName())
                ? (ObjectNode) out.get(field.jsonName())
                : out.putObject(field.jsonName());
        readMapEntry(in.readMessage(), field, map);
      } else if (field.repeated()) {
        ArrayNode list =
            out.has(field.jsonName())
                ? (ArrayNode) out.get(field.jsonName())
                : out.putArray(field.jsonName());
        if (wireType == WireReader.LENGTH_DELIMITED && isPackable(field.type())) {
          WireReader packed = in.readMessage();
          while (packed.hasMore()) {
            list.add(readScalar(packed, field.type(), packableWireType(field.type())));
          }
        } else {
          list.add(readValue(in, field.type(), wireType));
        }
      } else if (field.inline()) {
        Message inner = messageOf(field);
        decodeFields(in.readMessage(), inner, out);
      } else {
        JsonNode value = readValue(in, field.type(), wireType);
        if (value == null || (!field.pointer() && field.omitEmpty() && isZero(value))) {
          out.remove(field.jsonName());
        } else {
          out.set(field.jsonName(), value);
        }
      }
    }
  }

  private void readMapEntry(WireReader entry, Field field, ObjectNode map) {
    String[] types = field.mapTypes();
    String key = "";
    JsonNode value = null;
    while (entry.hasMore()) {
      int tag = entry.readTag();
      switch (tag >>> 3) {
        case 1 -> key = readValue(entry, types[0], tag & 7).asString();
        case 2 -> value = readValue(entry, types[1], tag & 7);
        default -> entry.skip(tag & 7);
      }
    }
    if (value == null) {
      value = types[1].equals("string") || types[1].equals("bytes") ? NODES.stringNode("") : null;
    }
    map.set(key, value == null ? NODES.nullNode() : value);
  }

  private Message messageOf(Field field) {
    return schema
        .message(field.messageName())
        .orElseThrow(() -> new ProtobufDecodingException("unknown message " + field.type()));
  }

  /** A field's value as JSON; null when it is a special type whose zero value JSON omits. */
  private JsonNode readValue(WireReader in, String type, int wireType) {
    if (!type.startsWith("m:")) {
      return readScalar(in, type, wireType);
    }
    String name = type.substring(2);
    WireReader body = in.readMessage();
    return switch (name) {
      case META + "Time" -> time(body, false);
      case META + "MicroTime" -> time(body, true);
      case META + "Duration" -> NODES.stringNode(GoDuration.format(firstVarint(body)));
      case META + "FieldsV1", "k8s.io.apimachinery.pkg.runtime.RawExtension" -> rawJson(body);
      case "k8s.io.apimachinery.pkg.api.resource.Quantity" -> NODES.stringNode(firstString(body));
      case "k8s.io.apimachinery.pkg.util.intstr.IntOrString" -> intOrString(body);
      default -> {
        Message message =
            schema
                .message(name)
                .orElseThrow(() -> new ProtobufDecodingException("unknown message " + name));
        ObjectNode object = NODES.objectNode();
        decodeFields(body, message, object);
        if (message.listWrapper()) {
          JsonNode items = object.get("items");
          yield items != null ? items : NODES.arrayNode();
        }
        yield object;
      }
    };
  }

  private JsonNode readScalar(WireReader in, String type, int wireType) {
    return switch (type) {
      case "string" -> NODES.stringNode(in.readString());
      case "bytes" -> NODES.stringNode(Base64.getEncoder().encodeToString(in.readBytes()));
      case "bool" -> NODES.booleanNode(in.readVarint() != 0);
      case "int32" -> NODES.numberNode((int) in.readVarint());
      case "int64", "uint64" -> NODES.numberNode(in.readVarint());
      case "uint32" -> NODES.numberNode(in.readVarint() & 0xffffffffL);
      case "sint32", "sint64" -> {
        long v = in.readVarint();
        yield NODES.numberNode((v >>> 1) ^ -(v & 1));
      }
      case "double" -> NODES.numberNode(Double.longBitsToDouble(in.readFixed64()));
      case "float" -> NODES.numberNode(Float.intBitsToFloat(in.readFixed32()));
      case "fixed64", "sfixed64" -> NODES.numberNode(in.readFixed64());
      case "fixed32", "sfixed32" -> NODES.numberNode(in.readFixed32());
      default -> {
        in.skip(wireType);
        throw new ProtobufDecodingException("unsupported protobuf type " + type);
      }
    };
  }

  private static boolean isPackable(String type) {
    return !type.equals("string") && !type.equals("bytes") && !type.startsWith("m:");
  }

  private static int packableWireType(String type) {
    return switch (type) {
      case "double", "fixed64", "sfixed64" -> WireReader.FIXED64;
      case "float", "fixed32", "sfixed32" -> WireReader.FIXED32;
      default -> WireReader.VARINT;
    };
  }

  private static boolean isZero(JsonNode value) {
    return (value.isString() && value.asString().isEmpty())
        || (value.isNumber() && value.asDouble() == 0)
        || (value.isBoolean() && !value.asBoolean())
        || (value.isContainer() && value.isEmpty());
  }

  /**
   * A metav1.Time; the zero time travels as an empty message (or as Go's year 1) and is JSON null,
   * which we leave out.
   */
  private static JsonNode time(WireReader body, boolean micro) {
    if (!body.hasMore()) {
      return null;
    }
    long seconds = 0;
    int nanos = 0;
    while (body.hasMore()) {
      int tag = body.readTag();
      switch (tag >>> 3) {
        case 1 -> seconds = body.readVarint();
        case 2 -> nanos = (int) body.readVarint();
        default -> body.skip(tag & 7);
      }
    }
    if (seconds == GoDuration.ZERO_TIME_UNIX_SECONDS && nanos == 0) {
      return null;
    }
    Instant instant = Instant.ofEpochSecond(seconds, micro ? nanos : 0);
    return NODES.stringNode(
        micro ? MICRO_TIME.format(instant) : DateTimeFormatter.ISO_INSTANT.format(instant));
  }

  private static JsonNode rawJson(WireReader body) {
    byte[] raw = new byte[0];
    while (body.hasMore()) {
      int tag = body.readTag();
      if (tag >>> 3 == 1) {
        raw = body.readBytes();
      } else {
        body.skip(tag & 7);
      }
    }
    if (raw.length == 0) {
      return null;
    }
    try {
      return Json.MAPPER.readTree(raw);
    } catch (JacksonException e) {
      throw new ProtobufDecodingException("embedded object is not JSON: " + e.getOriginalMessage());
    }
  }

  private static JsonNode intOrString(WireReader body) {
    long type = 0;
    int intVal = 0;
    String strVal = "";
    while (body.hasMore()) {
      int tag = body.readTag();
      switch (tag >>> 3) {
        case 1 -> type = body.readVarint();
        case 2 -> intVal = (int) body.readVarint();
        case 3 -> strVal = body.readString();
        default -> body.skip(tag & 7);
      }
    }
    return type == 1 ? NODES.stringNode(strVal) : NODES.numberNode(intVal);
  }

  private static long firstVarint(WireReader body) {
    long value = 0;
    while (body.hasMore()) {
      int tag = body.readTag();
      if (tag >>> 3 == 1) {
        value = body.readVarint();
      } else {
        body.skip(tag & 7);
      }
    }
    return value;
  }

  private static String firstString(WireReader body) {
    String value = "";
    while (body.hasMore()) {
      int tag = body.readTag();
      if (tag >>> 3 == 1) {
        value = new String(body.readBytes(), StandardCharsets.UTF_8);
      } else {
        body.skip(tag & 7);
      }
    }
    return value;
  }
}
