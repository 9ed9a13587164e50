package dev.skiff.api.protobuf;

import dev.skiff.api.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * Field numbers, types and JSON names of the Kubernetes API's protobuf messages, loaded from the
 * table {@code tools/gen-protobuf-schema.py} derives from the API definitions.
 */
final class ProtobufSchema {
  /** One field of a message. */
  record Field(
      int number,
      String jsonName,
      String type,
      boolean repeated,
      boolean omitEmpty,
      boolean pointer) {
    boolean inline() {
      return jsonName.isEmpty();
    }

    boolean isMap() {
      return type.startsWith("map:");
    }

    boolean isMessage() {
      return type.startsWith("m:");
    }

    String messageName() {
      return type.substring(2);
    }

    /** For a map field: the key and value types. */
    String[] mapTypes() {
      return type.substring(4).split(":", 2);
    }
  }

  /** One message: its fields by number, and whether it wraps a list ({@code items}). */
  record Message(String name, Map<Integer, Field> fields, boolean listWrapper) {}

  private static final ProtobufSchema BUILT_IN = load();

  private final Map<String, Message> messages;
  private final Map<String, String> packagesByGroupVersion;

  private ProtobufSchema(Map<String, Message> messages, Map<String, String> packages) {
    this.messages = messages;
    this.packagesByGroupVersion = packages;
  }

  static ProtobufSchema builtIn() {
    return BUILT_IN;
  }

  Optional<Message> message(String fullName) {
    return Optional.ofNullable(messages.get(fullName));
  }

  /** The message of a top-level kind, e.g. ("apps/v1", "Deployment"). */
  Optional<Message> kind(String apiVersion, String kind) {
    String pkg = packagesByGroupVersion.get(apiVersion);
    if (pkg != null && messages.containsKey(pkg + "." + kind)) {
      return message(pkg + "." + kind);
    }
    // options and status objects (DeleteOptions, Status ...) are meta/v1 messages in every group
    return message("k8s.io.apimachinery.pkg.apis.meta.v1." + kind);
  }

  private static ProtobufSchema load() {
    try (InputStream in = ProtobufSchema.class.getResourceAsStream("schema.json")) {
      if (in == null) {
        throw new IllegalStateException("protobuf schema table missing from the classpath");
      }
      JsonNode root = Json.MAPPER.readTree(in);
      Map<String, Message> messages = new HashMap<>();
      for (Map.Entry<String, JsonNode> entry : root.path("messages").properties()) {
        Map<Integer, Field> fields = new HashMap<>();
        for (Map.Entry<String, JsonNode> f : entry.getValue().path("f").properties()) {
          JsonNode spec = f.getValue();
          int number = Integer.parseInt(f.getKey());
          String flags = spec.path(3).asString("");
          fields.put(
              number,
              new Field(
                  number,
                  spec.path(0).asString(),
                  spec.path(1).asString(),
                  spec.path(2).asInt() == 1,
                  flags.contains("o"),
                  flags.contains("p")));
        }
        boolean wrapper = entry.getValue().path("nullable").asInt() == 1;
        messages.put(entry.getKey(), new Message(entry.getKey(), Map.copyOf(fields), wrapper));
      }
      Map<String, String> packages = new HashMap<>();
      for (Map.Entry<String, JsonNode> entry : root.path("groups").properties()) {
        packages.put(entry.getKey(), entry.getValue().asString());
      }
      return new ProtobufSchema(Map.copyOf(messages), Map.copyOf(packages));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
