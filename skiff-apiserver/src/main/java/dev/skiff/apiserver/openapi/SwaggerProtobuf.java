package dev.skiff.apiserver.openapi;

import dev.skiff.api.Json;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Encodes a Swagger 2.0 document as the protobuf message {@code openapi.v2.Document} of Google's
 * gnostic models, the form kubectl and client-go ask {@code /openapi/v2} for ({@code
 * application/com.github.proto-openapi.spec.v2@v1.0+protobuf}). Vendor extensions, defaults, enums
 * and examples travel as YAML text, as gnostic carries them.
 */
final class SwaggerProtobuf {
  /** What clients ask for; the '@' makes it unparseable as a Content-Type. */
  static final String REQUESTED_MEDIA_TYPE =
      "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";

  /** What the server answers with, and also accepts. */
  static final String MEDIA_TYPE = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

  private SwaggerProtobuf() {}

  static byte[] encode(JsonNode document) {
    Message doc = new Message();
    doc.string(1, document.path("swagger"));
    doc.message(2, info(document.path("info")));
    doc.strings(5, document.path("schemes"));
    doc.strings(6, document.path("consumes"));
    doc.strings(7, document.path("produces"));
    if (document.has("paths")) {
      Message paths = new Message();
      for (Map.Entry<String, JsonNode> e : document.get("paths").properties()) {
        if (e.getKey().startsWith("x-")) {
          paths.message(1, namedAny(e.getKey(), e.getValue()));
        } else {
          Message named = new Message();
          named.stringValue(1, e.getKey());
          named.message(2, pathItem(e.getValue()));
          paths.message(2, named);
        }
      }
      doc.message(8, paths);
    }
    if (document.has("definitions")) {
      doc.message(9, namedSchemas(document.get("definitions")));
    }
    for (JsonNode requirement : document.path("security")) {
      Message security = new Message();
      for (Map.Entry<String, JsonNode> e : requirement.properties()) {
        Message named = new Message();
        named.stringValue(1, e.getKey());
        Message array = new Message();
        array.strings(1, e.getValue());
        named.message(2, array);
        security.message(1, named);
      }
      doc.message(12, security);
    }
    if (document.has("securityDefinitions")) {
      Message definitions = new Message();
      for (Map.Entry<String, JsonNode> e : document.get("securityDefinitions").properties()) {
        JsonNode value = e.getValue();
        Message apiKey = new Message();
        apiKey.string(1, value.path("type"));
        apiKey.string(2, value.path("name"));
        apiKey.string(3, value.path("in"));
        apiKey.string(4, value.path("description"));
        Message item = new Message();
        item.message(2, apiKey);
        Message named = new Message();
        named.stringValue(1, e.getKey());
        named.message(2, item);
        definitions.message(1, named);
      }
      doc.message(13, definitions);
    }
    vendorExtensions(doc, 16, document);
    return doc.bytes();
  }

  private static Message info(JsonNode info) {
    Message m = new Message();
    m.string(1, info.path("title"));
    m.string(2, info.path("version"));
    m.string(3, info.path("description"));
    vendorExtensions(m, 7, info);
    return m;
  }

  private static Message pathItem(JsonNode item) {
    Message m = new Message();
    m.string(1, item.path("$ref"));
    String[] methods = {"get", "put", "post", "delete", "options", "head", "patch"};
    for (int i = 0; i < methods.length; i++) {
      if (item.has(methods[i])) {
        m.message(2 + i, operation(item.get(methods[i])));
      }
    }
    for (JsonNode parameter : item.path("parameters")) {
      m.message(9, parametersItem(parameter));
    }
    vendorExtensions(m, 10, item);
    return m;
  }

  private static Message operation(JsonNode op) {
    Message m = new Message();
    m.strings(1, op.path("tags"));
    m.string(2, op.path("summary"));
    m.string(3, op.path("description"));
    m.string(5, op.path("operationId"));
    m.strings(6, op.path("produces"));
    m.strings(7, op.path("consumes"));
    for (JsonNode parameter : op.path("parameters")) {
      m.message(8, parametersItem(parameter));
    }
    if (op.has("responses")) {
      Message responses = new Message();
      for (Map.Entry<String, JsonNode> e : op.get("responses").properties()) {
        if (e.getKey().startsWith("x-")) {
          responses.message(2, namedAny(e.getKey(), e.getValue()));
          continue;
        }
        JsonNode value = e.getValue();
        Message response = new Message();
        response.string(1, value.path("description"));
        if (value.has("schema")) {
          Message schemaItem = new Message();
          schemaItem.message(1, schema(value.get("schema")));
          response.message(2, schemaItem);
        }
        vendorExtensions(response, 5, value);
        Message responseValue = new Message();
        responseValue.message(1, response);
        Message named = new Message();
        named.stringValue(1, e.getKey());
        named.message(2, responseValue);
        responses.message(1, named);
      }
      m.message(9, responses);
    }
    m.strings(10, op.path("schemes"));
    m.bool(11, op.path("deprecated"));
    vendorExtensions(m, 13, op);
    return m;
  }

  private static Message parametersItem(JsonNode parameter) {
    Message item = new Message();
    if (parameter.has("$ref")) {
      Message reference = new Message();
      reference.string(1, parameter.get("$ref"));
      reference.string(2, parameter.path("description"));
      item.message(2, reference);
      return item;
    }
    String in = parameter.path("in").asString("");
    Message wrapper = new Message();
    if (in.equals("body")) {
      Message body = new Message();
      body.string(1, parameter.path("description"));
      body.string(2, parameter.path("name"));
      body.string(3, parameter.path("in"));
      body.bool(4, parameter.path("required"));
      if (parameter.has("schema")) {
        body.message(5, schema(parameter.get("schema")));
      }
      vendorExtensions(body, 6, parameter);
      wrapper.message(1, body);
    } else {
      // Query and form-data parameters number their fields one further than path and header
      // ones: they have allow_empty_value as field 5.
      boolean queryLike = in.equals("query") || in.equals("formData");
      int shift = queryLike ? 1 : 0;
      Message sub = new Message();
      sub.bool(1, parameter.path("required"));
      sub.string(2, parameter.path("in"));
      sub.string(3, parameter.path("description"));
      sub.string(4, parameter.path("name"));
      if (queryLike) {
        sub.bool(5, parameter.path("allowEmptyValue"));
      }
      sub.string(5 + shift, parameter.path("type"));
      sub.string(6 + shift, parameter.path("format"));
      sub.bool(19 + shift, parameter.path("uniqueItems"));
      vendorExtensions(sub, 22 + shift, parameter);
      int kind =
          switch (in) {
            case "header" -> 1;
            case "formData" -> 2;
            case "query" -> 3;
            default -> 4;
          };
      Message nonBody = new Message();
      nonBody.message(kind, sub);
      wrapper.message(2, nonBody);
    }
    item.message(1, wrapper);
    return item;
  }

  private static Message namedSchemas(JsonNode schemas) {
    Message m = new Message();
    for (Map.Entry<String, JsonNode> e : schemas.properties()) {
      Message named = new Message();
      named.stringValue(1, e.getKey());
      named.message(2, schema(e.getValue()));
      m.message(1, named);
    }
    return m;
  }

  private static Message schema(JsonNode s) {
    Message m = new Message();
    m.string(1, s.path("$ref"));
    m.string(2, s.path("format"));
    m.string(3, s.path("title"));
    m.string(4, s.path("description"));
    if (s.has("default")) {
      m.message(5, any(s.get("default")));
    }
    m.double64(6, s.path("multipleOf"));
    m.double64(7, s.path("maximum"));
    m.bool(8, s.path("exclusiveMaximum"));
    m.double64(9, s.path("minimum"));
    m.bool(10, s.path("exclusiveMinimum"));
    m.int64(11, s.path("maxLength"));
    m.int64(12, s.path("minLength"));
    m.string(13, s.path("pattern"));
    m.int64(14, s.path("maxItems"));
    m.int64(15, s.path("minItems"));
    m.bool(16, s.path("uniqueItems"));
    m.int64(17, s.path("maxProperties"));
    m.int64(18, s.path("minProperties"));
    m.strings(19, s.path("required"));
    for (JsonNode value : s.path("enum")) {
      m.message(20, any(value));
    }
    JsonNode additional = s.path("additionalProperties");
    if (additional.isObject()) {
      Message item = new Message();
      item.message(1, schema(additional));
      m.message(21, item);
    } else if (additional.isBoolean()) {
      Message item = new Message();
      item.boolAlways(2, additional.asBoolean());
      m.message(21, item);
    }
    JsonNode type = s.path("type");
    if (type.isString() || type.isArray()) {
      Message typeItem = new Message();
      if (type.isArray()) {
        typeItem.strings(1, type);
      } else {
        typeItem.string(1, type);
      }
      m.message(22, typeItem);
    }
    JsonNode items = s.path("items");
    if (items.isObject() || items.isArray()) {
      Message itemsItem = new Message();
      if (items.isArray()) {
        items.forEach(i -> itemsItem.message(1, schema(i)));
      } else {
        itemsItem.message(1, schema(items));
      }
      m.message(23, itemsItem);
    }
    for (JsonNode part : s.path("allOf")) {
      m.message(24, schema(part));
    }
    if (s.has("properties")) {
      m.message(25, namedSchemas(s.get("properties")));
    }
    m.string(26, s.path("discriminator"));
    m.bool(27, s.path("readOnly"));
    if (s.has("example")) {
      m.message(30, any(s.get("example")));
    }
    vendorExtensions(m, 31, s);
    return m;
  }

  private static void vendorExtensions(Message m, int field, JsonNode owner) {
    if (!owner.isObject()) {
      return;
    }
    for (Map.Entry<String, JsonNode> e : owner.properties()) {
      if (e.getKey().startsWith("x-")) {
        m.message(field, namedAny(e.getKey(), e.getValue()));
      }
    }
  }

  private static Message namedAny(String name, JsonNode value) {
    Message named = new Message();
    named.stringValue(1, name);
    named.message(2, any(value));
    return named;
  }

  /** gnostic's Any: the value as YAML text. */
  private static Message any(JsonNode value) {
    String yaml = Json.YAML.writeValueAsString(value);
    if (yaml.startsWith("---")) {
      yaml = yaml.substring(3).stripLeading();
    }
    Message any = new Message();
    any.stringValue(2, yaml);
    return any;
  }

  /** A protobuf message being written: fields in the order they are added. */
  private static final class Message {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    void string(int field, JsonNode value) {
      if (value.isValueNode() && !value.isNull()) {
        stringValue(field, value.asString(""));
      }
    }

    void stringValue(int field, String value) {
      if (value.isEmpty()) {
        return;
      }
      bytesField(field, value.getBytes(StandardCharsets.UTF_8));
    }

    void strings(int field, JsonNode values) {
      for (JsonNode value : values) {
        bytesField(field, value.asString("").getBytes(StandardCharsets.UTF_8));
      }
    }

    void bool(int field, JsonNode value) {
      if (value.asBoolean(false)) {
        boolAlways(field, true);
      }
    }

    void boolAlways(int field, boolean value) {
      tag(field, 0);
      varint(value ? 1 : 0);
    }

    void int64(int field, JsonNode value) {
      if (value.isNumber() && value.asLong() != 0) {
        tag(field, 0);
        varint(value.asLong());
      }
    }

    void double64(int field, JsonNode value) {
      if (value.isNumber() && value.asDouble() != 0) {
        tag(field, 1);
        long bits = Double.doubleToLongBits(value.asDouble());
        for (int i = 0; i < 8; i++) {
          out.write((int) (bits >>> (8 * i)) & 0xff);
        }
      }
    }

    void message(int field, Message message) {
      bytesField(field, message.bytes());
    }

    byte[] bytes() {
      return out.toByteArray();
    }

    private void bytesField(int field, byte[] bytes) {
      tag(field, 2);
      varint(bytes.length);
      out.writeBytes(bytes);
    }

    private void tag(int field, int wireType) {
      varint(((long) field << 3) | wireType);
    }

    private void varint(long value) {
      while ((value & ~0x7FL) != 0) {
        out.write((int) ((value & 0x7F) | 0x80));
        value >>>= 7;
      }
      out.write((int) value);
    }
  }
}
