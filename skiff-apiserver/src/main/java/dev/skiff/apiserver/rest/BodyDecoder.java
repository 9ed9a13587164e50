package dev.skiff.apiserver.rest;

import dev.skiff.api.Json;
import dev.skiff.api.ResourceType;
import dev.skiff.api.protobuf.KubernetesProtobuf;
import dev.skiff.api.protobuf.ProtobufDecodingException;
import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.ApiRequest;
import java.util.Locale;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Decodes request bodies: JSON, YAML or Kubernetes protobuf objects; other types are 415. */
final class BodyDecoder {
  private static final KubernetesProtobuf PROTOBUF = KubernetesProtobuf.builtIn();

  private static final JsonMapper STRICT_JSON =
      JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  private static final YAMLMapper STRICT_YAML =
      YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private BodyDecoder() {}

  /** The media type of the request body, without parameters, lower case; JSON when absent. */
  static String contentType(ApiRequest request) {
    String value = request.header("content-type");
    if (value == null || value.isBlank()) {
      return "application/json";
    }
    return value.split(";")[0].trim().toLowerCase(Locale.ROOT);
  }

  static ApiException unsupported(String type) {
    return ApiException.unsupportedMediaType(
        "the body of the request was in an unknown format - accepted media types include:"
            + " application/json, application/yaml, application/vnd.kubernetes.protobuf"
            + (type.isEmpty() ? "" : ""));
  }

  /**
   * Decodes an object body. {@code duplicates} receives the first duplicate field's message when
   * the body repeats a field (decoding then proceeds leniently).
   */
  static ObjectNode decodeObject(ApiRequest request, ResourceType type, StringBuilder duplicates) {
    String mediaType = contentType(request);
    if (mediaType.equals(KubernetesProtobuf.CONTENT_TYPE)) {
      return decodeProtobuf(request.body(), type);
    }
    boolean yaml =
        switch (mediaType) {
          case "application/json" -> false;
          case "application/yaml", "application/x-yaml", "text/yaml" -> true;
          default -> throw unsupported(mediaType);
        };
    return parse(request.body(), yaml, type, duplicates);
  }

  /** Typed clients (kubectl create, client-go) send built-in kinds as protobuf. */
  private static ObjectNode decodeProtobuf(byte[] body, ResourceType type) {
    if (body.length == 0) {
      throw ApiException.badRequest("the request body is empty");
    }
    try {
      return PROTOBUF.decode(body);
    } catch (ProtobufDecodingException e) {
      throw ApiException.badRequest(
          "the object provided is unrecognized or malformed for "
              + type.kind()
              + ": "
              + e.getMessage());
    }
  }

  static ObjectNode parse(byte[] body, boolean yaml, ResourceType type, StringBuilder duplicates) {
    if (body.length == 0) {
      throw ApiException.badRequest("the request body is empty");
    }
    try {
      JsonNode node = (yaml ? STRICT_YAML : STRICT_JSON).readTree(body);
      return asObject(node, type);
    } catch (JacksonException strict) {
      JsonNode node;
      try {
        node = yaml ? Json.YAML.readTree(body) : Json.MAPPER.readTree(body);
      } catch (JacksonException e) {
        throw ApiException.badRequest(cannotHandle(type, e));
      }
      if (duplicates != null) {
        duplicates.append(duplicateField(strict.getOriginalMessage()));
      }
      return asObject(node, type);
    }
  }

  /**
   * Rejects an object whose values do not fit the types of its model (a string where a number
   * belongs, an object where a list belongs): 400, as Kubernetes' decoder answers.
   */
  static void checkTypes(ResourceType type, Class<?> model, ObjectNode object) {
    try {
      Json.MAPPER.treeToValue(object, model);
    } catch (JacksonException e) {
      throw ApiException.badRequest(cannotHandle(type, e));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(cannotHandle(type, null) + e.getMessage());
    }
  }

  private static final java.util.regex.Pattern QUOTED =
      java.util.regex.Pattern.compile("[\"'](.+?)[\"']");

  /** Kubernetes' wording of a repeated field, from the parser's message. */
  private static String duplicateField(String message) {
    java.util.regex.Matcher m = QUOTED.matcher(message == null ? "" : message);
    return m.find() ? "duplicate field \"" + m.group(1) + "\"" : "duplicate field";
  }

  private static ObjectNode asObject(JsonNode node, ResourceType type) {
    if (node instanceof ObjectNode object) {
      return object;
    }
    throw ApiException.badRequest(
        cannotHandle(type, null) + "expected a JSON object, got " + node.getNodeType());
  }

  private static String cannotHandle(ResourceType type, JacksonException e) {
    String prefix =
        type.kind()
            + " in version \""
            + type.version()
            + "\" cannot be handled as a "
            + type.kind()
            + ": ";
    return e == null ? prefix : prefix + firstLine(e.getOriginalMessage());
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "malformed body";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
